"""Case (立案查处, E4–E6): opened → investigated → penalty decided → executed → closed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
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
    PracticeBanImposed,
    QualificationRevocationOrdered,
)
from contracts.envelope import EventPayload
from contracts.publicity import add_months, check_severity, publicity_of, suggest_severity
from ohts_kit.errors import Conflict, InvalidCommand
from services.enforcement.domain.dates import When, world_date
from services.enforcement.domain.law import check_penalty, statutory_table

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
    region_code: str | None = None  # F2: the place of the violation (None: older cases)
    opened_on: date | None = None
    investigated_on: date | None = None
    executed_on: date | None = None
    person_ref: str | None = None  # E6: the staff member the case targets
    person_masked_name: str | None = None


def evolve(s: Case, e: EventPayload) -> Case:
    s = replace(s, version=s.version + 1)
    match e:
        case CaseOpened():
            return replace(
                s,
                stage=Stage.OPENED,
                institution_id=e.institution_id,
                violation=e.violation,
                region_code=e.jurisdiction_region_code,
                opened_on=e.opened_on,
                person_ref=e.person_ref,
                person_masked_name=e.person_masked_name,
            )
        case CaseInvestigated():
            return replace(s, stage=Stage.INVESTIGATED, investigated_on=e.investigated_on)
        case PenaltyDecided():
            return replace(s, stage=Stage.PENALTY_DECIDED, penalty=e)
        case PenaltyExecuted():
            return replace(s, stage=Stage.EXECUTED, executed=True, executed_on=e.executed_on)
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


@dataclass(frozen=True)
class Target:
    """Where the case is handled (F2) and whom it targets besides the institution (E6)."""

    region_code: str | None = None
    person_ref: str | None = None
    person_masked_name: str | None = None


def open_case(
    s: Case,
    institution_id: str,
    violation: str,
    lead_id: str | None,
    today: date,
    *,
    when: When | None = None,
    lead_opened_on: date | None = None,
    target: Target = Target(),
) -> list[EventPayload]:
    _require(s, "opening", Stage.NONE)
    if violation not in statutory_table():
        raise InvalidCommand.of(
            "violation", "statutory violation", f"unknown violation {violation!r}"
        )
    opened_on = world_date("opened_on", when or When(None, today), ("线索登记日期", lead_opened_on))
    return [
        CaseOpened(
            case_id=s.case_id,
            institution_id=institution_id,
            violation=violation,
            opened_on=opened_on,
            lead_id=lead_id,
            jurisdiction_region_code=target.region_code,
            person_ref=target.person_ref,
            person_masked_name=target.person_masked_name,
        )
    ]


def investigate(
    s: Case, summary: str, today: date, *, when: When | None = None
) -> list[EventPayload]:
    _require(s, "investigation", Stage.OPENED)
    on = world_date("investigated_on", when or When(None, today), ("立案日期", s.opened_on))
    return [
        CaseInvestigated(
            case_id=s.case_id,
            institution_id=s.institution_id,
            summary=summary,
            investigated_on=on,
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
    decided_on: date | None = None  # F1: the date on the decision (None: today)
    severity: str | None = None  # P2: chosen by the authority (None: the suggestion)
    severity_basis: str | None = None
    banned_person: Target | None = None  # the banned staff member, resolved from the registry
    home_region_code: str | None = None  # F2: where the institution is registered


def _decided_on(s: Case, d: Decision, today: date, earliest: date | None) -> date:
    when = When(d.decided_on, today) if earliest is None else When(d.decided_on, today, earliest)
    return world_date(
        "decided_on", when, ("立案日期", s.opened_on), ("调查终结日期", s.investigated_on)
    )


def _severity(d: Decision, decided_on: date, threshold: Decimal, violation: str) -> tuple[str, str]:
    """P2: the authority's choice, checked against the rule in force; else the default."""
    try:
        suggested = suggest_severity(
            decided_on,
            d.penalties,
            d.fine_yuan,
            ban_years=d.ban_years,
            threshold_yuan=threshold,
            violation=violation,
        )
    except LookupError as exc:  # no publicity rule in force on that day
        raise InvalidCommand.of("decided_on", "P2 publicity rule in force", str(exc)) from exc
    if d.severity is None:
        return suggested, d.severity_basis or "默认建议（规则表）"
    try:
        check_severity(decided_on, d.severity)
    except ValueError as exc:
        raise InvalidCommand.of(
            "severity", "P2 severity class of the rule in force", str(exc)
        ) from exc
    if d.severity != suggested and not d.severity_basis:
        raise InvalidCommand.of(
            "severity_basis", "P2 basis of a chosen severity", "与建议等级不同时须说明依据"
        )
    return d.severity, d.severity_basis or "与建议等级一致"


