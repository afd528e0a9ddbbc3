"""Legacy certificates (R1, R5): what an imported row of the old system decides.

Grades 甲/乙/丙 and the coal-mine grade B map to the single level of Order No. 11; legacy
scope codes convert by `data/legacy_scope_conversion.csv`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from contracts.envelope import EventPayload
from contracts.registry_v1 import QualificationGranted, QualificationKind, Source
from ohts_kit.errors import InvalidCommand
from services.registry.domain.institution import LICENSED_KINDS, Institution
from services.registry.domain.qualification import Qualification
from services.registry.domain.scopes import check_scopes, convert_scopes

# R1: every legacy grade maps to the one level of Order No. 11; the coal-mine grade B also
# brings the 采矿业 scope (seed 002).
GRADES = {"甲": [], "乙": [], "丙": [], "煤矿乙": ["COAL-B"], "煤矿B": ["COAL-B"]}


@dataclass(frozen=True)
class LegacyCertificate:
    certificate_number: str
    qualification_kind: str
    grade: str
    scope_codes: str  # ';'-separated legacy codes
    valid_from: str
    valid_until: str


def import_certificate(
    s: Qualification, holder: Institution, row: LegacyCertificate, now: datetime, authority: str
) -> list[EventPayload]:
    """The certificate as granted under the single level, with its converted scopes."""
    if row.grade not in GRADES:
        raise InvalidCommand.of(
            "grade", "legacy grade", f"原资质等级「{row.grade}」无法识别（应为甲、乙、丙或煤矿乙）"
        )
    kind = QualificationKind(row.qualification_kind)
    scopes = convert_scopes(
        [c for c in row.scope_codes.split(";") if c.strip()] + GRADES[row.grade]
    )
    check_scopes(scopes, kind)
    valid_from, valid_until = (
        date.fromisoformat(row.valid_from),
        date.fromisoformat(row.valid_until),
    )
    if valid_until <= valid_from:
        raise InvalidCommand.of("valid_until", "after valid_from", "有效期截止日期应晚于起始日期")
    if not row.certificate_number:
        raise InvalidCommand.of("certificate_number", "required", "资质证书编号不能为空")
    if holder.kind not in LICENSED_KINDS:
        raise InvalidCommand.of("kind", "licensed kind", "备案类机构不持有资质证书")
    return [
        QualificationGranted(
            qualification_id=s.qualification_id,
            institution_id=holder.institution_id,
            certificate_number=row.certificate_number,
            kind=kind,
            scope_codes=scopes,
            valid_from=valid_from,
            valid_until=valid_until,
            decided_at=now,
            issuing_authority=authority,
            source=Source.LEGACY_IMPORT,
            legacy_grade=row.grade,
        )
    ]
