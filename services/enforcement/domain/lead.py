"""Lead (线索, E4): where a case may start."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from contracts.enforcement_v1 import LeadOpened, ReferralAcknowledged
from contracts.envelope import EventPayload
from contracts.qc_v1 import ViolationClueReferred

AGGREGATE = "Lead"


@dataclass(frozen=True)
class Lead:
    lead_id: str
    version: int = 0
    open: bool = False
    institution_id: str = ""


def evolve(s: Lead, e: EventPayload) -> Lead:
    s = replace(s, version=s.version + 1)
    if isinstance(e, LeadOpened):
        return replace(s, open=True, institution_id=e.institution_id)
    return s


def fold(lead_id: str, events: Iterable[EventPayload]) -> Lead:
    state = Lead(lead_id)
    for event in events:
        state = evolve(state, event)
    return state


def from_referral(lead_id: str, referral: ViolationClueReferred, today: date) -> list[EventPayload]:
    """A QC referral becomes a lead, and its receipt is acknowledged (Q5)."""
    return [
        LeadOpened(
            lead_id=lead_id,
            institution_id=referral.institution_id,
            source="qc-referral",
            source_ref=referral.referral_id,
            category=referral.category,
            description=referral.description,
            jurisdiction_region_code=referral.supervision_region_code,
            opened_on=today,
        ),
        ReferralAcknowledged(
            referral_id=referral.referral_id,
            institution_id=referral.institution_id,
            lead_id=lead_id,
            acknowledged_on=today,
        ),
    ]
