"""Qualification aggregate (资质): one certificate's lifecycle (R1, R2, R3, R4, R5).

applied → under review → granted | rejected; granted → renewal accepted → renewed;
granted → changed | cancelled | revoked | withdrawn | expired. One grade, nationwide (R1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from contracts.envelope import EventPayload
from contracts.registry_v1 import (
    QualificationApplied,
    QualificationCancelled,
    QualificationChanged,
    QualificationDecisionPublished,
    QualificationExpired,
    QualificationGranted,
    QualificationKind,
    QualificationRejected,
    QualificationRenewalAccepted,
    QualificationRenewalRejected,
    QualificationRenewed,
    QualificationReviewStarted,
    QualificationRevoked,
    QualificationWithdrawn,
)
from ohts_kit.errors import Conflict, InvalidCommand, Violation
from ohts_kit.workdays import WorkCalendar, china_date
from ohts_kit.world_dates import EARLIEST, world_date, world_instant
from services.registry.domain.blocking import BlockingItem, not_blocked
from services.registry.domain.institution import LICENSED_KINDS, Institution
from services.registry.domain.policy import RegistryPolicy
from services.registry.domain.scopes import check_scopes, convert_scopes

AGGREGATE = "Qualification"


class Status(StrEnum):
    NONE = "none"
    APPLIED = "applied"
    UNDER_REVIEW = "under-review"
    GRANTED = "granted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    REVOKED = "revoked"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


# Events that are qualification decisions (R3: each is published within 20 working days).
DECISIONS: dict[type[EventPayload], str] = {
    QualificationGranted: "granted",
    QualificationRejected: "rejected",
    QualificationRenewed: "renewed",
    QualificationRenewalRejected: "renewal-rejected",
    QualificationChanged: "changed",
    QualificationCancelled: "cancelled",
    QualificationRevoked: "revoked",
    QualificationWithdrawn: "withdrawn",
}


@dataclass(frozen=True)
class Qualification:
    qualification_id: str
    version: int = 0
    status: Status = Status.NONE
    institution_id: str = ""
    kind: QualificationKind | None = None
    scope_codes: tuple[str, ...] = ()
    certificate_number: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    renewal_pending: bool = False
    renewal_scope_codes: tuple[str, ...] = ()
    published: frozenset[str] = frozenset()
    applied_on: date | None = None  # F1: the world date of the application


def evolve(s: Qualification, e: EventPayload) -> Qualification:
    s = replace(s, version=s.version + 1)
    match e:
        case QualificationApplied():
            return replace(
                s,
                status=Status.APPLIED,
                institution_id=e.institution_id,
                kind=e.kind,
                scope_codes=tuple(e.scope_codes),
                applied_on=china_date(e.applied_at),
            )
        case QualificationReviewStarted():
            return replace(s, status=Status.UNDER_REVIEW)
        case QualificationGranted():
            return replace(
                s,
                status=Status.GRANTED,
                institution_id=e.institution_id,
                kind=e.kind,
                scope_codes=tuple(e.scope_codes),
                certificate_number=e.certificate_number,
                valid_from=e.valid_from,
                valid_until=e.valid_until,
            )
        case QualificationRejected():
            return replace(s, status=Status.REJECTED)
        case QualificationRenewalAccepted():
            return replace(s, renewal_pending=True, renewal_scope_codes=tuple(e.scope_codes))
        case QualificationRenewed():
            return replace(
                s,
                renewal_pending=False,
                scope_codes=tuple(e.scope_codes),
                certificate_number=e.certificate_number,
                valid_from=e.valid_from,
                valid_until=e.valid_until,
            )
        case QualificationRenewalRejected():
            return replace(s, renewal_pending=False)
        case QualificationChanged():
            return replace(s, scope_codes=s.scope_codes + tuple(e.added_scope_codes))
        case QualificationCancelled():
            return replace(s, status=Status.CANCELLED, renewal_pending=False)
        case QualificationRevoked():
            return replace(s, status=Status.REVOKED, renewal_pending=False)
        case QualificationWithdrawn():
            return replace(s, status=Status.WITHDRAWN, renewal_pending=False)
        case QualificationExpired():
            return replace(s, status=Status.EXPIRED)
        case QualificationDecisionPublished():
            return replace(s, published=s.published | {e.decision_event_id})
    return s


def fold(qualification_id: str, events: Iterable[EventPayload]) -> Qualification:
    state = Qualification(qualification_id)
    for event in events:
        state = evolve(state, event)
    return state


def _require(s: Qualification, action: str, *allowed: Status) -> None:
    if s.status not in allowed:
        raise Conflict(
            f"qualification {s.qualification_id} is {s.status.value}; {action} needs "
            + " or ".join(a.value for a in allowed),
            rule="R2 lifecycle",
            details={"state": s.status.value},
        )


_not_blocked = not_blocked


def apply(
    s: Qualification,
    holder: Institution,
    kind: QualificationKind,
    scopes: list[str],
    now: datetime,
    applied_on: date | None = None,
    earliest: date = EARLIEST,
) -> list[EventPayload]:
    _require(s, "apply", Status.NONE)
    day = world_date("applied_on", applied_on, china_date(now), earliest)
    if not holder.registered:
        raise InvalidCommand.of("institution_id", "registered institution", "no such institution")
    if holder.kind not in LICENSED_KINDS:
        raise InvalidCommand.of(
            "institution_id",
            "licensed kind",
            f"a {holder.kind} institution is filed (备案), not granted a qualification",
        )
    check_scopes(scopes, kind)
    return [
        QualificationApplied(
            qualification_id=s.qualification_id,
            institution_id=holder.institution_id,
            kind=kind,
            scope_codes=scopes,
            applied_at=world_instant(day, now),
        )
    ]


def start_review(s: Qualification, now: datetime) -> list[EventPayload]:
    _require(s, "review", Status.APPLIED)
    return [
        QualificationReviewStarted(
            qualification_id=s.qualification_id, institution_id=s.institution_id, started_at=now
        )
    ]


def default_valid_until(valid_from: date, policy: RegistryPolicy) -> date:
    try:
        end = valid_from.replace(year=valid_from.year + policy.validity_years)
    except ValueError:  # 29 February
        end = valid_from.replace(year=valid_from.year + policy.validity_years, day=28)
    return end - timedelta(days=1)


def grant(
    s: Qualification,
    certificate_number: str,
    valid_from: date,
    valid_until: date | None,
    conditions: Sequence[str],
    now: datetime,
    authority: str,
    policy: RegistryPolicy,
    granted_on: date | None = None,
) -> list[EventPayload]:
    """`conditions`: the R6a conditions the institution does not meet (must be none);
    `granted_on`: the decision's world date (F1), not before the application."""
    _require(s, "grant", Status.UNDER_REVIEW)
    day = world_date(
        "granted_on",
        granted_on,
        china_date(now),
        policy.earliest_fact_date,
        ("申请日期", s.applied_on),
    )
    until = valid_until or default_valid_until(valid_from, policy)
    if until <= valid_from:
        raise InvalidCommand.of(
            "valid_until", "after valid_from", "validity must end after it starts"
        )
    if conditions:
        raise InvalidCommand(
            *(Violation("institution_id", "R6a conditions maintained", c) for c in conditions)
        )
    assert s.kind is not None
    return [
        QualificationGranted(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            certificate_number=certificate_number,
            kind=s.kind,
            scope_codes=list(s.scope_codes),
            valid_from=valid_from,
            valid_until=until,
            decided_at=world_instant(day, now),
            issuing_authority=authority,
        )
    ]