def decide_penalty(
    s: Case,
    d: Decision,
    today: date,
    *,
    earliest: date | None = None,
    threshold: Decimal = Decimal(0),
) -> list[EventPayload]:
    _require(s, "a penalty decision", Stage.INVESTIGATED)
    decided_on = _decided_on(s, d, today, earliest)
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
    person = _person(s, d)
    if "practice-ban" in d.penalties and not (d.banned_staff_id or person.person_ref):
        raise InvalidCommand.of("banned_staff_id", "the person banned", "name the staff member")
    severity, basis = _severity(d, decided_on, threshold, s.violation)
    events: list[EventPayload] = [
        PenaltyDecided(
            case_id=s.case_id,
            institution_id=s.institution_id,
            decision_number=d.decision_number,
            decided_on=decided_on,
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
            jurisdiction_region_code=s.region_code,
            home_region_code=d.home_region_code,
            person_ref=person.person_ref,
            person_masked_name=person.person_masked_name,
            severity=severity,
            severity_basis=basis,
        )
    ]
    return events + _ban(s, d, person, decided_on) + _revocation(s, d, decided_on)


def _revocation(s: Case, d: Decision, decided_on: date) -> list[EventPayload]:
    """A revocation is carried out by the registry that granted the certificate (E6)."""
    if "revocation" not in d.penalties:
        return []
    assert d.certificate_number is not None
    return [
        QualificationRevocationOrdered(
            case_id=s.case_id,
            institution_id=s.institution_id,
            certificate_number=d.certificate_number,
            decision_number=d.decision_number,
            authority=d.authority,
            decided_on=decided_on,
        )
    ]


def _person(s: Case, d: Decision) -> Target:
    """E6: the person a penalty targets: the case's, or the staff member it bans."""
    if s.person_ref:
        return Target(None, s.person_ref, s.person_masked_name)
    if "practice-ban" in d.penalties and d.banned_person is not None:
        return d.banned_person
    return Target()


def _ban(s: Case, d: Decision, person: Target, decided_on: date) -> list[EventPayload]:
    if "practice-ban" not in d.penalties or not person.person_ref or not d.ban_years:
        return []
    return [
        PracticeBanImposed(
            case_id=s.case_id,
            institution_id=s.institution_id,
            person_ref=person.person_ref,
            person_masked_name=person.person_masked_name,
            decision_number=d.decision_number,
            starts_on=decided_on,
            ends_on=add_months(decided_on, 12 * d.ban_years),
        )
    ]


def execute(s: Case, today: date, *, when: When | None = None) -> list[EventPayload]:
    _require(s, "execution", Stage.PENALTY_DECIDED)
    assert s.penalty is not None
    on = world_date(
        "executed_on", when or When(None, today), ("处罚决定日期", s.penalty.decided_on)
    )
    return [PenaltyExecuted(case_id=s.case_id, institution_id=s.institution_id, executed_on=on)]


def close(s: Case, today: date, *, when: When | None = None) -> list[EventPayload]:
    # A case closes after execution, or without penalty after investigation.
    _require(s, "closing", Stage.EXECUTED, Stage.INVESTIGATED)
    on = world_date(
        "closed_on",
        when or When(None, today),
        ("执行日期", s.executed_on),
        ("调查终结日期", s.investigated_on),
    )
    return [CaseClosed(case_id=s.case_id, institution_id=s.institution_id, closed_on=on)]


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
    _repairable(p, fine_threshold_yuan, today)
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


def _repairable(p: PenaltyDecided, fine_threshold_yuan: Decimal, today: date) -> None:
    """The publicity rule of the decision allows early repair, and today is past its
    minimum period."""
    try:
        publicity = publicity_of(
            p.decided_on,
            p.penalties,
            p.fine_yuan,
            p.ban_years,
            fine_threshold_yuan,
            severity=p.severity,
            violation=p.violation,
        )
    except LookupError as exc:  # no publicity rule for that date (pub16 adds the older ones)
        raise Conflict(str(exc), rule="P2 publicity rule in force") from exc
    if not publicity.published:
        raise Conflict(
            f"decision {p.decision_number} is not published; nothing to repair", rule="P2"
        )
    if publicity.repair_from is None:
        raise Conflict(
            "no early credit repair for this decision: a revocation or a practice ban, or a"
            f" rule ({publicity.rule}) without a minimum publicity period",
            rule="P2 credit repair",
        )
    if today < publicity.repair_from:
        raise Conflict(
            f"credit repair is possible from {publicity.repair_from} (minimum publicity period"
            f" of rule {publicity.rule})",
            rule="P2 minimum publicity period",
            details={"repair_from": publicity.repair_from.isoformat()},
        )


def annul_penalty(
    s: Case,
    reason: str,
    today: date,
    *,
    when: When | None = None,
    withdraw_by: Callable[[date], date] | None = None,
) -> list[EventPayload]:
    """The decision is annulled or changed: its record stays, its publicity ends (P2),
    withdrawn from public view by `withdraw_by(annulled_on)` (3 working days)."""
    if s.penalty is None:
        raise Conflict(
            f"case {s.case_id} has no penalty decision to annul",
            rule="P2 annulment",
            details={"state": s.stage.value},
        )
    if s.annulled:
        raise Conflict(f"the decision of case {s.case_id} is already annulled", rule="P2")
    on = world_date(
        "annulled_on", when or When(None, today), ("处罚决定日期", s.penalty.decided_on)
    )
    return [
        PenaltyAnnulled(
            case_id=s.case_id,
            institution_id=s.institution_id,
            decision_number=s.penalty.decision_number,
            reason=reason,
            annulled_on=on,
            withdraw_by=withdraw_by(on) if withdraw_by else None,
        )
    ]
