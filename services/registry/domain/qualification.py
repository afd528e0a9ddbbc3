"""Qualification aggregate (资质): one certificate's lifecycle. R1: one grade, nationwide."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from contracts.envelope import EventPayload
from contracts.registry_v1 import QualificationGranted
from ohts_kit.errors import Conflict, InvalidCommand, Violation
from services.registry.domain.commands import GrantQualification
from services.registry.domain.institution import LICENSED_KINDS, Institution
from services.registry.domain.scopes import scope_table

AGGREGATE = "Qualification"


class Status(StrEnum):
    NONE = "none"
    GRANTED = "granted"


@dataclass(frozen=True)
class Qualification:
    qualification_id: str
    version: int = 0
    status: Status = Status.NONE
    institution_id: str = ""
    certificate_number: str = ""


def evolve(state: Qualification, event: EventPayload) -> Qualification:
    if isinstance(event, QualificationGranted):
        return replace(
            state,
            version=state.version + 1,
            status=Status.GRANTED,
            institution_id=event.institution_id,
            certificate_number=event.certificate_number,
        )
    return replace(state, version=state.version + 1)


def fold(qualification_id: str, events: Iterable[EventPayload]) -> Qualification:
    state = Qualification(qualification_id)
    for event in events:
        state = evolve(state, event)
    return state


def grant(
    state: Qualification,
    institution: Institution,
    cmd: GrantQualification,
    now: datetime,
    issuing_authority: str,
) -> list[EventPayload]:
    if state.status is not Status.NONE:
        raise Conflict(
            f"qualification {state.qualification_id} is {state.status.value}; grant needs none"
        )
    if not institution.registered:
        raise InvalidCommand.of(
            "institution_id", "registered institution", f"no institution {cmd.institution_id}"
        )
    problems: list[Violation] = []
    if institution.kind not in LICENSED_KINDS:
        problems.append(
            Violation(
                "institution_id",
                "licensed kind",
                f"a {institution.kind} institution is filed (备案), not granted a qualification",
            )
        )
    if cmd.valid_until <= cmd.valid_from:
        problems.append(
            Violation("valid_until", "after valid_from", "validity must end after it starts")
        )
    table = scope_table()
    for i, code in enumerate(cmd.scope_codes):
        scope = table.get(code)
        if scope is None:
            problems.append(Violation(f"scope_codes.{i}", "known scope code", f"unknown {code!r}"))
        elif scope.kind != cmd.kind:
            problems.append(
                Violation(
                    f"scope_codes.{i}",
                    "scope of the qualification kind",
                    f"{code} belongs to {scope.kind.value}, not {cmd.kind.value}",
                )
            )
    if len(set(cmd.scope_codes)) != len(cmd.scope_codes):
        problems.append(Violation("scope_codes", "unique", "a scope code is listed twice"))
    if problems:
        raise InvalidCommand(*problems)
    return [
        QualificationGranted(
            qualification_id=state.qualification_id,
            institution_id=institution.institution_id,
            certificate_number=cmd.certificate_number,
            kind=cmd.kind,
            scope_codes=list(cmd.scope_codes),
            valid_from=cmd.valid_from,
            valid_until=cmd.valid_until,
            decided_at=now,
            issuing_authority=issuing_authority,
        )
    ]
