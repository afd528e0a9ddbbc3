"""Registry HTTP API: parse, authorise, call the application, nothing else."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel

from contracts.envelope import Actor, Role
from ohts_kit.auth import require_roles
from ohts_kit.errors import NotFound
from ohts_kit.http import command_metadata
from ohts_kit.service import runtime_of
from services.registry.application import (
    filings,
    legacy_import,
    people,
    queries,
    self_inspections,
)
from services.registry.application import qualifications as quals
from services.registry.application.unit import Registry, registry_of
from services.registry.domain import commands as c
from services.registry.domain.scopes import legacy_conversion, scope_table

router = APIRouter(prefix="/api/v1", tags=["registry"])
Authority = Annotated[Actor, Depends(require_roles(Role.REGISTRY_AUTHORITY))]
AuthorityOrInstitution = Annotated[
    Actor, Depends(require_roles(Role.REGISTRY_AUTHORITY, Role.INSTITUTION))
]
Supervisor = Annotated[
    Actor,
    Depends(require_roles(Role.REGISTRY_AUTHORITY, Role.SUPERVISION_UNIT, Role.QC_CENTRE)),
]
CampaignAuthority = Annotated[
    Actor, Depends(require_roles(Role.REGISTRY_AUTHORITY, Role.SUPERVISION_UNIT))
]
InstitutionOnly = Annotated[Actor, Depends(require_roles(Role.INSTITUTION))]
RegionQ = Annotated[str | None, Query(pattern=r"^\d{6}$")]


class Created(BaseModel):
    id: str


def _reg(request: Request) -> Registry:
    return registry_of(runtime_of(request.app))


def _scope(actor: Actor, region: str | None) -> str:
    """A list query defaults to, and is limited to, the caller's jurisdiction."""
    from ohts_kit.auth import check_jurisdiction

    if region is None:
        return actor.region_code
    check_jurisdiction(actor, region)
    return region


@router.post("/institutions", status_code=201, response_model=Created)
async def register_institution(
    cmd: c.RegisterInstitution, request: Request, actor: Authority
) -> Created:
    return Created(
        id=await quals.register_institution(_reg(request), cmd, command_metadata(request, actor))
    )


@router.patch("/institutions/{institution_id}", status_code=204)
async def change_institution(
    institution_id: str, cmd: c.ChangeInstitutionDetails, request: Request, actor: Authority
) -> None:
    await quals.change_institution(
        _reg(request), institution_id, cmd, command_metadata(request, actor)
    )


@router.get("/institutions/{institution_id}")
async def institution(institution_id: str, request: Request, actor: Supervisor) -> dict[str, Any]:
    async with runtime_of(request.app).pool.acquire() as conn:
        record = await queries.institution_record(conn, institution_id)
    if record is None:
        raise NotFound(f"no institution {institution_id}")
    _scope(actor, record["region_code"])
    return record


@router.post("/qualifications", status_code=201, response_model=Created)
async def apply_for_qualification(
    cmd: c.ApplyForQualification, request: Request, actor: AuthorityOrInstitution
) -> Created:
    return Created(id=await quals.apply(_reg(request), cmd, command_metadata(request, actor)))


@router.post("/qualifications/{qualification_id}/review", status_code=204)
async def start_review(qualification_id: str, request: Request, actor: Authority) -> None:
    await quals.start_review(_reg(request), qualification_id, command_metadata(request, actor))


@router.post("/qualifications/{qualification_id}/grant", status_code=204)
async def grant(
    qualification_id: str, cmd: c.GrantQualification, request: Request, actor: Authority
) -> None:
    await quals.grant(_reg(request), qualification_id, cmd, command_metadata(request, actor))


@router.post("/qualifications/{qualification_id}/reject", status_code=204)
async def reject(qualification_id: str, cmd: c.Decide, request: Request, actor: Authority) -> None:
    await quals.reject(_reg(request), qualification_id, cmd, command_metadata(request, actor))


@router.post("/qualifications/{qualification_id}/renewal", status_code=204)
async def apply_for_renewal(
    qualification_id: str, cmd: c.ApplyForRenewal, request: Request, actor: AuthorityOrInstitution
) -> None:
    await quals.apply_for_renewal(
        _reg(request), qualification_id, cmd, command_metadata(request, actor)
    )


@router.post("/qualifications/{qualification_id}/renewal/decision", status_code=204)
async def decide_renewal(
    qualification_id: str, cmd: c.DecideRenewal, request: Request, actor: Authority
) -> None:
    await quals.decide_renewal(
        _reg(request), qualification_id, cmd, command_metadata(request, actor)
    )


@router.post("/qualifications/{qualification_id}/change", status_code=204)
async def change(
    qualification_id: str, cmd: c.ChangeQualification, request: Request, actor: Authority
) -> None:
    await quals.change(_reg(request), qualification_id, cmd, command_metadata(request, actor))


@router.post("/qualifications/{qualification_id}/cancel", status_code=204)
async def cancel(qualification_id: str, cmd: c.Decide, request: Request, actor: Authority) -> None:
    await quals.cancel(_reg(request), qualification_id, cmd, command_metadata(request, actor))


@router.post("/qualifications/{qualification_id}/withdraw", status_code=204)
async def withdraw(
    qualification_id: str, cmd: c.Decide, request: Request, actor: Authority
) -> None:
    await quals.withdraw(_reg(request), qualification_id, cmd, command_metadata(request, actor))


@router.post("/qualifications/{qualification_id}/publications", status_code=204)
async def publish(
    qualification_id: str, cmd: c.PublishDecision, request: Request, actor: Authority
) -> None:
    await quals.publish(_reg(request), qualification_id, cmd, command_metadata(request, actor))


