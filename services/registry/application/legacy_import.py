"""Legacy import (R1, R5): institutions and certificates from the old system, as CSV.

What a row decides is in `domain/legacy.py`. Bad rows are reported with line and reason, good rows
are imported, and a re-run imports nothing twice (USCC and certificate number are unique).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from contracts.registry_v1 import Source
from ohts_kit.application import UnitOfWork
from ohts_kit.auth import check_jurisdiction
from ohts_kit.errors import DomainError, InvalidCommand
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from ohts_kit.problems import PYDANTIC_ZH, chinese
from services.registry.application.qualifications import authority_name, claim
from services.registry.application.unit import Registry
from services.registry.domain import institution, legacy, qualification
from services.registry.domain.commands import RegisterInstitution

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
        raise InvalidCommand.of("file", "legacy CSV columns", f"缺少列：{'、'.join(missing)}")
    for line, row in enumerate(reader, start=2):
        try:
            if await _import_row(reg, row, meta):
                report.imported += 1
            else:
                report.already_imported += 1
        except InvalidCommand as exc:
            report.errors += [
                _error(line, v.field, f"{v.message} [{v.rule}]", chinese(v.message, v.rule))
                for v in exc.violations
            ]
        except ValidationError as exc:
            report.errors += [
                _error(line, ".".join(map(str, e["loc"])), e["msg"], PYDANTIC_ZH.get(e["type"]))
                for e in exc.errors()
            ]
        except (DomainError, ValueError) as exc:
            report.errors.append(_error(line, "row", str(exc), None))
    return report


def _error(line: int, field: str, reason: str, zh: str | None) -> dict[str, Any]:
    """A refused row: `reason` as before for programs, `message_zh` for the person."""
    return {"line": line, "field": field, "reason": reason, "message_zh": zh or chinese(reason, "")}


async def _import_row(reg: Registry, row: dict[str, str], meta: Metadata) -> bool:
    values = {k: (row.get(k) or "").strip() for k in COLUMNS}
    cmd = RegisterInstitution.model_validate({k: values[k] for k in COLUMNS[:7]})
    certificate = legacy.LegacyCertificate(**{k: values[k] for k in COLUMNS[7:]})
    # Every row's institution fields are checked, even for an institution already imported.
    institution.register(institution.Institution("row"), cmd, reg.now(), Source.LEGACY_IMPORT)
    check_jurisdiction(meta.actor, cmd.region_code)
    # The certificate is checked before anything is written (a bad row writes nothing).
    probe = institution.Institution("row", kind=cmd.kind, region_code=cmd.region_code)
    legacy.import_certificate(qualification.Qualification("row"), probe, certificate, reg.now(), "")
    async with reg.unit(meta, checks=False) as uow:
        if await uow.conn.fetchval(
            "SELECT 1 FROM certificate_numbers WHERE certificate_number = $1",
            certificate.certificate_number,
        ):
            return False
        holder = await _holder(uow, cmd)
        state = uow.new(qualification, str(uuid7()))
        events = legacy.import_certificate(
            state, holder, certificate, uow.now, authority_name(cmd.region_code)
        )
        await uow.record(state, events, about=holder)
        await claim(
            uow.conn,
            "certificate_numbers",
            "certificate_number",
            certificate.certificate_number,
            "qualification_id",
            state.qualification_id,
            f"certificate number {certificate.certificate_number} is already issued",
        )
    return True


async def _holder(uow: UnitOfWork, cmd: RegisterInstitution) -> institution.Institution:
    """The institution of the row: already imported (by USCC), or registered now."""
    existing = await uow.conn.fetchval(
        "SELECT institution_id FROM institution_usccs WHERE uscc = $1", cmd.uscc.upper()
    )
    if existing:
        holder: institution.Institution = await uow.get(institution, existing)
        return holder
    state = uow.new(institution, str(uuid7()))
    events = institution.register(state, cmd, uow.now, Source.LEGACY_IMPORT)
    holder = institution.fold(state.institution_id, events)
    await uow.record(state, events, about=holder)
    await claim(
        uow.conn,
        "institution_usccs",
        "uscc",
        cmd.uscc.upper(),
        "institution_id",
        holder.institution_id,
        f"USCC {cmd.uscc.upper()} is already registered",
    )
    return holder
