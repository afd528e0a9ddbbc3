"""Integration events: the only code services share besides the platform kit.

Importing this package registers every event type.
"""

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
    "registry_v1",
]
