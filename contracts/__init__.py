"""Integration events: the only code services share besides the platform kit.

Importing this package registers every event type.
"""

from contracts import enforcement_v1 as enforcement_v1
from contracts import qc_v1 as qc_v1
from contracts import registry_v1 as registry_v1
from contracts.envelope import (
    Actor,
    Envelope,
    EventPayload,
    Role,
    UnknownEventType,
    all_event_types,
    decode_payload,
)

__all__ = [
    "Actor",
    "Envelope",
    "EventPayload",
    "Role",
    "UnknownEventType",
    "all_event_types",
    "decode_payload",
    "enforcement_v1",
    "qc_v1",
    "registry_v1",
]
