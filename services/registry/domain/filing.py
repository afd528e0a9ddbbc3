"""Out-of-province filing (外省机构登记, R7) and its semi-annual work summaries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from contracts.envelope import EventPayload
from contracts.registry_v1 import (
    Contact,
    OutOfProvinceFilingRegistered,
    ProjectSummary,
    WorkSummarySubmitted,
)
from ohts_kit import regions
from ohts_kit.errors import Conflict, InvalidCommand
from ohts_kit.workdays import china_date
from ohts_kit.world_dates import EARLIEST, world_date, world_instant
from services.registry.domain.commands import FileOutOfProvince, SubmitWorkSummary
from services.registry.domain.institution import Institution
from services.registry.domain.qualification import Qualification, Status

AGGREGATE = "Filing"


@dataclass(frozen=True)
class Filing:
    filing_id: str
    version: int = 0
    filed: bool = False
    institution_id: str = ""
    province_code: str = ""
    periods: frozenset[str] = frozenset()


def evolve(s: Filing, e: EventPayload) -> Filing:
    s = replace(s, version=s.version + 1)
    if isinstance(e, OutOfProvinceFilingRegistered):
        return replace(
            s, filed=True, institution_id=e.institution_id, province_code=e.province_code
        )
    if isinstance(e, WorkSummarySubmitted):
        return replace(s, periods=s.periods | {e.period})
    return s


def fold(filing_id: str, events: Iterable[EventPayload]) -> Filing:
    state = Filing(filing_id)
    for event in events:
        state = evolve(state, event)
    return state


def summary_due(period: str) -> date:
    """H1 (Jan–Jun) is due 31 Jul; H2 (Jul–Dec) 31 Jan of the next year (Yunnan, seed 001)."""
    year, half = int(period[:4]), period[5]
    return date(year, 7, 31) if half == "1" else date(year + 1, 1, 31)


def register(
    s: Filing,
    holder: Institution,
    certificate: Qualification,
    cmd: FileOutOfProvince,
    issuing_authority: str,
    now: datetime,
    earliest: date = EARLIEST,
) -> list[EventPayload]:
    """`cmd.filed_on`: the filing's world date (F1); the certificate is checked on it."""
    if s.filed:
        raise Conflict(f"filing {s.filing_id} already exists")
    if not holder.registered:
        raise InvalidCommand.of("institution_id", "registered institution", "no such institution")
    if not regions.is_valid(cmd.province_code):
        raise InvalidCommand.of(
            "province_code", "GB/T 2260", f"unknown province {cmd.province_code}"
        )
    _check_work_region(cmd)
    if cmd.province_code == holder.province:
        raise InvalidCommand.of(
            "province_code",
            "another province",
            "an institution files only outside its own province",
        )
    if certificate.institution_id != holder.institution_id:
        raise InvalidCommand.of(
            "certificate_number",
            "certificate of the institution",
            "the certificate is another holder's",
        )
    today = world_date(
        "filed_on",
        cmd.filed_on,
        china_date(now),
        earliest,
        ("资质证书有效期起始日", certificate.valid_from),
    )
    _check_valid_on(certificate, today)
    assert certificate.valid_until is not None
    return [
        OutOfProvinceFilingRegistered(
            filing_id=s.filing_id,
            institution_id=holder.institution_id,
            province_code=cmd.province_code,
            certificate_number=certificate.certificate_number,
            issuing_authority=issuing_authority,
            valid_until=certificate.valid_until,
            scope_codes=list(certificate.scope_codes),
            contacts=[Contact(**c.model_dump()) for c in cmd.contacts],
            receiving_qc_centre=cmd.receiving_qc_centre,
            filed_at=world_instant(today, now),
            work_region_code=cmd.work_region_code,
            work_place_authority=cmd.work_place_authority,
            receiving_official=cmd.receiving_official,
            receiving_official_phone=cmd.receiving_official_phone,
        )
    ]


def _check_valid_on(certificate: Qualification, today: date) -> None:
    """R7: a filing needs a certificate valid on the filing's date (a pending renewal keeps
    an expired one valid until decided)."""
    if certificate.status is not Status.GRANTED or (
        certificate.valid_until is not None
        and today > certificate.valid_until
        and not certificate.renewal_pending
    ):
        state = (
            "expired"
            if certificate.status in (Status.GRANTED, Status.EXPIRED)
            else certificate.status.value
        )
        raise InvalidCommand.of(
            "certificate_number",
            "R7 valid certificate",
            f"certificate {certificate.certificate_number} is {state}; a filing needs a valid one",
        )


def _check_work_region(cmd: FileOutOfProvince) -> None:
    """Yunnan 附表2: the work place (and its health authority) lies in the province filed."""
    if cmd.work_region_code is not None and not (
        regions.is_valid(cmd.work_region_code)
        and regions.province_of(cmd.work_region_code) == cmd.province_code
    ):
        raise InvalidCommand.of(
            "work_region_code",
            "a region of the province worked in",
            f"{cmd.work_region_code} is not a region of {cmd.province_code}",
        )


def submit_summary(s: Filing, cmd: SubmitWorkSummary, today: date) -> list[EventPayload]:
    if not s.filed:
        raise InvalidCommand.of("filing_id", "existing filing", "no such filing")
    if cmd.period in s.periods:
        raise Conflict(
            f"the {cmd.period} summary of filing {s.filing_id} is already submitted",
            rule="one summary per half year",
        )
    year, half = int(cmd.period[:4]), cmd.period[5]
    period_end = date(year, 6, 30) if half == "1" else date(year, 12, 31)
    if today <= period_end:
        raise InvalidCommand.of("period", "period ended", f"{cmd.period} has not ended yet")
    start = date(year, 1, 1) if half == "1" else date(year, 7, 1)
    for i, p in enumerate(cmd.projects):
        if not start <= p.completion_date <= period_end:
            raise InvalidCommand.of(
                f"projects.{i}.completion_date", "inside the period", f"not in {cmd.period}"
            )
    due = summary_due(cmd.period)
    return [
        WorkSummarySubmitted(
            filing_id=s.filing_id,
            institution_id=s.institution_id,
            period=cmd.period,
            projects=[ProjectSummary(**p.model_dump()) for p in cmd.projects],
            submitted_on=today,
            due_on=due,
            late=today > due,
        )
    ]
