"""Institution aggregate: a technical service institution (or a filed examination /
diagnosis institution) and its registered details."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from contracts.envelope import EventPayload
from contracts.registry_v1 import (
    Contact,
    InstitutionConditionsChanged,
    InstitutionDetailsChanged,
    InstitutionKind,
    InstitutionRegistered,
    Source,
)
from ohts_kit import regions
from ohts_kit.errors import Conflict, InvalidCommand, Violation
from services.registry.domain.blocking import BlockingItem, not_blocked
from services.registry.domain.commands import ChangeInstitutionDetails, RegisterInstitution
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
    conditions_met: bool = True

    @property
    def province(self) -> str:
        return regions.province_of(self.region_code)


def evolve(state: Institution, event: EventPayload) -> Institution:
    state = replace(state, version=state.version + 1)
    if isinstance(event, InstitutionRegistered):
        return replace(
            state,
            registered=True,
            uscc=event.uscc,
            name=event.name,
            kind=event.kind,
            region_code=event.region_code,
        )
    if isinstance(event, InstitutionDetailsChanged) and event.name:
        return replace(state, name=event.name)
    if isinstance(event, InstitutionConditionsChanged):
        return replace(state, conditions_met=event.conditions_met)
    return state


def fold(institution_id: str, events: Iterable[EventPayload]) -> Institution:
    state = Institution(institution_id)
    for event in events:
        state = evolve(state, event)
    return state


def register(
    state: Institution, cmd: RegisterInstitution, now: datetime, source: Source = Source.DECISION
) -> list[EventPayload]:
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
            source=source,
            website=cmd.website,
        )
    ]


def change_details(
    state: Institution,
    cmd: ChangeInstitutionDetails,
    now: datetime,
    qualified: bool = False,
    blocking: Sequence[BlockingItem] = (),
) -> list[EventPayload]:
    """A qualified institution's name, address or legal representative is a change of its
    qualification the authority approves (R2): refused while a rectification item is
    unverified or a case open (R4). Contacts and website are not, and stay free."""
    if not state.registered:
        raise InvalidCommand.of("institution_id", "registered institution", "no such institution")
    if not (
        cmd.name
        or cmd.address
        or cmd.legal_representative
        or cmd.website is not None
        or cmd.contacts is not None
    ):
        raise InvalidCommand.of("body", "something to change", "nothing to change was given")
    if qualified and (cmd.name or cmd.address or cmd.legal_representative):
        not_blocked("change of name, address or legal representative", blocking)
    return [
        InstitutionDetailsChanged(
            institution_id=state.institution_id,
            name=cmd.name,
            address=cmd.address,
            legal_representative=cmd.legal_representative,
            contacts=None
            if cmd.contacts is None
            else [Contact(name=c.name, phone=c.phone) for c in cmd.contacts],
            website=cmd.website,
            changed_at=now,
        )
    ]


def review_conditions(state: Institution, unmet: list[str], today: date) -> list[EventPayload]:
    """R6a: flag a change in whether a qualified institution keeps its conditions."""
    met = not unmet
    if met == state.conditions_met:
        return []
    return [
        InstitutionConditionsChanged(
            institution_id=state.institution_id, conditions_met=met, unmet=unmet, changed_on=today
        )
    ]
