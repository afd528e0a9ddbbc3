"""Referral of a violation clue to supervision (Q5), or of a place on the public list (Q6)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from contracts.envelope import EventPayload
from contracts.qc_v1 import QcFindingRecorded, ViolationClueReferred
from ohts_kit import regions
from ohts_kit.errors import Conflict
from services.qc.domain.conclusion import Conclusion

AGGREGATE = "Referral"


@dataclass(frozen=True)
class Referral:
    referral_id: str
    referred: bool = False
    institution_id: str = ""
    supervision_region_code: str = ""


def fold(referral_id: str, events: Iterable[EventPayload]) -> Referral:
    state = Referral(referral_id)
    for e in events:
        if isinstance(e, ViolationClueReferred):
            state = Referral(referral_id, True, e.institution_id, e.supervision_region_code)
    return state


def supervision_region(institution_region: str, province_code: str) -> str:
    """The supervision unit of the institution's own region, or of the province where an
    out-of-province institution worked."""
    return (
        institution_region
        if regions.province_of(institution_region) == province_code
        else province_code
    )


def _refer(
    s: Referral,
    institution_id: str,
    finding_id: str | None,
    category: str,
    description: str,
    evidence: list[str],
    supervision: str,
    reason: str,
    today: date,
) -> list[EventPayload]:
    if s.referred:
        raise Conflict(f"referral {s.referral_id} is already made")
    return [
        ViolationClueReferred(
            referral_id=s.referral_id,
            institution_id=institution_id,
            finding_id=finding_id,
            category=category,
            description=description,
            evidence_refs=evidence,
            supervision_region_code=supervision,
            reason=reason,
            referred_on=today,
        )
    ]


def of_finding(
    s: Referral, finding: QcFindingRecorded, supervision: str, today: date
) -> list[EventPayload]:
    """Q5: a finding that is a violation clue goes to supervision with its evidence."""
    return _refer(
        s,
        finding.institution_id,
        finding.finding_id,
        finding.category,
        finding.description,
        finding.evidence_refs,
        supervision,
        "finding",
        today,
    )


def of_listing(
    s: Referral, concluded: Conclusion, plan_id: str, supervision: str, today: date
) -> list[EventPayload]:
    """Q6: a place on the public list goes to supervision, the plan as its evidence."""
    if not concluded.on_public_list:
        return []
    refused = concluded.result == "refused"
    return _refer(
        s,
        concluded.institution_id,
        None,
        "refused-qc" if refused else "quality-management",
        f"{concluded.year}年度质控" + ("拒不参加" if refused else "不合格且逾期未整改"),
        [f"plan:{plan_id}"],
        supervision,
        "annual-public-list",
        today,
    )
