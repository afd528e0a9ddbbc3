"""Events the QC service publishes, version 1. Topic: `ohts.qc.events`."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from contracts.envelope import EventPayload, event


class _Item(EventPayload):
    aggregate_type: ClassVar[str] = "RectificationItem"

    item_id: str
    institution_id: str


@event
class RectificationRequired(_Item):
    """A finding opened a rectification item (Q4); it blocks renewal until verified (R4)."""

    event_type: ClassVar[str] = "qc.RectificationRequired"

    finding_id: str
    description: str
    due_on: date


@event
class RectificationVerified(_Item):
    event_type: ClassVar[str] = "qc.RectificationVerified"

    verified_on: date


@event
class RectificationReopened(_Item):
    event_type: ClassVar[str] = "qc.RectificationReopened"

    reason: str
    reopened_on: date


@event
class BlindSamplePassed(EventPayload):
    """A passed blind-sample assessment exempts the institution for 1 year (R6)."""

    event_type: ClassVar[str] = "qc.BlindSamplePassed"
    aggregate_type: ClassVar[str] = "QcActivity"

    activity_id: str
    institution_id: str
    passed_on: date
