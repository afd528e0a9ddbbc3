"""QC follow-up measures (Guangxi §三(三)): 约谈 (interview), 集中点评 (group review) and
督办整改 (supervised rectification), recorded against an institution with their dates and
outcomes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from contracts.envelope import EventPayload
from contracts.qc_v1 import QcFollowUpConcluded, QcFollowUpRecorded
from ohts_kit.errors import Conflict, InvalidCommand

AGGREGATE = "QcFollowUp"
NOUN = "follow-up"
KINDS = {"interview": "约谈", "group-review": "集中点评", "supervised-rectification": "督办整改"}


@dataclass(frozen=True)
class FollowUp:
    follow_up_id: str
    recorded: bool = False
    institution_id: str = ""
    held_on: date | None = None
    concluded: bool = False


def fold(follow_up_id: str, events: Iterable[EventPayload]) -> FollowUp:
    s = FollowUp(follow_up_id)
    for e in events:
        if isinstance(e, QcFollowUpRecorded):
            s = FollowUp(follow_up_id, True, e.institution_id, e.held_on, e.outcome is not None)
        elif isinstance(e, QcFollowUpConcluded):
            s = FollowUp(follow_up_id, True, s.institution_id, s.held_on, True)
    return s


@dataclass(frozen=True)
class Measure:
    institution_id: str
    kind: str
    held_on: date
    subject: str
    outcome: str | None
    due_on: date | None


def record(s: FollowUp, m: Measure, province_code: str, today: date) -> list[EventPayload]:
    if s.recorded:
        raise Conflict(f"follow-up {s.follow_up_id} is already recorded")
    if m.kind not in KINDS:
        raise InvalidCommand.of("kind", " | ".join(KINDS), f"unknown kind {m.kind!r}")
    if m.held_on > today:
        raise InvalidCommand.of("held_on", "not in the future", f"{m.held_on} is after {today}")
    if m.kind == "supervised-rectification" and (m.due_on is None or m.due_on <= m.held_on):
        raise InvalidCommand.of(
            "due_on", "督办整改 has a deadline after it is ordered", "due_on missing or too early"
        )
    return [
        QcFollowUpRecorded(
            follow_up_id=s.follow_up_id,
            institution_id=m.institution_id,
            kind=m.kind,
            held_on=m.held_on,
            subject=m.subject,
            outcome=m.outcome,
            due_on=m.due_on,
            province_code=province_code,
            recorded_on=today,
        )
    ]


def conclude(s: FollowUp, outcome: str, concluded_on: date, today: date) -> list[EventPayload]:
    if s.concluded:
        raise Conflict(
            f"follow-up {s.follow_up_id} has its outcome", details={"state": "concluded"}
        )
    if concluded_on > today or (s.held_on is not None and concluded_on < s.held_on):
        raise InvalidCommand.of(
            "concluded_on", "between the measure and today", f"{concluded_on} is out of range"
        )
    return [
        QcFollowUpConcluded(
            follow_up_id=s.follow_up_id,
            institution_id=s.institution_id,
            outcome=outcome,
            concluded_on=concluded_on,
        )
    ]
