"""Self-inspection campaign (自查自改, Hangzhou plan, seed 000): launched for a region with a
deadline; each institution of the region reports once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from contracts.envelope import EventPayload
from contracts.registry_v1 import SelfInspectionCampaignLaunched, SelfInspectionReported
from ohts_kit import regions
from ohts_kit.errors import Conflict, InvalidCommand
from services.registry.domain.commands import LaunchSelfInspection, ReportSelfInspection
from services.registry.domain.institution import Institution

AGGREGATE = "SelfInspectionCampaign"
NOUN = "self-inspection campaign"


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    version: int = 0
    launched: bool = False
    region_code: str = ""
    deadline: date | None = None
    reported: frozenset[str] = frozenset()


def evolve(s: Campaign, e: EventPayload) -> Campaign:
    s = replace(s, version=s.version + 1)
    if isinstance(e, SelfInspectionCampaignLaunched):
        return replace(s, launched=True, region_code=e.region_code, deadline=e.deadline)
    if isinstance(e, SelfInspectionReported):
        return replace(s, reported=s.reported | {e.institution_id})
    return s


def fold(campaign_id: str, events: Iterable[EventPayload]) -> Campaign:
    state = Campaign(campaign_id)
    for event in events:
        state = evolve(state, event)
    return state


def launch(s: Campaign, cmd: LaunchSelfInspection, today: date) -> list[EventPayload]:
    if s.launched:
        raise Conflict(f"campaign {s.campaign_id} already exists")
    if not regions.is_valid(cmd.region_code):
        raise InvalidCommand.of("region_code", "GB/T 2260", f"unknown region {cmd.region_code}")
    if cmd.period_to < cmd.period_from:
        raise InvalidCommand.of("period_to", "period_to >= period_from", "the period ends first")
    if cmd.deadline < today:
        raise InvalidCommand.of("deadline", "not in the past", f"{cmd.deadline} has passed")
    return [
        SelfInspectionCampaignLaunched(
            campaign_id=s.campaign_id,
            title=cmd.title,
            region_code=cmd.region_code,
            period_from=cmd.period_from,
            period_to=cmd.period_to,
            deadline=cmd.deadline,
            launched_on=today,
        )
    ]


def report(
    s: Campaign, holder: Institution, cmd: ReportSelfInspection, today: date
) -> list[EventPayload]:
    assert s.deadline is not None
    if not regions.covers(s.region_code, holder.region_code):
        raise InvalidCommand.of(
            "institution_id",
            "institution in the campaign's region",
            f"the institution is in {holder.region_code}, the campaign covers {s.region_code}",
        )
    if holder.institution_id in s.reported:
        raise Conflict(
            "this institution has already reported for the campaign",
            rule="one self-inspection report per institution",
        )
    return [
        SelfInspectionReported(
            campaign_id=s.campaign_id,
            institution_id=holder.institution_id,
            technical_staff=cmd.technical_staff,
            detection_reports=cmd.detection_reports,
            evaluation_reports=cmd.evaluation_reports,
            detection_report_problems=cmd.detection_report_problems,
            evaluation_report_problems=cmd.evaluation_report_problems,
            problems=cmd.problems,
            notes=cmd.notes,
            submitted_on=today,
            late=today > s.deadline,
        )
    ]
