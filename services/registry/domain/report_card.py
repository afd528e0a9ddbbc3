"""Service report card (技术服务信息报送卡, R8): one per completed project."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from contracts.envelope import EventPayload
from contracts.registry_v1 import ServiceReportCardFiled
from ohts_kit import regions
from ohts_kit.errors import Conflict, InvalidCommand, Violation
from ohts_kit.workdays import WorkCalendar
from services.registry.domain.commands import FileReportCard
from services.registry.domain.institution import LICENSED_KINDS, Institution
from services.registry.domain.policy import RegistryPolicy
from services.registry.domain.uscc import uscc_problem

AGGREGATE = "ReportCard"


@dataclass(frozen=True)
class ReportCard:
    card_id: str
    filed: bool = False


def fold(card_id: str, events: Iterable[EventPayload]) -> ReportCard:
    return ReportCard(card_id, any(isinstance(e, ServiceReportCardFiled) for e in events))


def file(
    card_id: str,
    already_filed: bool,
    holder: Institution,
    cmd: FileReportCard,
    unknown_staff: list[str],
    today: date,
    calendar: WorkCalendar,
    policy: RegistryPolicy,
    first_qualified: date | None = None,
) -> list[EventPayload]:
    if already_filed:
        raise Conflict(
            f"a card for report {cmd.report_number} is already filed",
            rule="R8 one card per project",
        )
    if not holder.registered or holder.kind not in LICENSED_KINDS:
        raise InvalidCommand.of(
            "institution_id", "technical service institution", "no such institution"
        )
    problems = []
    if reason := uscc_problem(cmd.client_uscc.upper()):
        problems.append(Violation("client_uscc", "GB 32100-2015 check character", reason))
    if not regions.is_valid(cmd.client_region_code):
        problems.append(Violation("client_region_code", "GB/T 2260", "unknown region code"))
    if cmd.completion_date > today:
        problems.append(
            Violation("completion_date", "not in the future", "project not completed yet")
        )
    if first_qualified is not None and cmd.completion_date < first_qualified:
        problems.append(
            Violation(
                "completion_date",
                "not before the first qualification",
                f"项目完成日期早于该机构首次取得资质的日期 {first_qualified}",
            )
        )
    if unknown_staff:
        problems.append(
            Violation(
                "staff_ids", "staff of the institution", f"not registered there: {unknown_staff}"
            )
        )
    if problems:
        raise InvalidCommand(*problems)
    due, _ = calendar.add_working_days(cmd.completion_date, policy.report_card_working_days)
    return [
        ServiceReportCardFiled(
            card_id=card_id,
            institution_id=holder.institution_id,
            report_number=cmd.report_number,
            service_kind=cmd.service_kind,
            client_name=cmd.client_name,
            client_uscc=cmd.client_uscc.upper(),
            client_region_code=cmd.client_region_code,
            completion_date=cmd.completion_date,
            staff_ids=cmd.staff_ids,
            filed_on=today,
            due_on=due,
            late=today > due,
        )
    ]