def reject(s: Qualification, reason: str, now: datetime) -> list[EventPayload]:
    _require(s, "reject", Status.APPLIED, Status.UNDER_REVIEW)
    return [
        QualificationRejected(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            reason=reason,
            decided_at=now,
        )
    ]


def accept_renewal(
    s: Qualification, scopes: list[str] | None, blocking: Sequence[BlockingItem], now: datetime
) -> list[EventPayload]:
    _require(s, "renewal", Status.GRANTED)
    if s.renewal_pending:
        raise Conflict(
            f"a renewal of {s.qualification_id} is already pending",
            rule="R2 lifecycle",
            details={"state": "renewal-pending"},
        )
    assert s.valid_until is not None and s.kind is not None
    if china_date(now) > s.valid_until:
        raise Conflict(
            f"certificate {s.certificate_number} expired on {s.valid_until}; apply anew",
            rule="R2 renewal before expiry",
            details={"state": "expired"},
        )
    _not_blocked("renewal", blocking)
    converted = convert_scopes(scopes if scopes is not None else list(s.scope_codes))
    check_scopes(converted, s.kind)
    return [
        QualificationRenewalAccepted(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            accepted_at=now,
            scope_codes=converted,
        )
    ]


def renew(
    s: Qualification, certificate_number: str | None, now: datetime, policy: RegistryPolicy
) -> list[EventPayload]:
    _require(s, "renewal decision", Status.GRANTED)
    if not s.renewal_pending:
        raise Conflict(
            f"no renewal of {s.qualification_id} is pending",
            rule="R2 lifecycle",
            details={"state": s.status.value},
        )
    assert s.valid_until is not None
    start = s.valid_until + timedelta(days=1)
    return [
        QualificationRenewed(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            certificate_number=certificate_number or s.certificate_number,
            scope_codes=list(s.renewal_scope_codes),
            valid_from=start,
            valid_until=default_valid_until(start, policy),
            decided_at=now,
        )
    ]


