"""What filing a report card reads, in one statement together with the institution's stream.

A card command made nine round trips (begin, the stream, the duplicate check, the staff, the
filings, the first qualification, the append, the inline view, commit) where a raw insert
transaction makes three (issue 22, point 3); the five reads are now one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ohts_kit.application import UnitOfWork
from ohts_kit.eventstore import stored_events, stream_beside
from services.registry.domain import institution
from services.registry.domain.commands import FileReportCard
from services.registry.domain.institution import Institution

_READ = stream_beside(
    "SELECT EXISTS (SELECT 1 FROM report_cards WHERE institution_id = $2"
    " AND report_number = $3) AS already_filed,"
    " ARRAY(SELECT staff_id FROM staff_view WHERE institution_id = $2"
    " AND staff_id = ANY($4::text[])) AS known_staff,"
    " ARRAY(SELECT province_code FROM filings_view WHERE institution_id = $2"
    " AND filed_on <= $5 AND (valid_until IS NULL OR valid_until >= $5)) AS filed_provinces,"
    " (SELECT min(valid_from) FROM qualifications_view WHERE institution_id = $2)"
    " AS first_qualified"
)


@dataclass(frozen=True)
class CardReads:
    holder: Institution
    already_filed: bool
    unknown_staff: list[str]
    filed_provinces: frozenset[str]
    first_qualified: date | None


async def card_reads(uow: UnitOfWork, cmd: FileReportCard) -> CardReads:
    """The holder (checked as `uow.get` checks it: 422 on `institution_id`, jurisdiction)
    and what the card rules need about it (R7 filings, R8 duplicates and staff)."""
    rows = await uow.conn.fetch(
        _READ,
        institution.AGGREGATE,
        cmd.institution_id,
        cmd.report_number,
        cmd.staff_ids,
        cmd.completion_date,
    )
    stream = stored_events(rows, "registry")
    holder = uow.checked(institution, cmd.institution_id, stream, field="institution_id")
    facts = rows[0]
    known = set(facts["known_staff"])
    return CardReads(
        holder,
        facts["already_filed"],
        [s for s in cmd.staff_ids if s not in known],
        frozenset(facts["filed_provinces"]),
        facts["first_qualified"],
    )
