"""Staff aggregate (专业技术人员, R6, R6a): one registration of a person at an institution."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from contracts.envelope import EventPayload
from contracts.registry_v1 import PersonalDataErased, StaffLeft, StaffRegistered
from ohts_kit.errors import Conflict, InvalidCommand
from services.registry.domain.commands import RegisterStaff
from services.registry.domain.institution import Institution
from services.registry.domain.people import id_number_problem, mask_name

AGGREGATE = "Staff"


@dataclass(frozen=True)
class Staff:
    staff_id: str
    version: int = 0
    active: bool = False
    institution_id: str = ""
    person_ref: str = ""
    erased: bool = False


def evolve(s: Staff, e: EventPayload) -> Staff:
    s = replace(s, version=s.version + 1)
    if isinstance(e, StaffRegistered):
        return replace(s, active=True, institution_id=e.institution_id, person_ref=e.person_ref)
    if isinstance(e, StaffLeft):
        return replace(s, active=False)
    if isinstance(e, PersonalDataErased):
        return replace(s, erased=True)
    return s


def fold(staff_id: str, events: Iterable[EventPayload]) -> Staff:
    state = Staff(staff_id)
    for event in events:
        state = evolve(state, event)
    return state


def erase(s: Staff, today: date) -> list[EventPayload]:
    """Erasure is told to every read model; the log keeps the hash and masked name only."""
    if s.erased:
        return []  # erasing twice changes nothing
    return [
        PersonalDataErased(
            staff_id=s.staff_id,
            institution_id=s.institution_id,
            person_ref=s.person_ref,
            erased_on=today,
        )
    ]


def register(
    s: Staff, holder: Institution, cmd: RegisterStaff, ref: str, today: date
) -> list[EventPayload]:
    if s.active:
        raise Conflict(f"staff {s.staff_id} is already registered")
    if not holder.registered:
        raise InvalidCommand.of("institution_id", "registered institution", "no such institution")
    if problem := id_number_problem(cmd.id_number):
        raise InvalidCommand.of("id_number", "GB 11643-1999 resident ID number", problem)
    if (cmd.assessment_certificate_number is None) != (cmd.assessment_date is None):
        raise InvalidCommand.of(
            "assessment_date", "certificate with date", "give the certificate number and its date"
        )
    registered_on = cmd.registered_on or today
    if registered_on > today:
        raise InvalidCommand.of("registered_on", "not in the future", "登记日期不得晚于今天")
    if cmd.assessment_date and cmd.assessment_date > registered_on:
        raise InvalidCommand.of(
            "assessment_date", "not in the future", "assessment after registration"
        )
    return [
        StaffRegistered(
            staff_id=s.staff_id,
            institution_id=holder.institution_id,
            person_ref=ref,
            masked_name=mask_name(cmd.name),
            title=cmd.title,
            specialty=cmd.specialty,
            years_of_experience=cmd.years_of_experience,
            role=cmd.role,
            full_time=cmd.full_time,
            assessment_certificate_number=cmd.assessment_certificate_number,
            assessment_date=cmd.assessment_date,
            registered_on=registered_on,
            restores_erased_person=cmd.restore_erased_person,
        )
    ]


def leave(s: Staff, left_on: date) -> list[EventPayload]:
    if not s.active:
        raise Conflict(
            f"staff {s.staff_id} is not registered at an institution",
            rule="R6",
            details={"state": "left"},
        )
    return [
        StaffLeft(
            staff_id=s.staff_id,
            institution_id=s.institution_id,
            person_ref=s.person_ref,
            left_on=left_on,
        )
    ]


@dataclass(frozen=True)
class StaffFacts:
    """What R6a needs to know of one active staff member."""

    title: str
    years: int
    role: str
    full_time: bool


def unmet_conditions(staff: Sequence[StaffFacts], has_website: bool, minimum: int) -> list[str]:
    """R6a (Order No. 4 Art. 9 as amended): what a qualified institution lacks, if anything."""
    problems = []
    if len(staff) < minimum:
        problems.append(f"{len(staff)} professional technical staff, at least {minimum} required")
    if not any(
        f.role == "technical-lead"
        and f.full_time
        and ((f.title == "senior" and f.years >= 3) or (f.title == "intermediate" and f.years >= 8))
        for f in staff
    ):
        problems.append("no full-time technical lead (senior title + 3 years, or intermediate + 8)")
    if not any(
        f.role == "qc-lead"
        and f.full_time
        and ((f.title == "senior" and f.years >= 3) or (f.title == "intermediate" and f.years >= 5))
        for f in staff
    ):
        problems.append("no full-time QC lead (senior title + 3 years, or intermediate + 5)")
    if not has_website:
        problems.append("no public website")
    return problems
