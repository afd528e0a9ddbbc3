"""Out-of-province filings and work summaries (R7), service report cards (R8)."""

from __future__ import annotations

from ohts_kit.errors import InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.registry.application.qualifications import check_actor_for
from services.registry.application.unit import Registry
from services.registry.domain import filing, qualification, report_card
from services.registry.domain.commands import FileOutOfProvince, FileReportCard, SubmitWorkSummary


async def file_out_of_province(reg: Registry, cmd: FileOutOfProvince, meta: Metadata) -> str:
    filing_id = str(uuid7())
    async with reg.rt.pool.acquire() as conn, conn.transaction():
        holder = await reg.load_institution(conn, cmd.institution_id)
        if not holder.registered:
            raise InvalidCommand.of(
                "institution_id", "registered institution", f"no institution {cmd.institution_id}"
            )
        check_actor_for(meta, holder)
        qualification_id = await conn.fetchval(
            "SELECT qualification_id FROM qualifications_view WHERE certificate_number = $1",
            cmd.certificate_number,
        )
        if qualification_id is None:
            raise InvalidCommand.of(
                "certificate_number",
                "issued certificate",
                f"no certificate {cmd.certificate_number}",
            )
        certificate = await reg.load(conn, qualification, qualification_id)
        issuer = await conn.fetchval(
            "SELECT payload->>'issuing_authority' FROM events WHERE aggregate_id = $1"
            " AND event_type = 'registry.QualificationGranted'",
            qualification_id,
        )
        events = filing.register(
            filing.Filing(filing_id), holder, certificate, cmd, issuer or "", reg.now()
        )
        await reg.commit(conn, filing.AGGREGATE, filing_id, 0, events, holder, meta)
    return filing_id


async def submit_summary(
    reg: Registry, filing_id: str, cmd: SubmitWorkSummary, meta: Metadata
) -> None:
    async with reg.rt.pool.acquire() as conn, conn.transaction():
        state: filing.Filing = await reg.load(conn, filing, filing_id)
        if not state.filed:
            raise NotFound(f"no filing {filing_id}")
        holder = await reg.load_institution(conn, state.institution_id)
        check_actor_for(meta, holder)
        events = filing.submit_summary(state, cmd, reg.today())
        await reg.commit(conn, filing.AGGREGATE, filing_id, state.version, events, holder, meta)


async def file_report_card(reg: Registry, cmd: FileReportCard, meta: Metadata) -> str:
    card_id = str(uuid7())
    async with reg.rt.pool.acquire() as conn, conn.transaction():
        holder = await reg.load_institution(conn, cmd.institution_id)
        if not holder.registered:
            raise InvalidCommand.of(
                "institution_id", "registered institution", f"no institution {cmd.institution_id}"
            )
        check_actor_for(meta, holder)
        already = await conn.fetchval(
            "SELECT 1 FROM report_cards WHERE institution_id = $1 AND report_number = $2",
            holder.institution_id,
            cmd.report_number,
        )
        known = {
            r["staff_id"]
            for r in await conn.fetch(
                "SELECT staff_id FROM staff_view WHERE institution_id = $1 AND staff_id = ANY($2)",
                holder.institution_id,
                cmd.staff_ids,
            )
        }
        events = report_card.file(
            card_id,
            bool(already),
            holder,
            cmd,
            [s for s in cmd.staff_ids if s not in known],
            reg.today(),
            reg.calendar,
            reg.policy,
            await conn.fetchval(
                "SELECT min(valid_from) FROM qualifications_view WHERE institution_id = $1",
                holder.institution_id,
            ),
        )
        await reg.commit(conn, report_card.AGGREGATE, card_id, 0, events, holder, meta)
    return card_id
