"""Lines logged while a consumer applies an event carry the event's ids; others do not."""

import io
import json
import logging
import uuid
from dataclasses import dataclass

import structlog

from ohts_kit.logging import about_event, configure_logging, get_logger


@dataclass(frozen=True)
class _Env:
    correlation_id: str
    event_id: uuid.UUID
    event_type: str


def test_lines_inside_an_event_carry_its_ids_both_structlog_and_stdlib() -> None:
    out = io.StringIO()
    root = logging.getLogger()
    handlers, level = root.handlers, root.level
    configure_logging("qc", stream=out)
    event = _Env("corr-1", uuid.UUID(int=7), "qc.ViolationClueReferred")
    try:
        with about_event(event):
            get_logger().info("inside")
            logging.getLogger("somelib").warning("from the standard library")
            get_logger().info("own", event_type="kept")  # a line's own value wins
        get_logger().info("after")
    finally:
        root.handlers, root.level = handlers, level
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    by_event = {line["event"]: line for line in lines}
    for name in ("inside", "from the standard library"):
        assert by_event[name]["correlation_id"] == "corr-1"
        assert by_event[name]["event_id"] == str(uuid.UUID(int=7))
        assert by_event[name]["event_type"] == "qc.ViolationClueReferred"
        assert by_event[name]["service"] == "qc"
    assert by_event["own"]["event_type"] == "kept"
    assert "correlation_id" not in by_event["after"] and "event_id" not in by_event["after"]