@router.get("/decisions/overdue")
async def overdue_publications(
    request: Request, actor: Supervisor, region: RegionQ = None
) -> list[dict[str, Any]]:
    reg = _reg(request)
    async with reg.db.connection() as conn:
        return await queries.overdue_publications(conn, reg.today(), _scope(actor, region))


@router.get("/penalty-notices")
async def penalty_notices(
    request: Request, actor: Supervisor, region: RegionQ = None
) -> list[dict[str, Any]]:
    """F2: decisions against the caller's institutions, also those taken elsewhere."""
    async with _reg(request).db.connection() as conn:
        return await queries.penalty_notices(conn, _scope(actor, region))


@router.get("/qc-notices")
async def home_qc_notices(
    request: Request, actor: Authority, region: RegionQ = None
) -> list[dict[str, Any]]:
    """QC results on the jurisdiction's institutions from other provinces' QC centres."""
    async with _reg(request).db.connection() as conn:
        return await queries.home_qc_notices(conn, _scope(actor, region))


@router.post("/staff", status_code=201, response_model=Created)
async def register_staff(
    cmd: c.RegisterStaff, request: Request, actor: AuthorityOrInstitution
) -> Created:
    return Created(
        id=await people.register_staff(_reg(request), cmd, command_metadata(request, actor))
    )


@router.post("/staff/{staff_id}/leave", status_code=204)
async def staff_leaves(
    staff_id: str, cmd: c.StaffLeaves, request: Request, actor: AuthorityOrInstitution
) -> None:
    await people.leave(_reg(request), staff_id, cmd, command_metadata(request, actor))


@router.delete("/staff/{staff_id}/personal-data", status_code=204)
async def erase_personal_data(staff_id: str, request: Request, actor: Authority) -> None:
    await people.erase_personal_data(_reg(request), staff_id, command_metadata(request, actor))


@router.get("/institutions/{institution_id}/exemptions")
async def exemptions(institution_id: str, request: Request, actor: Supervisor) -> dict[str, Any]:
    reg = _reg(request)
    async with reg.db.connection() as conn:
        record = await queries.institution_record(conn, institution_id)
        if record is None:
            raise NotFound(f"no institution {institution_id}")
        _scope(actor, record["region_code"])
        return await queries.exemptions(conn, institution_id, reg.today(), reg.policy)


@router.post("/filings", status_code=201, response_model=Created)
async def file_out_of_province(
    cmd: c.FileOutOfProvince, request: Request, actor: AuthorityOrInstitution
) -> Created:
    return Created(
        id=await filings.file_out_of_province(_reg(request), cmd, command_metadata(request, actor))
    )


@router.post("/filings/{filing_id}/summaries", status_code=204)
async def submit_summary(
    filing_id: str, cmd: c.SubmitWorkSummary, request: Request, actor: AuthorityOrInstitution
) -> None:
    await filings.submit_summary(_reg(request), filing_id, cmd, command_metadata(request, actor))


@router.get("/filings/summaries/outstanding")
async def outstanding_summaries(
    request: Request, actor: Supervisor, as_of: date | None = None
) -> list[dict[str, Any]]:
    reg = _reg(request)
    province = actor.region_code[:2] + "0000"
    async with reg.db.connection() as conn:
        return await queries.work_summaries(conn, as_of or reg.today(), province)


@router.post("/report-cards", status_code=201, response_model=Created)
async def file_report_card(
    cmd: c.FileReportCard, request: Request, actor: AuthorityOrInstitution
) -> Created:
    return Created(
        id=await filings.file_report_card(_reg(request), cmd, command_metadata(request, actor))
    )


@router.get("/report-cards/status")
async def report_card_status(
    request: Request, actor: Supervisor, region: RegionQ = None, institution_id: str | None = None
) -> dict[str, Any]:
    async with runtime_of(request.app).pool.acquire() as conn:
        return await queries.report_cards(conn, institution_id, _scope(actor, region))


@router.get("/inspections/due")
async def due_inspections(
    request: Request, actor: Supervisor, region: RegionQ = None
) -> list[dict[str, Any]]:
    reg = _reg(request)
    async with reg.db.connection() as conn:
        return await queries.due_inspections(conn, reg.today(), _scope(actor, region))


@router.post("/imports/legacy")
async def import_legacy(
    request: Request,
    actor: Authority,
    csv_text: Annotated[str, Body(media_type="text/csv", max_length=20_000_000)],
) -> dict[str, Any]:
    report = await legacy_import.import_csv(
        _reg(request), csv_text, command_metadata(request, actor)
    )
    return {
        "imported": report.imported,
        "already_imported": report.already_imported,
        "errors": report.errors,
    }


class ScopeOut(BaseModel):
    code: str
    qualification_kind: str
    name: str
    source: str


@router.get("/scope-codes", response_model=list[ScopeOut])
async def scope_codes() -> list[ScopeOut]:
    return [
        ScopeOut(code=s.code, qualification_kind=s.kind.value, name=s.name, source=s.source)
        for s in scope_table().values()
    ]


@router.get("/scope-codes/legacy")
async def legacy_scope_codes() -> dict[str, str]:
    return legacy_conversion()


@router.post("/self-inspection-campaigns", status_code=201, response_model=Created)
async def launch_self_inspection(
    cmd: c.LaunchSelfInspection, request: Request, actor: CampaignAuthority
) -> Created:
    meta = command_metadata(request, actor)
    return Created(id=await self_inspections.launch(_reg(request), cmd, meta))


@router.post("/self-inspection-campaigns/{campaign_id}/reports", status_code=204)
async def report_self_inspection(
    campaign_id: str, cmd: c.ReportSelfInspection, request: Request, actor: InstitutionOnly
) -> None:
    meta = command_metadata(request, actor)
    await self_inspections.report(_reg(request), campaign_id, cmd, meta)
