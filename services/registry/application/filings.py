"""Out-of-province filings and work summaries (R7), service report cards (R8)."""

from __future__ import annotations

from ohts_kit.errors import InvalidCommand
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.registry.application.card_reads import card_reads
from services.registry.application.unit import Registry
from services.registry.domain import filing, institution, qualification, report_card
from services.registry.domain.commands import FileOutOfProvince, FileReportCard, SubmitWorkSummary


async def file_out_of_province(reg: Registry, cmd: FileOutOfProvince, meta: Metadata) -> str:
    filing_id = str(uuid7())
    async with reg.unit(meta) as uow:
        holder = await uow.get(institution, cmd.institution_id, field="institution_id")
        qualification_id = await uow.conn.fetchval(
            "SELECT qualification_id FROM qualifications_view WHERE certificate_number = $1",
            cmd.certificate_number,
        )
        if qualification_id is None:
            raise InvalidCommand.of(
                "certificate_number",
                "issued certificate",
                f"no certificate {cmd.certificate_number}",
            )
        stream = await uow.stream(qualification, qualification_id)
        certificate = qualification.fold(qualification_id, (e.payload for e in stream))
        issuer = qualification.issuing_authority(e.payload for e in stream)
        state = uow.new(filing, filing_id)
        events = filing.register(
            state, holder, certificate, cmd, issuer, uow.now, reg.policy.earliest_fact_date
        )
        await uow.record(state, events, about=holder)
    return filing_id


async def submit_summary(
    reg: Registry, filing_id: str, cmd: SubmitWorkSummary, meta: Metadata
) -> None:
    async with reg.unit(meta) as uow:
        state = await uow.get(filing, filing_id)
        holder = await uow.get(institution, state.institution_id)
        await uow.record(state, filing.submit_summary(state, cmd, uow.today), about=holder)


async def file_report_card(reg: Registry, cmd: FileReportCard, meta: Metadata) -> str:
    card_id = str(uuid7())
    async with reg.unit(meta, one_statement=True) as uow:  # the busiest command (R8)
        reads = await card_reads(uow, cmd)
        holder = reads.holder
        state = uow.new(report_card, card_id)
        events = report_card.file(
            card_id,
            reads.already_filed,
            holder,
            cmd,
            reads.unknown_staff,
            uow.today,
            reg.calendar,
            reg.policy,
            reads.first_qualified,
            filed_provinces=reads.filed_provinces,
        )
        await uow.record(state, events, about=holder)
    return card_id
