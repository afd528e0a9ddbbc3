"""Contracts: stable type strings, upcasting, and committed schemas that match the code."""

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError

import contracts
from contracts import envelope
from contracts.envelope import (
    EventPayload,
    UnknownEventType,
    decode_json,
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


def test_one_validation_decodes_the_latest_version_and_older_ones_are_upcast(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for registry in ("_TYPES", "_LATEST", "_UPCASTERS"):
        monkeypatch.setattr(envelope, registry, dict(getattr(envelope, registry)))

    @event
    class LabNoted(EventPayload):
        event_type: ClassVar[str] = "qc.LabNotedForTest"
        schema_version: ClassVar[int] = 2
        aggregate_type: ClassVar[str] = "Sample"
        sample_id: str
        laboratory: str

    @register_upcaster("qc.LabNotedForTest", 1)
    def v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
        return {"sample_id": payload["sample_id"], "laboratory": payload["lab"]}

    def body(
        version: int, payload: dict[str, Any], event_type: str = "qc.LabNotedForTest"
    ) -> bytes:
        return json.dumps(
            {
                "event_id": "01890000-0000-7000-8000-000000000001",
                "event_type": event_type,
                "schema_version": version,
                "occurred_at": "2026-03-02T02:00:00+00:00",
                "recorded_at": "2026-03-02T02:00:00+00:00",
                "producer": "qc",
                "aggregate_type": "Sample",
                "aggregate_id": "s1",
                "aggregate_version": 1,
                "institution_id": "i1",
                "region_code": "330106",
                "correlation_id": "c",
                "actor": {"subject": "s", "role": "system", "region_code": "000000"},
                "payload": payload,
            }
        ).encode()

    latest = body(2, {"sample_id": "s1", "laboratory": "A"})
    env, payload = decode_json(latest, "qc.LabNotedForTest")
    assert payload == LabNoted(sample_id="s1", laboratory="A")
    long_way = decode_json(latest)[0]  # no header: the envelope, then the payload
    assert env.model_dump(exclude={"payload"}) == long_way.model_dump(exclude={"payload"})
    # v1 on the wire: the one-pass decode refuses it, the long way upcasts it
    assert decode_json(body(1, {"sample_id": "s1", "lab": "B"}), "qc.LabNotedForTest")[1] == (
        LabNoted(sample_id="s1", laboratory="B")
    )
    # a header naming another type than the envelope's: the envelope's own type decides
    assert decode_json(latest, "qc.QcPlanGenerated")[1] == payload
    with pytest.raises(ValidationError):
        decode_json(body(2, {"sample_id": "s1"}), "qc.LabNotedForTest")
