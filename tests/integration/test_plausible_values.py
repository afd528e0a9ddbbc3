"""Issue 18.6 over HTTP: each implausible value of the probe is a 422 naming its field, and
changes nothing; the checks that need the service clock or the institution's history."""

from __future__ import annotations

from ohts.demo import staff_body
from ohts_kit.settings import Settings
from services.registry.domain.uscc import make_uscc
from tests.integration.registry_client import running_registry


def _card(iid: str, completed: str, n: int) -> dict[str, str]:
    return {
        "institution_id": iid,
        "report_number": f"R-{n}",
        "service_kind": "detection",
        "client_name": "杭州某化工有限公司",
        "client_uscc": make_uscc("330106", "000000001", "91"),
        "client_region_code": "330106",
        "completion_date": completed,
    }


async def test_implausible_dates_and_types_are_refused_naming_the_field(
    settings: Settings,
) -> None:
    async with running_registry(settings) as reg:  # the clock reads 2026-03-02
        iid = await reg.register(1)
        before = len(await reg.events())
        for body, field in (
            ({**staff_body(iid, 0, 1), "registered_on": "9999-12-31"}, "registered_on"),
            ({**staff_body(iid, 0, 1), "registered_on": "2026-03-03"}, "registered_on"),
            ({**staff_body(iid, 0, 1), "years_of_experience": True}, "years_of_experience"),
        ):
            r = await reg.post("/api/v1/staff", body)
            assert r.status_code == 422, r.text
            assert r.json()["errors"][0]["field"].removeprefix("body.") == field
        for completed in ("0001-01-01", "1900-01-01"):
            r = await reg.post("/api/v1/report-cards", _card(iid, completed, 1))
            assert r.status_code == 422 and "completion_date" in r.text, r.text
        campaign = {
            "title": "职业卫生技术服务自查",
            "region_code": "330100",
            "period_from": "2026-01-01",
            "period_to": "2026-02-28",
            "deadline": "9999-09-30",
        }
        r = await reg.post("/api/v1/self-inspection-campaigns", campaign)
        assert r.status_code == 422 and "deadline" in r.text, r.text
        assert len(await reg.events()) == before

        # A grant valid from 0001-01-01 (expired by the scheduler a minute later) or 1989.
        await reg.staff_up(iid, 1)
        qid = (
            await reg.post(
                "/api/v1/qualifications",
                {"institution_id": iid, "kind": "occupational-health", "scope_codes": ["OH-01"]},
                expect=201,
            )
        ).json()["id"]
        await reg.post(f"/api/v1/qualifications/{qid}/review", expect=204)
        for valid_from in ("0001-01-01", "1989-12-31", "2028-01-01"):
            grant = {"certificate_number": "(浙)卫职技字(2026)第0001号", "valid_from": valid_from}
            r = await reg.post(f"/api/v1/qualifications/{qid}/grant", grant)
            assert r.status_code == 422 and "valid_from" in r.text, (valid_from, r.text)
        grant = {"certificate_number": "(浙)卫职技字(2026)第0001号", "valid_from": "2026-01-10"}
        await reg.post(f"/api/v1/qualifications/{qid}/grant", grant, expect=204)
        # No card completed before the institution's first qualification.
        r = await reg.post("/api/v1/report-cards", _card(iid, "2026-01-09", 2))
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["rule"] == "not before the first qualification"
        await reg.post("/api/v1/report-cards", _card(iid, "2026-01-10", 3), expect=201)
