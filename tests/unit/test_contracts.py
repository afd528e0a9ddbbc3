"""Contracts: stable type strings, upcasting, and committed schemas that match the code."""

from pathlib import Path
from typing import Any, ClassVar

import pytest

import contracts
from contracts import envelope
from contracts.envelope import (
    EventPayload,
    UnknownEventType,
    decode_payload,
    event,
    register_upcaster,
)
from ohts.schemas import render_all

SCHEMAS = Path(contracts.__file__).parent / "schemas"


def test_type_strings_are_stable_names_not_python_paths() -> None:
    for (event_type, _), cls in contracts.all_event_types().items():
        producer, name = event_type.split(".")
        assert producer in {"registry", "qc", "enforcement"}
        assert name == cls.__name__
        assert cls.__module__ not in event_type


def test_committed_schemas_are_current() -> None:
    rendered = render_all()
    stale = [
        name
        for name, text in rendered.items()
        if not (SCHEMAS / name).exists() or (SCHEMAS / name).read_text("utf-8") != text
    ]
    assert not stale, f"run `ohts contracts export`: stale {stale}"
    committed = {str(p.relative_to(SCHEMAS)) for p in SCHEMAS.rglob("*.json")}
    assert committed == set(rendered), "schemas without an event (or the reverse)"


def test_old_versions_are_upcast_on_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # Register into copies, so the sample type never leaks into other tests.
    for registry in ("_TYPES", "_LATEST", "_UPCASTERS"):
        monkeypatch.setattr(envelope, registry, dict(getattr(envelope, registry)))

    @event
    class SampleNoted(EventPayload):
        event_type: ClassVar[str] = "qc.SampleNotedForTest"
        schema_version: ClassVar[int] = 2
        aggregate_type: ClassVar[str] = "Sample"
        sample_id: str
        laboratory: str

    @register_upcaster("qc.SampleNotedForTest", 1)
    def v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
        return {"sample_id": payload["sample_id"], "laboratory": payload.get("lab", "unknown")}

    upcast = decode_payload("qc.SampleNotedForTest", 1, {"sample_id": "s1", "lab": "A"})
    assert upcast == SampleNoted(sample_id="s1", laboratory="A")
    with pytest.raises(UnknownEventType):
        decode_payload("qc.NoSuchThing", 1, {})
