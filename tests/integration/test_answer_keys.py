"""Each event changes only the portal page of the institution its payload names (issue 22.5, a
portal under change): the answer cache keeps every other institution's page through a batch,
so this must hold for every writer of the tables an institution's page shows. The Hangzhou scenario and
one event of each other writer of those tables are applied one at a time through the live
handlers, and after each one every institution's page is made again and compared."""

from __future__ import annotations

from datetime import UTC, date, datetime

import asyncpg

from contracts import enforcement_v1 as enf
from contracts import registry_v1 as reg
from contracts.envelope import decode_payload
from ohts_kit.consumer import institution_of
from ohts_kit.db import PLATFORM_MIGRATIONS, migrate
from ohts_kit.settings import Settings
from ohts_kit.workdays import china_date
from services.reporting.application import public
from services.reporting.application.moment import Moment
from services.reporting.application.rebuild import MIGRATIONS
from services.reporting.projections import catalog
from tests.integration.reporting_scenario import A, B, C, D, Scenario, at, hangzhou_scenario
from tests.integration.test_reporting import NOW

# Every row known, the date rules of the scenario's day.
MOMENT = Moment(datetime(2100, 1, 1, tzinfo=UTC), china_date(NOW), None)


def the_other_writers(s: Scenario) -> None:
    """One event of each writer of the page's tables the scenario does not have."""
    decided = at("2026-07-02")
    s.add(
        "registry",
        reg.InstitutionDetailsChanged(institution_id=A, address="杭州市新地址", changed_at=decided),
        A,
        decided,
    )
    s.add(
        "registry",
        reg.InstitutionConditionsChanged(
            institution_id=B, conditions_met=False, unmet=["staff"], changed_on=date(2026, 7, 2)
        ),
        B,
        decided,
    )
    qualification = {"qualification_id": f"q-{A}", "institution_id": A}
    s.add(
        "registry",
        reg.QualificationChanged(**qualification, added_scope_codes=["OH-02"], decided_at=decided),
        A,
        decided,
    )
    s.add(
        "registry",
        reg.QualificationRenewed(
            **qualification,
            certificate_number="(浙)卫职技字(2026)第0101号",
            scope_codes=["OH-01", "OH-02"],
            valid_from=date(2026, 7, 3),
            valid_until=date(2031, 7, 2),
            decided_at=at("2026-07-03"),
        ),
        A,
        at("2026-07-03"),
    )
    s.add(
        "registry",
        reg.QualificationWithdrawn(
            qualification_id=f"q-{D}", institution_id=D, reason="申请撤回", decided_at=decided
        ),
        D,
        decided,
    )
    s.add(
        "registry",
        reg.OutOfProvinceFilingRegistered(
            filing_id="f-keys",
            institution_id=D,
            province_code="320000",
            certificate_number="(苏)卫职技字(2025)第0201号",
            issuing_authority="江苏省卫生健康委员会",
            valid_until=date(2030, 1, 1),
            scope_codes=["OH-01"],
            contacts=[reg.Contact(name="联系人", phone="0571-88888888")],
            receiving_qc_centre="浙江省职业卫生质控中心",
            filed_at=decided,
        ),
        D,
        decided,
    )
    s.add(
        "enforcement",
        enf.CaseInvestigated(
            case_id="a1", institution_id=A, summary="出具虚假报告", investigated_on=date(2026, 7, 4)
        ),
        A,
        at("2026-07-04"),
    )
    s.add(
        "enforcement",
        enf.CaseClosed(case_id="c1", institution_id=C, closed_on=date(2026, 7, 5)),
        C,
        at("2026-07-05"),
    )


async def pages(conn: asyncpg.Connection, institutions: list[str]) -> dict[str, str | None]:
    async def page(iid: str) -> str | None:
        found = await public.institution_detail(conn, MOMENT, iid)
        return found.model_dump_json() if found is not None else None

    return {iid: await page(iid) for iid in institutions}


async def test_each_event_changes_only_its_own_institutions_page(settings: Settings) -> None:
    schema = settings.schema_of("reporting")
    await migrate(settings, schema, [PLATFORM_MIGRATIONS, MIGRATIONS])
    s = hangzhou_scenario(settings)
    the_other_writers(s)
    apply = catalog.handlers(settings)
    institutions = sorted({env.institution_id for _, env in s.envelopes})
    conn = await asyncpg.connect(settings.database_url, server_settings={"search_path": schema})
    try:
        before = await pages(conn, institutions)
        changing: set[str] = set()
        for _, env in s.envelopes:
            payload = decode_payload(env.event_type, env.schema_version, env.payload)
            async with conn.transaction():
                await apply[env.event_type](conn, env, payload)
            after = await pages(conn, institutions)
            changed = {iid for iid in institutions if after[iid] != before[iid]}
            about = institution_of(payload)  # what its inbox row names
            if about is not None:  # (None: every page is made again after it)
                assert changed <= {about}, (env.event_type, changed)
            if changed:
                changing.add(env.event_type.split(".")[1])
            before = after
    finally:
        await conn.close()
    # The comparison sees changes: each of these changed its institution's page.
    assert changing >= {
        "InstitutionRegistered",
        "InstitutionDetailsChanged",
        "QualificationGranted",
        "QualificationRevoked",
        "QualificationRenewed",
        "QualificationChanged",
        "QualificationWithdrawn",
        "OutOfProvinceFilingRegistered",
        "StaffRegistered",
        "StaffLeft",
        "PersonalDataErased",
        "PenaltyDecided",
        "CaseInvestigated",
        "PenaltyAnnulled",
        "CreditRepairGranted",
        "QcResultRecorded",
    }, changing
