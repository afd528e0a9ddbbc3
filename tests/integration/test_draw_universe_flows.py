"""Issue 17, registry/draw side, across services over the real broker: E1 universe at every
level (out-of-area filings working there, unfiled work found there), R7 unfiled work raised
from report cards and opened as a lead by enforcement, E2 public draw record recomputed by a
third party from the portal's record alone, the inspections a draw scheduled, and manual
inspections checked for recusal and previous inspectors."""

import copy
import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from contracts.envelope import Role
from services.enforcement.bootstrap import create_app as enforcement_app
from services.registry.bootstrap import create_app as registry_app
from services.registry.domain.uscc import make_uscc
from services.reporting.bootstrap import create_app as reporting_app
from tests.integration.helpers import eventually, running, token
from tests.integration.registry_client import RegistryClient

pytestmark = pytest.mark.integration
NOW = datetime(2026, 6, 1, 2, tzinfo=UTC)
KUNMING = "530100"  # 昆明市
WUHUA = "530102"  # 昆明市五华区
QUJING = "530300"  # 曲靖市


def reference() -> ModuleType:
    path = Path(__file__).parents[2] / "docs" / "draw_reference.py"
    spec = importlib.util.spec_from_file_location("draw_reference", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def card(iid: str, number: str, region: str) -> dict[str, str]:
    return {
        "institution_id": iid,
        "report_number": number,
        "service_kind": "detection",
        "client_name": "某冶炼有限公司",
        "client_uscc": make_uscc(region, "000000001", "91"),
        "client_region_code": region,
        "completion_date": "2026-06-01",  # the filing came first (R7)
    }


async def test_universe_unfiled_work_public_draw_and_manual_teams(settings) -> None:
    async with (
        running(registry_app, settings, NOW) as reg_svc,
        running(enforcement_app, settings, NOW) as enf,
        running(reporting_app, settings, NOW) as rp,
    ):
        reg = RegistryClient(reg_svc.http, reg_svc.runtime, settings, reg_svc.clock)  # type: ignore[arg-type]
        filed, unfiled = await reg.register(1), await reg.register(2)  # 浙江 institutions
        await reg.qualify(filed, 1, certificate="(浙)卫职技字(2026)第0001号")
        await reg.qualify(unfiled, 2, certificate="(浙)卫职技字(2026)第0002号")
        zhejiang = reg.authority
        reg.authority = reg.token(Role.REGISTRY_AUTHORITY, "530000")
        local = await reg.register(3, region=WUHUA)
        await reg.qualify(local, 3, certificate="(云)卫职技字(2026)第0003号")
        reg.authority = zhejiang

        # R7: the filing carries the Yunnan 附表2 fields; its work place must be in the province.
        filing = {
            "institution_id": filed,
            "province_code": "530000",
            "certificate_number": "(浙)卫职技字(2026)第0001号",
            "contacts": [
                {
                    "name": "王",
                    "phone": "0571-8800000",
                    "position": "技术负责人",
                    "email": "wang@example.cn",
                }
            ],
            "receiving_qc_centre": "云南省职业卫生质控中心",
            "work_region_code": WUHUA,
            "work_place_authority": "昆明市五华区卫生健康局",
            "receiving_official": "李承办",
            "receiving_official_phone": "0871-6600000",
        }
        elsewhere = await reg.post("/api/v1/filings", {**filing, "work_region_code": "330106"})
        assert elsewhere.status_code == 422
        assert elsewhere.json()["errors"][0]["field"] == "work_region_code"
        await reg.post("/api/v1/filings", filing, expect=201)
        [registered] = await reg.events("registry.OutOfProvinceFilingRegistered")
        assert all(
            f'"{k}"' in registered["payload"]
            for k in ("position", "email", "work_place_authority", "receiving_official")
        )

        # Report cards: the filed institution's card raises nothing; the other's does (R7).
        await reg.post("/api/v1/report-cards", card(filed, "ZJ-1", WUHUA), expect=201)
        await reg.post("/api/v1/report-cards", card(unfiled, "ZJ-2", WUHUA), expect=201)
        await reg.post("/api/v1/report-cards", card(unfiled, "ZJ-3", "330106"), expect=201)
        [detected] = await reg.events("registry.UnfiledWorkDetected")
        assert f'"institution_id": "{unfiled}"' in detected["payload"].replace('":"', '": "')

        kunming = token(settings, Role.SUPERVISION_UNIT, KUNMING)

        async def lead_opened() -> bool:
            r = await enf.call("GET", "/api/v1/leads", kunming, expect=200)
            return [(x["institution_id"], x["source"]) for x in r.json()] == [
                (unfiled, "unfiled-work")
            ]

        await eventually(lead_opened)  # enforcement opened it, in the work place's jurisdiction

        async def plan(region: str, **extra: object) -> dict[str, object]:
            body = {
                "jurisdiction_region_code": region,
                "year": 2026,
                "sampling_ratio": "1/1",
                "roster": [
                    {"inspector_id": f"y{k}", "conflicts": [local] if k == 0 else []}
                    for k in range(4)
                ],
                **extra,
            }
            sup = token(settings, Role.SUPERVISION_UNIT, region)
            plan_id = (await enf.call("POST", "/api/v1/plans", sup, body, expect=201)).json()["id"]
            [defined] = [
                e
                for e in await enf.events("enforcement.InspectionPlanDefined")
                if e["plan_id"] == plan_id
            ]
            return {"id": plan_id, "universe": defined["universe"], "token": sup}

        # E1 at every level: city and district plans see the filed and the unfiled
        # out-of-province institutions working there; another city sees none of them.
        for region in (KUNMING, WUHUA, "530000"):
            assert (await plan(region))["universe"] == sorted([filed, unfiled, local])
        assert (await plan(QUJING))["universe"] == []

        # E2: 3 targets with 4 inspectors (teams overlap); refused when the plan keeps
        # teams exclusive.
        exclusive = await plan(KUNMING, exclusive_teams=True)
        refused = await enf.call(
            "POST", f"/api/v1/plans/{exclusive['id']}/draws", exclusive["token"], {"seed": "x"}
        )
        assert refused.status_code == 422 and "enough eligible inspectors" in refused.text
        city = await plan(KUNMING)
        draw_id = (
            await enf.call(
                "POST",
                f"/api/v1/plans/{city['id']}/draws",
                kunming,
                {"seed": "km-2026"},
                expect=201,
            )
        ).json()["id"]

        # The public record, read from the portal (reporting learned it over Kafka).
        async def on_portal() -> bool:
            r = await rp.call("GET", f"/api/v1/public/draws/{draw_id}", {})
            return r.status_code == 200

        await eventually(on_portal)
        record = (await rp.call("GET", f"/api/v1/public/draws/{draw_id}", {}, expect=200)).json()
        assert record == (await enf.call("GET", f"/api/v1/draws/{draw_id}", {}, expect=200)).json()
        assert record["algorithm"] == "ohts-draw-sha256" and record["seed"] == "km-2026"
        assert set(record["inputs"]["universe"]) == {filed, unfiled, local}
        assert {"roster", "weights", "previous", "team_size"} <= set(record["inputs"])
        assert {"institution_id": local, "inspector_id": "y0", "reason": "conflict"} in record[
            "exclusions"
        ]
        ref = reference()
        again = ref.draw(record["seed"], record["inputs"])
        assert again["targets"] == record["targets"] and ref.verify(record)
        for change in ("seed", "weight", "roster"):
            changed = copy.deepcopy(record)
            if change == "seed":
                changed["seed"] = "km-2027"
            elif change == "weight":
                changed["inputs"]["weights"]["A"] = 5
            else:
                changed["inputs"]["roster"]["y9"] = []
            assert ref.draw(changed["seed"], changed["inputs"])["targets"] != record["targets"]
            assert not ref.verify(changed)
        listed = (await rp.call("GET", "/api/v1/public/draws?region=530100", {}, expect=200)).json()
        assert [d["draw_id"] for d in listed] == [draw_id]
        page = await rp.call("GET", f"/draws/{draw_id}", {}, expect=200)
        assert "km-2026" in page.text and "申报利益冲突（回避）" in page.text
        assert "测试职业卫生技术服务机构2号" in page.text  # names from the directory

        # The inspections the draw scheduled.
        scheduled = (
            await enf.call("GET", f"/api/v1/draws/{draw_id}/inspections", kunming, expect=200)
        ).json()
        assert sorted(s["institution_id"] for s in scheduled) == sorted([filed, unfiled, local])
        qujing = token(settings, Role.SUPERVISION_UNIT, QUJING)
        assert (
            await enf.call("GET", f"/api/v1/draws/{draw_id}/inspections", qujing)
        ).status_code == 403

        # Manual inspections: the same recusal and previous-inspector checks (E2).
        team = next(t["inspectors"] for t in record["targets"] if t["institution_id"] == local)
        body = {"institution_id": local, "kind": "complaint", "period": "2027"}
        province = token(settings, Role.SUPERVISION_UNIT, "530000")
        for inspectors, rule in (
            (["y0", "z1"], "E2 recusal"),
            ([team[0], "z1"], "previous inspection"),
        ):
            r = await enf.call(
                "POST", "/api/v1/inspections", province, {**body, "inspectors": inspectors}
            )
            assert r.status_code == 422 and rule in r.json()["errors"][0]["rule"], r.text
        await enf.call(
            "POST",
            "/api/v1/inspections",
            province,
            {**body, "inspectors": ["z1", "z2"]},
            expect=201,
        )
