"""Legacy import (R1, R5): institutions and certificates from the old system, as CSV.

Grades 甲/乙/丙 and the coal-mine grade B map to the single level; legacy scope codes convert
by `data/legacy_scope_conversion.csv`. Bad rows are reported with line and reason, good rows
are imported, and a re-run imports nothing twice (USCC and certificate number are unique).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from contracts.registry_v1 import QualificationGranted, QualificationKind, Source
from ohts_kit.auth import check_jurisdiction
from ohts_kit.errors import DomainError, InvalidCommand
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.registry.application.qualifications import authority_name, claim
from services.registry.application.unit import Registry
from services.registry.domain import institution, qualification
from services.registry.domain.commands import RegisterInstitution
from services.registry.domain.scopes import check_scopes, convert_scopes

COLUMNS = (
    "uscc",
    "name",
    "address",
    "legal_representative",
    "nature",
    "kind",
    "region_code",
    "certificate_number",
    "qualification_kind",
    "grade",
    "scope_codes",
    "valid_from",
    "valid_until",
)
# R1: every legacy grade maps to the one level of Order No. 11; the coal-mine grade B also
# brings the 采矿业 scope (seed 002).
GRADES = {"甲": [], "乙": [], "丙": [], "煤矿乙": ["COAL-B"], "煤矿B": ["COAL-B"]}


@dataclass
class ImportReport:
    imported: int = 0
    already_imported: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


async def import_csv(reg: Registry, text: str, meta: Metadata) -> ImportReport:
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidCommand.of("file", "legacy CSV columns", f"missing columns: {missing}")
    for line, row in enumerate(reader, start=2):
        try:
            if await _import_row(reg, row, meta):
                report.imported += 1
            else:
                report.already_imported += 1
        except InvalidCommand as exc:
            report.errors += [
                {"line": line, "field": v.field, "reason": f"{v.message} [{v.rule}]"}
                for v in exc.violations
            ]
        except ValidationError as exc:
            report.errors += [
                {"line": line, "field": ".".join(map(str, e["loc"])), "reason": e["msg"]}
                for e in exc.errors()
            ]
        except (DomainError, ValueError) as exc:
            report.errors.append({"line": line, "field": "row", "reason": str(exc)})
    return report


async def _import_row(reg: Registry, row: dict[str, str], meta: Metadata) -> bool:
    values = {k: (row.get(k) or "").strip() for k in COLUMNS}
    cmd = RegisterInstitution.model_validate({k: values[k] for k in COLUMNS[:7]})
    # Every row's institution fields are checked, even for an institution already imported.
    institution.register(institution.Institution("row"), cmd, reg.now(), Source.LEGACY_IMPORT)
    check_jurisdiction(meta.actor, cmd.region_code)
    if values["grade"] not in GRADES:
        raise InvalidCommand.of(
            "grade", "legacy grade", f"unknown grade {values['grade']!r} (甲/乙/丙/煤矿乙)"
        )
    kind = QualificationKind(values["qualification_kind"])
    scopes = convert_scopes(
        [c for c in values["scope_codes"].split(";") if c.strip()] + GRADES[values["grade"]]
    )
    check_scopes(scopes, kind)
    valid_from, valid_until = (
        date.fromisoformat(values["valid_from"]),
        date.fromisoformat(values["valid_until"]),
    )
    if valid_until <= valid_from:
        raise InvalidCommand.of(
            "valid_until", "after valid_from", "validity must end after it starts"
        )
    if not values["certificate_number"]:
        raise InvalidCommand.of("certificate_number", "required", "empty certificate number")
    async with reg.rt.pool.acquire() as conn, conn.transaction():
        known_certificate = await conn.fetchval(
            "SELECT 1 FROM certificate_numbers WHERE certificate_number = $1",
            values["certificate_number"],
        )
        existing = await conn.fetchval(
            "SELECT institution_id FROM institution_usccs WHERE uscc = $1", cmd.uscc.upper()
        )
        if known_certificate:
            return False
        if existing:
            holder = await reg.load_institution(conn, existing)
        else:
            institution_id = str(uuid7())
            events = institution.register(
                institution.Institution(institution_id), cmd, reg.now(), Source.LEGACY_IMPORT
            )
            holder = institution.fold(institution_id, events)
            await reg.commit(conn, institution.AGGREGATE, institution_id, 0, events, holder, meta)
            await claim(
                conn,
                "institution_usccs",
                "uscc",
                cmd.uscc.upper(),
                "institution_id",
                institution_id,
                f"USCC {cmd.uscc.upper()} is already registered",
            )
        if holder.kind not in institution.LICENSED_KINDS:
            raise InvalidCommand.of(
                "kind", "licensed kind", "filed institutions hold no certificate"
            )
        qualification_id = str(uuid7())
        granted = QualificationGranted(
            qualification_id=qualification_id,
            institution_id=holder.institution_id,
            certificate_number=values["certificate_number"],
            kind=kind,
            scope_codes=scopes,
            valid_from=valid_from,
            valid_until=valid_until,
            decided_at=reg.now(),
            issuing_authority=authority_name(cmd.region_code),
            source=Source.LEGACY_IMPORT,
            legacy_grade=values["grade"],
        )
        await reg.commit(
            conn, qualification.AGGREGATE, qualification_id, 0, [granted], holder, meta
        )
        await claim(
            conn,
            "certificate_numbers",
            "certificate_number",
            values["certificate_number"],
            "qualification_id",
            qualification_id,
            f"certificate number {values['certificate_number']} is already issued",
        )
    return True
