"""Institution aggregate: registration of a technical service institution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from contracts.envelope import EventPayload
from contracts.registry_v1 import Contact, InstitutionKind, InstitutionRegistered
from ohts_kit import regions
from ohts_kit.errors import Conflict, InvalidCommand, Violation
from services.registry.domain.commands import RegisterInstitution
from services.registry.domain.uscc import uscc_problem

AGGREGATE = "Institution"
LICENSED_KINDS = {
    InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE,
    InstitutionKind.RADIOLOGICAL_HEALTH_SERVICE,
}


@dataclass(frozen=True)
class Institution:
    institution_id: str
    version: int = 0
    registered: bool = False
    uscc: str = ""
    name: str = ""
    kind: InstitutionKind | None = None
    region_code: str = ""


def evolve(state: Institution, event: EventPayload) -> Institution:
    if isinstance(event, InstitutionRegistered):
        return replace(
            state,
            version=state.version + 1,
            registered=True,
            uscc=event.uscc,
            name=event.name,
            kind=event.kind,
            region_code=event.region_code,
        )
    return replace(state, version=state.version + 1)


def fold(institution_id: str, events: Iterable[EventPayload]) -> Institution:
    state = Institution(institution_id)
    for event in events:
        state = evolve(state, event)
    return state


def register(state: Institution, cmd: RegisterInstitution, now: datetime) -> list[EventPayload]:
    if state.registered:
        raise Conflict(f"institution {state.institution_id} is already registered")
    problems: list[Violation] = []
    uscc = cmd.uscc.upper()
    if reason := uscc_problem(uscc):
        problems.append(Violation("uscc", "GB 32100-2015 check character", reason))
    if not regions.is_valid(cmd.region_code):
        problems.append(
            Violation("region_code", "GB/T 2260", f"{cmd.region_code!r} is not a known region code")
        )
    if problems:
        raise InvalidCommand(*problems)
    return [
        InstitutionRegistered(
            institution_id=state.institution_id,
            uscc=uscc,
            name=cmd.name,
            address=cmd.address,
            legal_representative=cmd.legal_representative,
            nature=cmd.nature,
            kind=cmd.kind,
            region_code=cmd.region_code,
            contacts=[Contact(name=c.name, phone=c.phone) for c in cmd.contacts],
            registered_at=now,
        )
    ]
