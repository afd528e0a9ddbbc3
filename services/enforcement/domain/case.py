"""Case (立案查处, E4–E6): opened → investigated → penalty decided → executed → closed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from contracts.enforcement_v1 import (
    CaseClosed,
    CaseInvestigated,
    CaseOpened,
    CreditRepairGranted,
    PenaltyAnnulled,
    PenaltyDecided,
    PenaltyExecuted,
    QualificationRevocationOrdered,
)
from contracts.envelope import EventPayload
from contracts.publicity import publicity_of
from ohts_kit.errors import Conflict, InvalidCommand
from services.enforcement.domain.law import check_penalty

AGGREGATE = "Case"


class Stage(StrEnum):
    NONE = "none"
    OPENED = "opened"
    INVESTIGATED = "investigated"
    PENALTY_DECIDED = "penalty-decided"
    EXECUTED = "executed"
    CLOSED = "closed"


@dataclass(frozen=True)
class Case:
    case_id: str
    version: int = 0
    stage: Stage = Stage.NONE
    institution_id: str = ""
    violation: str = ""
    penalty: PenaltyDecided | None = None
    executed: bool = False
    repaired: bool = False
    annulled: bool = False


def evolve(s: Case, e: EventPayload) -> Case:
    s = replace(s, version=s.version + 1)
    match e:
        case CaseOpened():
            return replace(
                s, stage=Stage.OPENED, institution_id=e.institution_id, violation=e.violation
            )
        case CaseInvestigated():
            return replace(s, stage=Stage.INVESTIGATED)
        case PenaltyDecided():
            return replace(s, stage=Stage.PENALTY_DECIDED, penalty=e)
        case PenaltyExecuted():
            return replace(s, stage=Stage.EXECUTED, executed=True)
        case CreditRepairGranted():
            return replace(s, repaired=True)
        case PenaltyAnnulled():
            return replace(s, annulled=True)
        case CaseClosed():
            return replace(s, stage=Stage.CLOSED)
    return s


def fold(case_id: str, events: Iterable[EventPayload]) -> Case:
    state = Case(case_id)
    for event in events:
        state = evolve(state, event)
    return state


def _require(s: Case, action: str, *allowed: Stage) -> None:
    if s.stage not in allowed:
        raise Conflict(
            f"case {s.case_id} is {s.stage.value}; {action} needs "
            + " or ".join(a.value for a in allowed),
            rule="E4 case lifecycle",
            details={"state": s.stage.value},
        )


def open_case(
    s: Case, institution_id: str, violation: str, lead_id: str | None, today: date
) -> list[EventPayload]:
    _require(s, "opening", Stage.NONE)
    from services.enforcement.domain.law import statutory_table

    if violation not in statutory_table():
        raise InvalidCommand.of(
            "violation", "statutory violation", f"unknown violation {violation!r}"
        )
    return [
        CaseOpened(
            case_id=s.case_id,
            institution_id=institution_id,
            violation=violation,
            opened_on=today,
            lead_id=lead_id,
        )
    ]


def investigate(s: Case, summary: str, today: date) -> list[EventPayload]:
    _require(s, "investigation", Stage.OPENED)
    return [
        CaseInvestigated(
            case_id=s.case_id,
            institution_id=s.institution_id,
            summary=summary,
            investigated_on=today,
        )
    ]


@dataclass(frozen=True)
class Decision:
    decision_number: str
    authority: str
    penalties: list[str]
    fine_yuan: Decimal | None
    confiscation_yuan: Decimal | None
    illegal_gains_yuan: Decimal
    banned_staff_id: str | None
    ban_years: int | None
    certificate_number: str | None


def decide_penalty(s: Case, d: Decision, today: date) -> list[EventPayload]:
    _require(s, "a penalty decision", Stage.INVESTIGATED)
    row = check_penalty(
        s.violation,
        d.penalties,
        d.fine_yuan,
        d.confiscation_yuan,
        d.illegal_gains_yuan,
        d.ban_years,
    )
    if "revocation" in d.penalties and not d.certificate_number:
        raise InvalidCommand.of(
            "certificate_number", "the certificate to revoke", "name the certificate"
        )
    if "practice-ban" in d.penalties and not d.banned_staff_id:
        raise InvalidCommand.of("banned_staff_id", "the person banned", "name the staff member")
    events: list[EventPayload] = [
        PenaltyDecided(
            case_id=s.case_id,
            institution_id=s.institution_id,
            decision_number=d.decision_number,
            decided_on=today,
            authority=d.authority,
            violation=s.violation,
            legal_basis=row.legal_basis,
            penalties=d.penalties,
            fine_yuan=d.fine_yuan,
            confiscation_yuan=d.confiscation_yuan,
            illegal_gains_yuan=d.illegal_gains_yuan,
            banned_staff_id=d.banned_staff_id,
            ban_years=d.ban_years,
            certificate_number=d.certificate_number,
            range_confirmed=row.confirmed,
        )
    ]
    if "revocation" in d.penalties:
        assert d.certificate_number is not None
        events.append(
            QualificationRevocationOrdered(
                case_id=s.case_id,
                institution_id=s.institution_id,
                certificate_number=d.certificate_number,
                decision_number=d.decision_number,
                authority=d.authority,
                decided_on=today,
            )
        )
    return events


def execute(s: Case, today: date) -> list[EventPayload]:
    _require(s, "execution", Stage.PENALTY_DECIDED)
    return [PenaltyExecuted(case_id=s.case_id, institution_id=s.institution_id, executed_on=today)]


def close(s: Case, today: date) -> list[EventPayload]:
    # A case closes after execution, or without penalty after investigation.
    _require(s, "closing", Stage.EXECUTED, Stage.INVESTIGATED)
    return [CaseClosed(case_id=s.case_id, institution_id=s.institution_id, closed_on=today)]


def grant_credit_repair(
    s: Case,
    reason: str,
    harm_removed: bool,
    repeat_decisions: list[str],
    fine_threshold_yuan: Decimal,
    today: date,
) -> list[EventPayload]:
    """P2 (SAMR Order 45 art. 14): repair after the minimum period, the penalty fulfilled, the
    harm removed and no repeat violation of the same kind; never for revocation or a ban."""
    if s.penalty is None or not s.executed:
        raise Conflict(
            f"case {s.case_id} has no executed penalty; credit repair needs the penalty fulfilled",
            rule="P2 credit repair",
            details={"state": s.stage.value},
        )
    if s.repaired:
        raise Conflict(f"credit repair for case {s.case_id} was already granted", rule="P2")
    if s.annulled:
        raise Conflict(
            f"the decision of case {s.case_id} was annulled; nothing to repair", rule="P2"
        )
    p = s.penalty
    publicity = publicity_of(
        p.decided_on, p.penalties, p.fine_yuan, p.ban_years, fine_threshold_yuan
    )
    if not publicity.published:
        raise Conflict(
            f"decision {p.decision_number} is not published; nothing to repair", rule="P2"
        )
    if publicity.repair_from is None:
        raise Conflict(
            "no early credit repair after a revocation or a practice ban", rule="P2 credit repair"
        )
    if today < publicity.repair_from:
        raise Conflict(
            f"credit repair is possible from {publicity.repair_from} (minimum publicity period"
            f" of rule {publicity.rule})",
            rule="P2 minimum publicity period",
            details={"repair_from": publicity.repair_from.isoformat()},
        )
    if not harm_removed:
        raise InvalidCommand.of(
            "harm_removed", "harm removed", "credit repair needs the harm removed"
        )
    if repeat_decisions:
        raise Conflict(
            "the institution repeated the violation since: " + ", ".join(repeat_decisions),
            rule="P2 no repeat violation",
            details={"repeat_decisions": repeat_decisions},
        )
    return [
        CreditRepairGranted(
            case_id=s.case_id,
            institution_id=s.institution_id,
            decision_number=p.decision_number,
            reason=reason,
            granted_on=today,
        )
    ]


def annul_penalty(s: Case, reason: str, today: date) -> list[EventPayload]:
    """The decision is annulled or changed: its record stays, its publicity ends (P2)."""
    if s.penalty is None:
        raise Conflict(
            f"case {s.case_id} has no penalty decision to annul",
            rule="P2 annulment",
            details={"state": s.stage.value},
        )
    if s.annulled:
        raise Conflict(f"the decision of case {s.case_id} is already annulled", rule="P2")
    return [
        PenaltyAnnulled(
            case_id=s.case_id,
            institution_id=s.institution_id,
            decision_number=s.penalty.decision_number,
            reason=reason,
            annulled_on=today,
        )
    ]
