"""The envelope every integration event travels in, and the registry of event types.

Type strings are stable names (`registry.QualificationGranted`), never Python paths, so
moving a class never breaks a stored event. A breaking change is a new `schema_version`;
readers upcast older versions on read (`register_upcaster`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model


class Role(StrEnum):
    REGISTRY_AUTHORITY = "registry-authority"
    QC_CENTRE = "qc-centre"
    SUPERVISION_UNIT = "supervision-unit"
    INSTITUTION = "institution"
    SYSTEM = "system"


class Actor(BaseModel):
    """Who did it: taken from the verified token, never from a request body."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(description="user or system id from the token's `sub`")
    role: Role
    region_code: str = Field(description="jurisdiction of the actor (GB/T 2260 code)")
    institution_id: str | None = Field(None, description="set when role is institution")


class EventPayload(BaseModel):
    """Base of every event body. Subclasses set the two class variables."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str]


class Envelope(BaseModel):
    """What is published on Kafka: metadata plus the payload as JSON."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID = Field(description="UUIDv7")
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    producer: str
    aggregate_type: str
    aggregate_id: str
    aggregate_version: int
    institution_id: str = Field(
        description="Kafka key: all events about one institution stay in order"
    )
    region_code: str
    correlation_id: str
    causation_id: str | None = None
    actor: Actor
    payload: dict[str, Any]


class UnknownEventType(ValueError):
    pass


_TYPES: dict[tuple[str, int], type[EventPayload]] = {}
_LATEST: dict[str, int] = {}
_UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def event(cls: type[EventPayload]) -> type[EventPayload]:
    """Class decorator: register a payload type under its stable type string and version."""
    key = (cls.event_type, cls.schema_version)
    if key in _TYPES:
        raise ValueError(f"event type {key} registered twice")
    _TYPES[key] = cls
    _LATEST[cls.event_type] = max(_LATEST.get(cls.event_type, 0), cls.schema_version)
    return cls


def register_upcaster(
    event_type: str, from_version: int
) -> Callable[
    [Callable[[dict[str, Any]], dict[str, Any]]], Callable[[dict[str, Any]], dict[str, Any]]
]:
    def wrap(
        fn: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        _UPCASTERS[(event_type, from_version)] = fn
        return fn

    return wrap


def all_event_types() -> dict[tuple[str, int], type[EventPayload]]:
    return dict(_TYPES)


def decode_json(body: bytes | bytearray, event_type: str = "") -> tuple[Envelope, EventPayload]:
    """An envelope and its payload from a record's bytes. With the record's `event_type`
    header, one validation decodes both, as the payload's latest version; an older version
    (to be upcast) or a record that fails so is decoded the long way, which also tells an
    invalid envelope (ValidationError here) from an invalid payload (from decode_payload)."""
    typed = _typed_envelope(event_type) if event_type else None
    if typed is not None:
        try:
            envelope = typed.model_validate_json(body)
        except ValidationError:
            pass
        else:
            if (envelope.event_type, envelope.schema_version) == (event_type, _LATEST[event_type]):
                return envelope, envelope.payload  # type: ignore[return-value]
    envelope = Envelope.model_validate_json(body)
    return envelope, decode_payload(envelope.event_type, envelope.schema_version, envelope.payload)


@functools.cache
def _typed_envelope(event_type: str) -> type[Envelope] | None:
    """The envelope with the latest payload type of `event_type` in place of a dict."""
    payload = _TYPES.get((event_type, _LATEST.get(event_type, 0)))
    if payload is None:
        return None
    return create_model(f"{payload.__name__}Envelope", __base__=Envelope, payload=(payload, ...))


def decode_payload(event_type: str, schema_version: int, payload: dict[str, Any]) -> EventPayload:
    """Validate a stored or received payload, upcasting it to the latest version first."""
    if event_type not in _LATEST:
        raise UnknownEventType(f"unknown event type {event_type!r}")
    version = schema_version
    while version < _LATEST[event_type]:
        upcast = _UPCASTERS.get((event_type, version))
        if upcast is None:
            raise UnknownEventType(f"no upcaster for {event_type} v{version}")
        payload = upcast(payload)
        version += 1
    cls = _TYPES.get((event_type, version))
    if cls is None:
        raise UnknownEventType(f"unknown version {version} of {event_type!r}")
    return cls.model_validate(payload)
