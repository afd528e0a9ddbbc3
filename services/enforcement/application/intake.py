"""Enforcement's application core and what it does with other services' events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from contracts.enforcement_v1 import CreditClassChanged
from contracts.envelope import Envelope, EventPayload
from contracts.qc_v1 import (
    AnnualQcConcluded,
    QcResultRecorded,
    RectificationOverdue,
    RectificationVerified,
    ViolationClueReferred,
)
from contracts.registry_v1 import (
    InstitutionRegistered,
    OutOfProvinceFilingRegistered,
    QualificationGranted,
    QualificationRenewed,
    QualificationRevoked,
)
from ohts_kit.application import Application
from ohts_kit.consumer import Handler, may_append
from ohts_kit.db import Conn
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from ohts_kit.service import ServiceRuntime
from services.enforcement.adapters.views import project
from services.enforcement.domain import credit, lead


@dataclass
class QcFacts:
    """What enforcement keeps of an institution's QC record, for its credit class."""

    on_public_list: bool = False
    overdue_items: set[str] = field(default_factory=set)
    failures: list[date] = field(default_factory=list)

    @classmethod
    async def read(cls, conn: Conn, institution_id: str) -> QcFacts:
        row = await conn.fetchrow(
            "SELECT * FROM qc_facts WHERE institution_id = $1", institution_id
        )
        if row is None:
            return cls()
        return cls(row["on_public_list"], set(row["overdue_items"]), list(row["failures"]))

    async def write(self, conn: Conn, institution_id: str) -> None:
        await conn.execute(
            "INSERT INTO qc_facts VALUES ($1, $2, $3, $4) ON CONFLICT (institution_id) DO UPDATE"
            " SET on_public_list = $2, overdue_items = $3, failures = $4",
            institution_id,
            self.on_public_list,
            sorted(self.overdue_items),
            self.failures,
        )


class Enforcement(Application):
    def __init__(self, rt: ServiceRuntime) -> None:
        super().__init__(rt, project)

    async def region_of(self, conn: Conn, institution_id: str) -> str:
        region = await conn.fetchval(
            "SELECT region_code FROM known_institutions WHERE institution_id = $1", institution_id
        )
        if region is None:
            from ohts_kit.errors import InvalidCommand

            raise InvalidCommand.of(
                "institution_id", "known institution", f"no institution {institution_id}"
            )
        return str(region)

    async def review_credit(
        self, conn: Conn, institution_id: str, meta: Metadata, qc: QcFacts | None = None
    ) -> None:
        """E7: recompute the class from penalties, QC results and rectification behaviour;
        a change is an event. `qc`: the QC facts as they are about to be stored."""
        today = self.today()
        penalties = [
            (r["decided_on"], list(r["penalties"]))
            for r in await conn.fetch(
                "SELECT decided_on, penalties FROM penalties WHERE institution_id = $1",
                institution_id,
            )
        ]
        qc = qc or await QcFacts.read(conn, institution_id)
        facts = credit.CreditFacts(
            penalties=penalties,
            on_public_list=qc.on_public_list,
            open_overdue_rectifications=len(qc.overdue_items),
            qc_failures=qc.failures,
        )
        new_class, reasons = credit.classify(facts, today)
        current = (
            await conn.fetchval(
                "SELECT credit_class FROM credit_classes WHERE institution_id = $1", institution_id
            )
            or "A"
        )
        if new_class == current:
            return
        region = (
            await conn.fetchval(
                "SELECT region_code FROM known_institutions WHERE institution_id = $1",
                institution_id,
            )
            or "000000"
        )
        stored = await self.rt.store.load(conn, "CreditRecord", institution_id)
        await self.append(
            conn,
            "CreditRecord",
            institution_id,
            len(stored),
            [
                CreditClassChanged(
                    institution_id=institution_id,
                    previous_class=current,
                    credit_class=new_class,
                    reasons=reasons,
                    changed_on=today,
                )
            ],
            institution_id,
            region,
            meta,
        )


def enforcement_of(rt: ServiceRuntime) -> Enforcement:
    app: Enforcement = rt.extras["enforcement"]
    return app


def _meta(env: Envelope) -> Metadata:
    return Metadata(
        actor=env.actor, correlation_id=env.correlation_id, causation_id=str(env.event_id)
    )


def handlers(rt: ServiceRuntime) -> dict[str, Handler]:
    @may_append
    async def referral(conn: Conn, env: Envelope, e: EventPayload) -> None:
        assert isinstance(e, ViolationClueReferred)
        app = enforcement_of(rt)
        lead_id = str(uuid7())
        await app.append(
            conn,
            lead.AGGREGATE,
            lead_id,
            0,
            lead.from_referral(lead_id, e, app.today()),
            e.institution_id,
            env.region_code,
            _meta(env),
        )

    @may_append
    async def qc_fact(conn: Conn, env: Envelope, e: EventPayload) -> None:
        institution_id: str = e.institution_id  # type: ignore[attr-defined]
        facts = await QcFacts.read(conn, institution_id)
        match e:
            case AnnualQcConcluded():
                facts.on_public_list = e.on_public_list
            case RectificationOverdue():
                facts.overdue_items.add(e.item_id)
            case RectificationVerified():
                facts.overdue_items.discard(e.item_id)
            case QcResultRecorded() if e.result in ("fail", "refused"):
                facts.failures.append(e.recorded_on)
        # The review may append (an append must be its transaction's first write), so the
        # new facts are stored after it.
        await enforcement_of(rt).review_credit(conn, institution_id, _meta(env), facts)
        await facts.write(conn, institution_id)

    async def registry_fact(conn: Conn, _: Envelope, e: EventPayload) -> None:
        match e:
            case InstitutionRegistered():
                await conn.execute(
                    "INSERT INTO known_institutions VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    e.institution_id,
                    e.name,
                    e.region_code,
                )
            case QualificationGranted() | QualificationRenewed():
                await conn.execute(
                    "INSERT INTO known_certificates VALUES ($1, $2, 'granted') ON CONFLICT"
                    " (certificate_number) DO UPDATE SET status = 'granted'",
                    e.certificate_number,
                    e.institution_id,
                )
            case QualificationRevoked():
                await conn.execute(
                    "UPDATE known_certificates SET status = 'revoked' WHERE institution_id = $1",
                    e.institution_id,
                )
            case OutOfProvinceFilingRegistered():
                await conn.execute(
                    "INSERT INTO known_filings VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    e.filing_id,
                    e.institution_id,
                    e.province_code,
                )

    return {
        ViolationClueReferred.event_type: referral,
        **{
            t.event_type: qc_fact
            for t in (
                AnnualQcConcluded,
                RectificationOverdue,
                RectificationVerified,
                QcResultRecorded,
            )
        },
        **{
            t.event_type: registry_fact
            for t in (
                InstitutionRegistered,
                QualificationGranted,
                QualificationRenewed,
                QualificationRevoked,
                OutOfProvinceFilingRegistered,
            )
        },
    }
