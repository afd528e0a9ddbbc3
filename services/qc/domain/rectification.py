"""Rectification item (问题台账, Q4): open → submitted → closed (销号), with rejection,
overdue by time, and reopening by a look-back re-check (回头看)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from contracts.envelope import EventPayload
from contracts.qc_v1 import (
    RectificationOverdue,
    RectificationRejected,
    RectificationReopened,
    RectificationRequired,
    RectificationSubmitted,
    RectificationVerified,
)
from ohts_kit.errors import Conflict, InvalidCommand

AGGREGATE = "RectificationItem"
# A look-back reopening (回头看) gives a new term, by default this many days; no seed fixes
# one, so it is the project's rule, and the QC centre may set another date.
LOOK_BACK_TERM_DAYS = 30


class State(StrEnum):
    NONE = "none"
    OPEN = "open"
    SUBMITTED = "submitted"
    CLOSED = "closed"


@dataclass(frozen=True)
class Item:
    item_id: str
    version: int = 0
    state: State = State.NONE
    institution_id: str = ""
    due_on: date | None = None
    overdue: bool = False


def evolve(s: Item, e: EventPayload) -> Item:
    s = replace(s, version=s.version + 1)
    match e:
        case RectificationRequired():
            return replace(s, state=State.OPEN, institution_id=e.institution_id, due_on=e.due_on)
        case RectificationSubmitted():
            return replace(s, state=State.SUBMITTED)
        case RectificationRejected():
            return replace(s, state=State.OPEN)
        case RectificationVerified():
            return replace(s, state=State.CLOSED)
        case RectificationOverdue():
            return replace(s, overdue=True)
        case RectificationReopened():
            return replace(s, state=State.OPEN, overdue=False, due_on=e.due_on or s.due_on)
    return s


def fold(item_id: str, events: Iterable[EventPayload]) -> Item:
    state = Item(item_id)
    for event in events:
        state = evolve(state, event)
    return state


def _require(s: Item, action: str, *allowed: State) -> None:
    if s.state not in allowed:
        raise Conflict(
            f"rectification item {s.item_id} is {s.state.value}; {action} needs "
            + " or ".join(a.value for a in allowed),
            rule="Q4 rectification ledger",
            details={"state": s.state.value},
        )


def require(
    s: Item, institution_id: str, finding_id: str, description: str, due_on: date, today: date
) -> list[EventPayload]:
    _require(s, "opening", State.NONE)
    if due_on <= today:
        raise InvalidCommand.of(
            "due_on", "in the future", f"due date {due_on} is not after {today}"
        )
    return [
        RectificationRequired(
            item_id=s.item_id,
            institution_id=institution_id,
            finding_id=finding_id,
            description=description,
            due_on=due_on,
        )
    ]


def submit(s: Item, text: str, attachments: list[str], today: date) -> list[EventPayload]:
    _require(s, "a submission", State.OPEN)
    return [
        RectificationSubmitted(
            item_id=s.item_id,
            institution_id=s.institution_id,
            text=text,
            attachment_refs=attachments,
            submitted_on=today,
        )
    ]


def verify(s: Item, today: date) -> list[EventPayload]:
    _require(s, "close-out", State.SUBMITTED)
    return [
        RectificationVerified(item_id=s.item_id, institution_id=s.institution_id, verified_on=today)
    ]


def reject(s: Item, reason: str, today: date) -> list[EventPayload]:
    _require(s, "rejection", State.SUBMITTED)
    return [
        RectificationRejected(
            item_id=s.item_id, institution_id=s.institution_id, reason=reason, rejected_on=today
        )
    ]


def mark_overdue(s: Item, today: date) -> list[EventPayload]:
    """Past its due date and not closed: overdue, once."""
    if s.state in (State.NONE, State.CLOSED) or s.overdue or s.due_on is None or today <= s.due_on:
        return []
    return [
        RectificationOverdue(
            item_id=s.item_id, institution_id=s.institution_id, due_on=s.due_on, overdue_on=today
        )
    ]


def reopen(s: Item, reason: str, today: date, due_on: date | None = None) -> list[EventPayload]:
    """A look-back re-check reopens a closed item with a new due date (default: the rule's
    term from today), so it is not overdue at once by its old date."""
    _require(s, "a look-back reopening", State.CLOSED)
    due = due_on or today + timedelta(days=LOOK_BACK_TERM_DAYS)
    if due <= today:
        raise InvalidCommand.of("due_on", "in the future", f"due date {due} is not after {today}")
    return [
        RectificationReopened(
            item_id=s.item_id,
            institution_id=s.institution_id,
            reason=reason,
            reopened_on=today,
            due_on=due,
        )
    ]
