"""Transfer to the judiciary (移送司法): a case with a suspected crime is transferred to the
public security organ (国务院令第310号 《行政执法机关移送涉嫌犯罪案件的规定》 Art. 3), and its
status is tracked until the judicial side concludes it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from contracts.enforcement_v1 import CaseTransferredToJudiciary, JudicialTransferStatusChanged
from contracts.envelope import EventPayload
from ohts_kit.errors import Conflict, InvalidCommand
from services.enforcement.domain.case import Case, Stage

AGGREGATE = "JudicialTransfer"
NOUN = "judicial transfer"

# status → the statuses it may move to (移送 → 立案 | 不予立案 | 退回; 立案 → 起诉 | 撤案 ...).
NEXT: dict[str, tuple[str, ...]] = {
    "transferred": ("accepted", "declined", "returned"),
    "accepted": ("prosecuted", "concluded"),
    "prosecuted": ("concluded",),
    "declined": (),
    "returned": (),
    "concluded": (),
}


@dataclass(frozen=True)
class Transfer:
    transfer_id: str
    version: int = 0
    status: str = ""
    case_id: str = ""
    institution_id: str = ""
    region_code: str = ""  # the transferring jurisdiction: checked by the unit of work
    transferred_on: date | None = None


def evolve(s: Transfer, e: EventPayload) -> Transfer:
    s = replace(s, version=s.version + 1)
    match e:
        case CaseTransferredToJudiciary():
            return replace(
                s,
                status="transferred",
                case_id=e.case_id,
                institution_id=e.institution_id,
                region_code=e.jurisdiction_region_code,
                transferred_on=e.transferred_on,
            )
        case JudicialTransferStatusChanged():
            return replace(s, status=e.status)
    return s


def fold(transfer_id: str, events: Iterable[EventPayload]) -> Transfer:
    state = Transfer(transfer_id)
    for event in events:
        state = evolve(state, event)
    return state


def transfer(
    s: Transfer,
    case: Case,
    receiving_authority: str,
    suspected_offence: str,
    transferred_on: date,
    region: str,
    today: date,
) -> list[EventPayload]:
    if case.stage in (Stage.NONE,):
        raise InvalidCommand.of("case_id", "an opened case", f"no case {case.case_id}")
    if case.stage is Stage.CLOSED:
        raise Conflict(
            f"case {case.case_id} is closed",
            rule="移送司法 of an open case",
            details={"state": "closed"},
        )
    if transferred_on > today:
        raise InvalidCommand.of(
            "transferred_on", "not in the future", f"{transferred_on} is after {today}"
        )
    return [
        CaseTransferredToJudiciary(
            transfer_id=s.transfer_id,
            case_id=case.case_id,
            institution_id=case.institution_id,
            receiving_authority=receiving_authority,
            suspected_offence=suspected_offence,
            transferred_on=transferred_on,
            jurisdiction_region_code=region,
        )
    ]


def change_status(s: Transfer, status: str, on: date, note: str, today: date) -> list[EventPayload]:
    allowed = NEXT.get(s.status, ())
    if status not in allowed:
        raise Conflict(
            f"judicial transfer {s.transfer_id} is {s.status}; it may become "
            + (" | ".join(allowed) or "nothing else"),
            rule="移送司法 status",
            details={"state": s.status},
        )
    if on > today or (s.transferred_on is not None and on < s.transferred_on):
        raise InvalidCommand.of("on", "between the transfer and today", f"{on} is outside it")
    return [
        JudicialTransferStatusChanged(
            transfer_id=s.transfer_id,
            case_id=s.case_id,
            institution_id=s.institution_id,
            status=status,
            on=on,
            note=note,
        )
    ]