def issuing_authority(events: Iterable[EventPayload]) -> str:
    """The authority that granted the certificate (empty if it was never granted)."""
    granted = [e for e in events if isinstance(e, QualificationGranted)]
    return granted[-1].issuing_authority if granted else ""


def decide_renewal(
    s: Qualification,
    approve: bool,
    certificate_number: str | None,
    reason: str | None,
    now: datetime,
    policy: RegistryPolicy,
) -> list[EventPayload]:
    """A pending renewal is approved, or refused with its reason."""
    if approve:
        return renew(s, certificate_number, now, policy)
    if not reason:
        raise InvalidCommand.of("reason", "required to refuse", "give the reason for refusal")
    return reject_renewal(s, reason, now)


def reject_renewal(s: Qualification, reason: str, now: datetime) -> list[EventPayload]:
    _require(s, "renewal decision", Status.GRANTED)
    if not s.renewal_pending:
        raise Conflict(
            f"no renewal of {s.qualification_id} is pending",
            rule="R2 lifecycle",
            details={"state": s.status.value},
        )
    return [
        QualificationRenewalRejected(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            reason=reason,
            decided_at=now,
        )
    ]


def change(
    s: Qualification,
    added_scopes: list[str],
    name: str | None,
    address: str | None,
    legal_representative: str | None,
    blocking: Sequence[BlockingItem],
    now: datetime,
) -> list[EventPayload]:
    _require(s, "change", Status.GRANTED)
    _not_blocked("change", blocking)
    assert s.kind is not None
    if not (added_scopes or name or address or legal_representative):
        raise InvalidCommand.of("body", "something to change", "nothing to change was given")
    check_scopes(added_scopes, s.kind, "added_scope_codes")
    already = [c for c in added_scopes if c in s.scope_codes]
    if already:
        raise InvalidCommand.of("added_scope_codes", "new scope", f"already in scope: {already}")
    return [
        QualificationChanged(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            added_scope_codes=added_scopes,
            name=name,
            address=address,
            legal_representative=legal_representative,
            decided_at=now,
        )
    ]


def cancel(
    s: Qualification, reason: str, blocking: Sequence[BlockingItem], now: datetime
) -> list[EventPayload]:
    _require(s, "cancellation", Status.GRANTED)
    _not_blocked("cancellation", blocking)
    return [
        QualificationCancelled(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            reason=reason,
            decided_at=now,
        )
    ]


def revoke(
    s: Qualification, case_id: str, decision_number: str, authority: str, now: datetime
) -> list[EventPayload]:
    if s.status is Status.REVOKED:
        return []  # already carried out (an order delivered again)
    _require(s, "revocation", Status.GRANTED)
    return [
        QualificationRevoked(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            decision_number=decision_number,
            authority=authority,
            case_id=case_id,
            decided_at=now,
        )
    ]


def withdraw(s: Qualification, reason: str, now: datetime) -> list[EventPayload]:
    _require(s, "withdrawal", Status.GRANTED)
    return [
        QualificationWithdrawn(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            reason=reason,
            decided_at=now,
        )
    ]


def expire(s: Qualification, today: date) -> list[EventPayload]:
    """Expiry by time; a renewal accepted before expiry keeps the certificate valid (R2)."""
    if s.status is not Status.GRANTED or s.renewal_pending:
        return []
    assert s.valid_until is not None
    if today <= s.valid_until:
        return []
    return [
        QualificationExpired(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            expired_on=s.valid_until + timedelta(days=1),
        )
    ]


def publish_decision(
    s: Qualification,
    decision_event_id: str,
    decision: EventPayload,
    published_at: datetime,
    calendar: WorkCalendar,
) -> list[EventPayload]:
    decision_type = DECISIONS.get(type(decision))
    if decision_type is None:
        raise InvalidCommand.of(
            "decision_event_id",
            "a qualification decision",
            f"{decision.event_type} is not a decision",
        )
    if decision_event_id in s.published:
        raise Conflict(f"decision {decision_event_id} is already published", rule="R3 publish once")
    decided_at: datetime = decision.decided_at  # type: ignore[attr-defined]
    if published_at < decided_at:
        raise InvalidCommand.of(
            "published_at", "not before the decision", "publication cannot precede the decision"
        )
    lag = calendar.working_days_between(china_date(decided_at), china_date(published_at))
    return [
        QualificationDecisionPublished(
            qualification_id=s.qualification_id,
            institution_id=s.institution_id,
            decision_event_id=decision_event_id,
            decision_type=decision_type,
            decided_at=decided_at,
            published_at=published_at,
            lag_working_days=lag.days,
            provisional=lag.provisional,
        )
    ]
