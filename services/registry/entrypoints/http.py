"""Registry HTTP API: parse, authorise, call the application, nothing else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from contracts.envelope import Actor, Role
from ohts_kit.auth import require_roles
from ohts_kit.http import command_metadata
from ohts_kit.service import runtime_of
from services.registry.application import handlers
from services.registry.domain.commands import GrantQualification, RegisterInstitution
from services.registry.domain.scopes import scope_table

router = APIRouter(prefix="/api/v1", tags=["registry"])
Authority = Annotated[Actor, Depends(require_roles(Role.REGISTRY_AUTHORITY))]


class Created(BaseModel):
    id: str


@router.post("/institutions", status_code=201, response_model=Created)
async def register_institution(
    cmd: RegisterInstitution, request: Request, actor: Authority
) -> Created:
    rt = runtime_of(request.app)
    return Created(
        id=await handlers.register_institution(rt, cmd, command_metadata(request, actor))
    )


@router.post("/qualifications", status_code=201, response_model=Created)
async def grant_qualification(
    cmd: GrantQualification, request: Request, actor: Authority
) -> Created:
    rt = runtime_of(request.app)
    return Created(id=await handlers.grant_qualification(rt, cmd, command_metadata(request, actor)))


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
