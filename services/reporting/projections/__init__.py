"""Read models of the reporting service, one module per producing service."""

from __future__ import annotations

from contracts.envelope import EventPayload
from ohts_kit.consumer import Handler


def handling(handler: Handler, *types: type[EventPayload]) -> dict[str, Handler]:
    return {t.event_type: handler for t in types}
