"""The cells of the access matrix that let a caller through, made to answer 2xx.

A recipe per endpoint prepares what a successful call needs, through the services' own APIs
(as the authority that owns that step), and returns the call; the test then makes it as the
role in the cell. The four services run in this process on the real PostgreSQL and broker, so
what one service needs from another arrives as events, as in production.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx

from contracts.envelope import Role
from contracts.qc_v1 import ViolationClueReferred
from ohts.demo import LEGACY_CSV, staff_body
from ohts_kit.settings import Settings
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.bootstrap import create_app as qc_app
from services.registry.bootstrap import create_app as registry_app
from services.registry.domain.uscc import make_uscc
from services.reporting.bootstrap import create_app as reporting_app
from tests.integration.helpers import Service, eventually, publish_event, running, token

NOW = datetime(2026, 9, 1, 2, tzinfo=UTC)  # 2026H1 has ended, the year's plans are running
HOME = "330106"  # 杭州市西湖区: where every institution here is registered
PROVINCE = "330000"  # the authorities' region: HOME is in its child regions
OTHER_PROVINCE = "530000"  # 云南省
OTHER_CITY = "330200"  # 宁波市: a sibling of the targets' city in the same province
QC_YEAR = 2026


@dataclass
class Call:
    path: str
    body: Any = None  # sent as JSON
    institution_id: str | None = None  # the institution a cell of the institution role acts as
    csv: str | None = None  # a text/csv body instead of JSON
    then: Callable[[], None] | None = None  # undoes what only this call needed
    region: str = HOME  # the target's region: where its own-region caller sits
    # How a caller from another region is refused, when not with 403.
    refused: Callable[[httpx.Response], bool] | None = None


class World:
    """Four running services and ways to bring an institution, a qualification, a
    rectification item or a case to the state a call needs."""

    def __init__(self, settings: Settings, services: dict[str, Service]) -> None:
        self.settings = settings
        self.svc = services
        self._serials = itertools.count(1)
        self.years = itertools.count(QC_YEAR + 1)  # a plan per province and year
        self.serial_of: dict[str, int] = {}
        self.authority = token(settings, Role.REGISTRY_AUTHORITY, PROVINCE)
        self.centre = token(settings, Role.QC_CENTRE, PROVINCE)
        self.supervisor = token(settings, Role.SUPERVISION_UNIT, PROVINCE)
        self.planned: list[str] = []  # institutions in the QC plan of QC_YEAR
        self.plan_id = ""
        self.draw_id = ""

    def headers(self, role: str, call: Call | None = None, where: str = "child") -> dict[str, str]:
        """A token for `role`: from a child region of the call's target (the province), its
        own region or another province; an institution as the one the call acts for or as
        another one."""
        if role == "anonymous":
            return {}
        if role == "institution":
            me = call.institution_id if call and call.institution_id else "nobody"
            return token(
                self.settings,
                Role.INSTITUTION,
                HOME,
                "someone-else" if where.startswith("other") else me,
            )
        region = {
            "own": call.region if call else HOME,
            "other-region": OTHER_PROVINCE,
            "other-city": OTHER_CITY,
        }.get(where, PROVINCE)
        return token(self.settings, Role(role), region)

    async def ok(self, service: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
        """A POST that prepares a cell; it must succeed."""
        r = await self.svc[service].call("POST", path, headers, body)
        assert 200 <= r.status_code < 300, f"preparing with POST {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    def serial(self) -> int:
        return next(self._serials)

    # registry

    async def institution(self) -> str:
        serial = self.serial()
        body = {
            "uscc": make_uscc(HOME, f"4900{serial:05d}"),
            "name": f"矩阵测试机构{serial}号",
            "address": "杭州市西湖区文三路1号",
            "legal_representative": "王建国",
            "nature": "企业",
            "kind": "occupational-health-service",
            "region_code": HOME,
            "website": "https://www.example.cn",  # R6a: a qualified institution has one
        }
        iid = str((await self.ok("registry", "/api/v1/institutions", self.authority, body))["id"])
        self.serial_of[iid] = serial
        return iid

    async def staffed(self) -> str:
        iid = await self.institution()
        for n in range(15):
            body = staff_body(iid, n, self.serial_of[iid])
            await self.ok("registry", "/api/v1/staff", self.authority, body)
        return iid

    async def staff(self, institution_id: str) -> str:
        body = staff_body(institution_id, 0, 1000 + self.serial())
        return str((await self.ok("registry", "/api/v1/staff", self.authority, body))["id"])

    async def applied(self, reviewed: bool = False) -> tuple[str, str]:
        iid = await self.staffed()
        body = {"institution_id": iid, "kind": "occupational-health", "scope_codes": ["OH-01"]}
        qid = str((await self.ok("registry", "/api/v1/qualifications", self.authority, body))["id"])
        if reviewed:
            await self.ok("registry", f"/api/v1/qualifications/{qid}/review", self.authority)
        return iid, qid

    def certificate(self, institution_id: str) -> str:
        return f"(浙)卫职技字(2026)第{self.serial_of[institution_id]:04d}号"

    async def qualified(self) -> tuple[str, str]:
        iid, qid = await self.applied(reviewed=True)
        grant = {"certificate_number": self.certificate(iid), "valid_from": "2026-01-01"}
        await self.ok("registry", f"/api/v1/qualifications/{qid}/grant", self.authority, grant)
        return iid, qid

    def filing_body(self, institution_id: str) -> dict[str, Any]:
        return {
            "institution_id": institution_id,
            "province_code": "530000",
            "certificate_number": self.certificate(institution_id),
            "contacts": [{"name": "王", "phone": "0571-8800000"}],
            "receiving_qc_centre": "云南省质控中心",
        }

    async def campaign(self) -> str:
        body = {
            "title": "职业卫生技术服务执业行为专项治理",
            "region_code": "330100",
            "period_from": "2026-01-01",
            "period_to": "2026-08-31",
            "deadline": "2026-09-30",
        }
        return str(
            (await self.ok("registry", "/api/v1/self-inspection-campaigns", self.authority, body))[
                "id"
            ]
        )

    # qc

    async def start_plans(self) -> None:
        """Qualified institutions the other services know, a QC plan and an inspection draw."""
        ids = [(await self.qualified())[0] for _ in range(4)]

        async def known() -> bool:
            for iid in ids:
                r = await self.svc["qc"].call("GET", f"/api/v1/institutions/{iid}", self.centre)
                if r.status_code != 200:
                    return False
            async with self.svc["enforcement"].runtime.pool.acquire() as conn:
                return bool(
                    await conn.fetchval(
                        "SELECT count(*) FROM known_certificates WHERE institution_id = ANY($1)",
                        ids,
                    )
                    == len(ids)
                )

        await eventually(known)
        body = {"province_code": PROVINCE, "year": QC_YEAR, "seed": "matrix"}
        self.plan_id = str((await self.ok("qc", "/api/v1/plans", self.centre, body))["id"])
        plan = (
            await self.svc["qc"].call("GET", f"/api/v1/plans/{self.plan_id}", self.centre)
        ).json()
        self.planned = sorted(
            {e["institution_id"] for group in plan["groups"].values() for e in group}
        )
        assert self.planned, plan
        self.draw_id = await self.draw()

    async def items(self, count: int) -> tuple[str, list[str]]:
        """Rectification items of a planned institution, from a failed on-site result."""
        target = self.planned[0]
        activity = await self.activity(target)
        findings = [
            {
                "category": "records-management",
                "description": f"技术服务档案缺少委托合同{n}",
                "due_on": "2026-12-15",
            }
            for n in range(count)
        ]
        result = {"institution_id": target, "result": "fail", "findings": findings}
        opened = await self.ok("qc", f"/api/v1/activities/{activity}/results", self.centre, result)
        return target, list(opened["rectification_item_ids"])

    async def activity(self, target: str) -> str:
        body = {"plan_id": self.plan_id, "kind": "on-site", "participants": [target]}
        return str((await self.ok("qc", "/api/v1/activities", self.centre, body))["id"])

    async def submitted(self) -> str:
        target, [item] = await self.items(1)
        body = {"text": "已补全委托合同并归档", "attachment_refs": []}
        await self.ok(
            "qc",
            f"/api/v1/rectifications/{item}/submission",
            self.headers("institution", Call("", institution_id=target)),
            body,
        )
        return item

    # enforcement

    async def draw(self) -> str:
        roster = [{"inspector_id": f"m{k}"} for k in range(8)]
        body = {
            "jurisdiction_region_code": PROVINCE,
            "year": QC_YEAR,
            "sampling_ratio": "1/4",
            "roster": roster,
        }
        plan = (await self.ok("enforcement", "/api/v1/plans", self.supervisor, body))["id"]
        draw = await self.ok(
            "enforcement", f"/api/v1/plans/{plan}/draws", self.supervisor, {"seed": "matrix"}
        )
        return str(draw["id"])

    async def inspection(self, completed: bool = False) -> str:
        n = self.serial()
        body = {
            "institution_id": self.planned[0],
            "kind": "complaint",
            "period": str(n + 2000),  # a period of its own: no merge
            "inspectors": [f"i{n}a", f"i{n}b"],  # E2: not the previous inspection's
        }
        iid = str(
            (await self.ok("enforcement", "/api/v1/inspections", self.supervisor, body))["id"]
        )
        if completed:
            done = {"result": "compliant", "full_evaluation": True, "ended_on": "2026-08-20"}
            await self.ok(
                "enforcement", f"/api/v1/inspections/{iid}/completion", self.supervisor, done
            )
        return iid

    async def lead(self) -> str:
        body = {
            "institution_id": self.planned[0],
            "description": "投诉：技术服务合同未载明业务范围",
        }
        return str(
            (await self.ok("enforcement", "/api/v1/leads/complaints", self.supervisor, body))["id"]
        )

    async def referred_lead(self) -> str:
        """A lead from a QC referral to the province's unit (an institution working out of
        its province is referred to the province it worked in), as qc's relay publishes it."""
        referral_id = f"ref-matrix-{self.serial()}"
        referral = ViolationClueReferred(
            referral_id=referral_id,
            institution_id=self.planned[0],
            category="false-report",
            description="质控发现检测报告数据与原始记录不符",
            evidence_refs=["record-1"],
            supervision_region_code=PROVINCE,
            reason="finding",
            referred_on=NOW.date(),
        )
        await publish_event(self.settings, "qc", referral, self.planned[0], HOME)
        found: list[str] = []

        async def opened() -> bool:
            r = await self.svc["enforcement"].call("GET", "/api/v1/leads", self.supervisor)
            found[:] = [x["lead_id"] for x in r.json() if x["source_ref"] == referral_id]
            return bool(found)

        await eventually(opened)
        return found[0]

    async def case(self, until: str = "opened") -> str:
        """A case brought to `until`: opened, investigated, decided or executed."""
        lead = await self.lead()
        violation = {"violation": "work-requirements-not-met"}
        case = str(
            (
                await self.ok(
                    "enforcement", f"/api/v1/leads/{lead}/case", self.supervisor, violation
                )
            )["id"]
        )
        steps = ["opened", "investigated", "decided", "executed"]
        for step in steps[1 : steps.index(until) + 1]:
            path, body = {
                "investigated": ("investigation", {"summary": "经调查，违法事实清楚"}),
                "decided": (
                    "penalty",
                    {
                        "decision_number": f"浙卫罚〔2026〕{self.serial()}号",
                        "penalties": ["warning", "fine"],  # published: it can be repaired
                        "fine_yuan": "3000",
                    },
                ),
                "executed": ("execution", None),
            }[step]
            await self.ok("enforcement", f"/api/v1/cases/{case}/{path}", self.supervisor, body)
        return case


@asynccontextmanager
async def world(settings: Settings) -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        services = {
            name: await stack.enter_async_context(running(app, settings, NOW))
            for name, app in (
                ("registry", registry_app),
                ("qc", qc_app),
                ("enforcement", enforcement_app),
                ("reporting", reporting_app),
            )
        }
        w = World(settings, services)
        await w.start_plans()
        yield w


Recipe = Callable[[World, str], Awaitable[Call]]
RECIPES: dict[tuple[str, str, str], Recipe] = {}


def recipe(service: str, method: str, path: str) -> Callable[[Recipe], Recipe]:
    def register(f: Recipe) -> Recipe:
        RECIPES[(service, method, path)] = f
        return f

    return register


def plain(service: str, method: str, path: str) -> None:
    """An endpoint that needs nothing prepared."""

    async def call(w: World, role: str) -> Call:
        return Call(path)

    RECIPES[(service, method, path)] = call


# registry

for path in (
    "/api/v1/decisions/overdue",
    "/api/v1/penalty-notices",
    "/api/v1/filings/summaries/outstanding",
    "/api/v1/inspections/due",
    "/api/v1/qc-notices",
    "/api/v1/report-cards/status",
    "/api/v1/scope-codes",
    "/api/v1/scope-codes/legacy",
):
    plain("registry", "GET", path)


@recipe("registry", "GET", "/api/v1/institutions/{institution_id}")
async def _institution_record(w: World, role: str) -> Call:
    return Call(f"/api/v1/institutions/{w.planned[0]}")


@recipe("registry", "GET", "/api/v1/institutions/{institution_id}/exemptions")
async def _exemptions(w: World, role: str) -> Call:
    return Call(f"/api/v1/institutions/{w.planned[0]}/exemptions")


@recipe("registry", "POST", "/api/v1/institutions")
async def _register(w: World, role: str) -> Call:
    serial = w.serial()
    return Call(
        "/api/v1/institutions",
        {
            "uscc": make_uscc(HOME, f"4910{serial:05d}"),
            "name": f"矩阵新机构{serial}号",
            "address": "杭州市西湖区文二路2号",
            "legal_representative": "李明",
            "nature": "企业",
            "kind": "occupational-health-service",
            "region_code": HOME,
        },
    )


@recipe("registry", "PATCH", "/api/v1/institutions/{institution_id}")
async def _change_details(w: World, role: str) -> Call:
    return Call(
        f"/api/v1/institutions/{await w.institution()}", {"address": "杭州市西湖区文二路3号"}
    )


@recipe("registry", "POST", "/api/v1/qualifications")
async def _apply(w: World, role: str) -> Call:
    iid = await w.staffed()
    body = {"institution_id": iid, "kind": "occupational-health", "scope_codes": ["OH-01"]}
    return Call("/api/v1/qualifications", body, iid)


@recipe("registry", "POST", "/api/v1/qualifications/{qualification_id}/review")
async def _review(w: World, role: str) -> Call:
    _, qid = await w.applied()
    return Call(f"/api/v1/qualifications/{qid}/review")


@recipe("registry", "POST", "/api/v1/qualifications/{qualification_id}/grant")
async def _grant(w: World, role: str) -> Call:
    iid, qid = await w.applied(reviewed=True)
    body = {"certificate_number": w.certificate(iid), "valid_from": "2026-01-01"}
    return Call(f"/api/v1/qualifications/{qid}/grant", body)


@recipe("registry", "POST", "/api/v1/qualifications/{qualification_id}/reject")
async def _reject(w: World, role: str) -> Call:
    _, qid = await w.applied(reviewed=True)
    return Call(f"/api/v1/qualifications/{qid}/reject", {"reason": "专业技术人员条件不符"})


@recipe("registry", "POST", "/api/v1/qualifications/{qualification_id}/renewal")
async def _renew(w: World, role: str) -> Call:
    iid, qid = await w.qualified()
    return Call(f"/api/v1/qualifications/{qid}/renewal", {}, iid)


@recipe("registry", "POST", "/api/v1/qualifications/{qualification_id}/renewal/decision")
async def _decide_renewal(w: World, role: str) -> Call:
    _, qid = await w.qualified()
    await w.ok("registry", f"/api/v1/qualifications/{qid}/renewal", w.authority, {})
    return Call(f"/api/v1/qualifications/{qid}/renewal/decision", {"approve": True})


@recipe("registry", "POST", "/api/v1/qualifications/{qualification_id}/change")
async def _change(w: World, role: str) -> Call:
    _, qid = await w.qualified()
    return Call(f"/api/v1/qualifications/{qid}/change", {"address": "杭州市西湖区文二路4号"})


async def _granted_then(action: str, w: World, role: str) -> Call:
    _, qid = await w.qualified()
    return Call(f"/api/v1/qualifications/{qid}/{action}", {"reason": "机构申请注销资质"})


for action in ("cancel", "withdraw"):
    RECIPES[("registry", "POST", f"/api/v1/qualifications/{{qualification_id}}/{action}")] = (
        partial(_granted_then, action)
    )


@recipe("registry", "POST", "/api/v1/qualifications/{qualification_id}/publications")
async def _publish(w: World, role: str) -> Call:
    _, qid = await w.qualified()
    async with w.svc["registry"].runtime.pool.acquire() as conn:
        decision = await conn.fetchval(
            "SELECT event_id::text FROM events"
            " WHERE aggregate_id = $1 AND event_type = 'registry.QualificationGranted'",
            qid,
        )
    return Call(f"/api/v1/qualifications/{qid}/publications", {"decision_event_id": decision})


@recipe("registry", "POST", "/api/v1/staff")
async def _register_staff(w: World, role: str) -> Call:
    iid = await w.institution()
    return Call("/api/v1/staff", staff_body(iid, 0, 1000 + w.serial()), iid)


@recipe("registry", "POST", "/api/v1/staff/{staff_id}/leave")
async def _leave(w: World, role: str) -> Call:
    iid = await w.institution()
    return Call(f"/api/v1/staff/{await w.staff(iid)}/leave", {}, iid)


@recipe("registry", "DELETE", "/api/v1/staff/{staff_id}/personal-data")
async def _erase(w: World, role: str) -> Call:
    return Call(f"/api/v1/staff/{await w.staff(await w.institution())}/personal-data")


@recipe("registry", "POST", "/api/v1/filings")
async def _file(w: World, role: str) -> Call:
    iid, _ = await w.qualified()
    return Call("/api/v1/filings", w.filing_body(iid), iid)


@recipe("registry", "POST", "/api/v1/filings/{filing_id}/summaries")
async def _summary(w: World, role: str) -> Call:
    iid, _ = await w.qualified()
    filing = (await w.ok("registry", "/api/v1/filings", w.authority, w.filing_body(iid)))["id"]
    return Call(f"/api/v1/filings/{filing}/summaries", {"period": "2026H1", "projects": []}, iid)


@recipe("registry", "POST", "/api/v1/report-cards")
async def _card(w: World, role: str) -> Call:
    iid = await w.institution()
    body = {
        "institution_id": iid,
        "report_number": f"M-{w.serial()}",
        "service_kind": "detection",
        "client_name": "杭州某化工有限公司",
        "client_uscc": make_uscc(HOME, "000000001", "91"),
        "client_region_code": HOME,
        "completion_date": "2026-08-20",
    }
    return Call("/api/v1/report-cards", body, iid)


@recipe("registry", "POST", "/api/v1/imports/legacy")
async def _legacy(w: World, role: str) -> Call:
    return Call("/api/v1/imports/legacy", csv=LEGACY_CSV.read_text("utf-8"), refused=_rows_refused)


def _rows_refused(r: httpx.Response) -> bool:
    """An import reports per row; from another region every row is refused, none imported."""
    report = r.json()
    return (
        r.status_code == 200
        and report["imported"] == report["already_imported"] == 0
        and bool(report["errors"])
        and all("outside the jurisdiction" in e["reason"] for e in report["errors"])
    )


@recipe("registry", "POST", "/api/v1/self-inspection-campaigns")
async def _launch(w: World, role: str) -> Call:
    body = {
        "title": "职业卫生技术服务自查",
        "region_code": "330100",
        "period_from": "2026-01-01",
        "period_to": "2026-08-31",
        "deadline": "2026-09-30",
    }
    return Call("/api/v1/self-inspection-campaigns", body, region="330100")


@recipe("registry", "GET", "/api/v1/self-inspection-campaigns")
async def _campaigns(w: World, role: str) -> Call:
    await w.campaign()
    return Call("/api/v1/self-inspection-campaigns", institution_id=w.planned[0])


@recipe("registry", "GET", "/api/v1/self-inspection-campaigns/{campaign_id}")
async def _campaign(w: World, role: str) -> Call:
    """A city's campaign: its officials and the institutions inside it see it."""
    campaign = await w.campaign()
    path = f"/api/v1/self-inspection-campaigns/{campaign}"
    return Call(path, institution_id=w.planned[0], region="330100")


@recipe("registry", "POST", "/api/v1/self-inspection-campaigns/{campaign_id}/reports")
async def _self_report(w: World, role: str) -> Call:
    iid, campaign = await w.institution(), await w.campaign()
    body = {
        "institution_id": iid,
        "technical_staff": 15,
        "detection_reports": 120,
        "evaluation_reports": 18,
        "detection_report_problems": 3,
        "evaluation_report_problems": 1,
    }
    return Call(f"/api/v1/self-inspection-campaigns/{campaign}/reports", body, iid)


# qc

for path in (
    "/api/v1/categories",
    "/api/v1/dashboard/referrals",
    "/api/v1/follow-ups",
    "/api/v1/typical-cases",
    "/api/v1/public-list",
    "/api/v1/rectifications",
):
    plain("qc", "GET", path)


@recipe("qc", "GET", "/api/v1/institutions/{institution_id}")
async def _qc_record(w: World, role: str) -> Call:
    return Call(f"/api/v1/institutions/{w.planned[0]}")


@recipe("qc", "GET", "/api/v1/plans/{plan_id}")
async def _plan(w: World, role: str) -> Call:
    return Call(f"/api/v1/plans/{w.plan_id}", region=PROVINCE)


@recipe("qc", "GET", "/api/v1/plans/{plan_id}/verification")
async def _plan_verification(w: World, role: str) -> Call:
    return Call(f"/api/v1/plans/{w.plan_id}/verification")


@recipe("qc", "POST", "/api/v1/plans")
async def _generate(w: World, role: str) -> Call:
    body = {"province_code": PROVINCE, "year": next(w.years), "seed": "m2"}
    return Call("/api/v1/plans", body, region=PROVINCE)


@recipe("qc", "POST", "/api/v1/activities")
async def _open_activity(w: World, role: str) -> Call:
    body = {"plan_id": w.plan_id, "kind": "on-site", "participants": w.planned[:1]}
    return Call("/api/v1/activities", body, region=PROVINCE)


@recipe("qc", "POST", "/api/v1/activities/{activity_id}/results")
async def _result(w: World, role: str) -> Call:
    target = w.planned[0]
    activity = await w.activity(target)
    body = {"institution_id": target, "result": "pass"}
    return Call(f"/api/v1/activities/{activity}/results", body, region=PROVINCE)  # the plan's


@recipe("qc", "POST", "/api/v1/conclusions")
async def _conclude(w: World, role: str) -> Call:
    year = next(w.years)  # a year of its own: a year is concluded once
    await w.ok("qc", "/api/v1/plans", w.centre, {"province_code": PROVINCE, "year": year})
    return Call("/api/v1/conclusions", {"province_code": PROVINCE, "year": year}, region=PROVINCE)


@recipe("qc", "POST", "/api/v1/rectifications/{item_id}/submission")
async def _submit(w: World, role: str) -> Call:
    target, [item] = await w.items(1)
    body = {"text": "已补全委托合同并归档", "attachment_refs": ["合同扫描件"]}
    return Call(f"/api/v1/rectifications/{item}/submission", body, target)


@recipe("qc", "POST", "/api/v1/rectifications/{item_id}/verification")
async def _verify(w: World, role: str) -> Call:
    return Call(f"/api/v1/rectifications/{await w.submitted()}/verification")


@recipe("qc", "POST", "/api/v1/rectifications/{item_id}/rejection")
async def _reject_rectification(w: World, role: str) -> Call:
    return Call(f"/api/v1/rectifications/{await w.submitted()}/rejection", {"reason": "未提供记录"})


@recipe("qc", "POST", "/api/v1/rectifications/{item_id}/reopening")
async def _reopen(w: World, role: str) -> Call:
    item = await w.submitted()
    await w.ok("qc", f"/api/v1/rectifications/{item}/verification", w.centre)
    return Call(f"/api/v1/rectifications/{item}/reopening", {"reason": "回头看发现问题未整改"})


@recipe("qc", "POST", "/api/v1/capability-assessments")
async def _capability(w: World, role: str) -> Call:
    body = {
        "institution_id": w.planned[0],
        "year": 2026,
        "meets": {"staff": True, "premises": True, "equipment": False, "support": True},
        "gaps": "仪器设备：缺少气相色谱仪",
        "improvement_plan": "2026年底前完成采购",
    }
    return Call("/api/v1/capability-assessments", body)


def follow_up_body(w: World) -> dict[str, Any]:
    return {
        "institution_id": w.planned[0],
        "kind": "supervised-rectification",
        "held_on": "2026-08-31",
        "subject": "质控不合格问题督办整改",
        "due_on": "2026-09-30",
    }


@recipe("qc", "POST", "/api/v1/follow-ups")
async def _follow_up(w: World, role: str) -> Call:
    return Call("/api/v1/follow-ups", follow_up_body(w))


@recipe("qc", "POST", "/api/v1/follow-ups/{follow_up_id}/outcome")
async def _follow_up_outcome(w: World, role: str) -> Call:
    made = await w.ok("qc", "/api/v1/follow-ups", w.centre, follow_up_body(w))
    outcome = {"outcome": "已按期整改完毕", "concluded_on": "2026-09-01"}
    return Call(f"/api/v1/follow-ups/{made['id']}/outcome", outcome)


# enforcement

for path in (
    "/api/v1/credit-classes",
    "/api/v1/inspections/overdue-publications",
    "/api/v1/leads",
    "/api/v1/penalties",
    "/api/v1/practice-bans",
    "/api/v1/judicial-transfers",
    "/api/v1/statutory-ranges",
):
    plain("enforcement", "GET", path)


@recipe("enforcement", "GET", "/api/v1/draws/{draw_id}/verification")
async def _draw_verification(w: World, role: str) -> Call:
    return Call(f"/api/v1/draws/{w.draw_id}/verification")


@recipe("enforcement", "GET", "/api/v1/draws/{draw_id}")
async def _draw_record(w: World, role: str) -> Call:
    return Call(f"/api/v1/draws/{w.draw_id}")


@recipe("enforcement", "GET", "/api/v1/draws/{draw_id}/inspections")
async def _draw_inspections(w: World, role: str) -> Call:
    return Call(f"/api/v1/draws/{w.draw_id}/inspections", region=PROVINCE)


@recipe("enforcement", "POST", "/api/v1/plans")
async def _inspection_plan(w: World, role: str) -> Call:
    body = {
        "jurisdiction_region_code": PROVINCE,
        "year": QC_YEAR,
        "sampling_ratio": "1/4",
        "roster": [{"inspector_id": f"n{k}"} for k in range(4)],
    }
    return Call("/api/v1/plans", body, region=PROVINCE)


@recipe("enforcement", "POST", "/api/v1/plans/{plan_id}/draws")
async def _draw(w: World, role: str) -> Call:
    body = {
        "jurisdiction_region_code": PROVINCE,
        "year": QC_YEAR,
        "sampling_ratio": "1/4",
        "roster": [{"inspector_id": f"d{k}"} for k in range(8)],
    }
    plan = (await w.ok("enforcement", "/api/v1/plans", w.supervisor, body))["id"]
    return Call(f"/api/v1/plans/{plan}/draws", {"seed": f"d{w.serial()}"}, region=PROVINCE)


@recipe("enforcement", "POST", "/api/v1/inspections")
async def _schedule(w: World, role: str) -> Call:
    n = w.serial()
    body = {
        "institution_id": w.planned[0],
        "kind": "complaint",
        "period": str(n + 2000),
        "inspectors": [f"s{n}a", f"s{n}b"],  # E2: not the previous inspection's
    }
    return Call("/api/v1/inspections", body)


@recipe("enforcement", "POST", "/api/v1/inspections/{inspection_id}/completion")
async def _complete(w: World, role: str) -> Call:
    body = {"result": "issues-found", "findings": ["档案不全"], "ended_on": "2026-08-25"}
    return Call(f"/api/v1/inspections/{await w.inspection()}/completion", body)


@recipe("enforcement", "POST", "/api/v1/inspections/{inspection_id}/leads")
async def _findings_lead(w: World, role: str) -> Call:
    body = {"category": "false-report", "description": "检查发现报告数据与原始记录不符"}
    return Call(f"/api/v1/inspections/{await w.inspection(completed=True)}/leads", body)


@recipe("enforcement", "POST", "/api/v1/inspections/{inspection_id}/publication")
async def _publish_result(w: World, role: str) -> Call:
    return Call(f"/api/v1/inspections/{await w.inspection(completed=True)}/publication")


@recipe("enforcement", "POST", "/api/v1/inspections/{inspection_id}/unreported-projects")
async def _unreported(w: World, role: str) -> Call:
    inspection = await w.inspection(completed=True)
    body = {"report_number": f"U-{w.serial()}", "client_name": "杭州某化工有限公司"}
    return Call(f"/api/v1/inspections/{inspection}/unreported-projects", body)


@recipe("enforcement", "POST", "/api/v1/leads/complaints")
async def _complaint(w: World, role: str) -> Call:
    body = {"institution_id": w.planned[0], "description": "投诉：报告签字人员未到现场"}
    return Call("/api/v1/leads/complaints", body)


@recipe("enforcement", "POST", "/api/v1/leads/unfiled-work")
async def _unfiled(w: World, role: str) -> Call:
    body = {"institution_id": w.planned[0], "description": "在外省开展技术服务未备案"}
    return Call("/api/v1/leads/unfiled-work", body)


@recipe("enforcement", "POST", "/api/v1/leads/{lead_id}/closure")
async def _close_lead(w: World, role: str) -> Call:
    return Call(f"/api/v1/leads/{await w.lead()}/closure", {"reason": "经核查投诉不属实"})


@recipe("enforcement", "POST", "/api/v1/leads/{lead_id}/referral-acknowledgement")
async def _acknowledge_referral(w: World, role: str) -> Call:
    lead = await w.referred_lead()
    return Call(
        f"/api/v1/leads/{lead}/referral-acknowledgement", {"note": "已签收"}, region=PROVINCE
    )


@recipe("enforcement", "POST", "/api/v1/leads/{lead_id}/case")
async def _open_case(w: World, role: str) -> Call:
    return Call(f"/api/v1/leads/{await w.lead()}/case", {"violation": "work-requirements-not-met"})


@recipe("enforcement", "POST", "/api/v1/cases/{case_id}/investigation")
async def _investigate(w: World, role: str) -> Call:
    return Call(
        f"/api/v1/cases/{await w.case()}/investigation", {"summary": "经调查，违法事实清楚"}
    )


TRANSFER = {
    "receiving_authority": "杭州市公安局西湖区分局",
    "suspected_offence": "涉嫌提供虚假证明文件罪",
    "transferred_on": "2026-08-20",
}


@recipe("enforcement", "POST", "/api/v1/cases/{case_id}/judicial-transfers")
async def _transfer(w: World, role: str) -> Call:
    return Call(f"/api/v1/cases/{await w.case()}/judicial-transfers", TRANSFER)


@recipe("enforcement", "POST", "/api/v1/judicial-transfers/{transfer_id}/status")
async def _transfer_status(w: World, role: str) -> Call:
    path = f"/api/v1/cases/{await w.case()}/judicial-transfers"
    transfer = (await w.ok("enforcement", path, w.supervisor, TRANSFER))["id"]
    body = {"status": "accepted", "on": "2026-08-25"}
    return Call(f"/api/v1/judicial-transfers/{transfer}/status", body, region=PROVINCE)


@recipe("enforcement", "POST", "/api/v1/cases/{case_id}/penalty")
async def _penalty(w: World, role: str) -> Call:
    body = {"decision_number": f"浙卫罚〔2026〕{w.serial()}号", "penalties": ["warning"]}
    return Call(f"/api/v1/cases/{await w.case('investigated')}/penalty", body)


@recipe("enforcement", "POST", "/api/v1/cases/{case_id}/execution")
async def _execute(w: World, role: str) -> Call:
    return Call(f"/api/v1/cases/{await w.case('decided')}/execution")


@recipe("enforcement", "POST", "/api/v1/cases/{case_id}/typical")
async def _typical(w: World, role: str) -> Call:
    return Call(
        f"/api/v1/cases/{await w.case('decided')}/typical", {"summary": "出具虚假报告的典型案例"}
    )


@recipe("enforcement", "POST", "/api/v1/cases/{case_id}/closure")
async def _close_case(w: World, role: str) -> Call:
    return Call(f"/api/v1/cases/{await w.case('executed')}/closure")


@recipe("enforcement", "POST", "/api/v1/cases/{case_id}/annulment")
async def _annul(w: World, role: str) -> Call:
    return Call(f"/api/v1/cases/{await w.case('decided')}/annulment", {"reason": "行政复议撤销"})


@recipe("enforcement", "POST", "/api/v1/cases/{case_id}/credit-repair")
async def _repair(w: World, role: str) -> Call:
    case = await w.case("executed")
    clock = w.svc["enforcement"].clock
    clock.advance(timedelta(days=400))  # past the minimum publicity period
    body = {"reason": "已整改并履行处罚", "harm_removed": True}
    return Call(
        f"/api/v1/cases/{case}/credit-repair",
        body,
        then=lambda: clock.advance(-timedelta(days=400)),
    )


# reporting

for path in (
    "/api/v1/public/institutions",
    "/api/v1/public/penalties",
    "/api/v1/public/qc-list",
    "/api/v1/public/revoked",
    "/api/v1/public/draws",
    "/api/v1/public/trends",
    "/api/v1/supervision/indicators",
):
    plain("reporting", "GET", path)


@recipe("reporting", "GET", "/api/v1/public/draws/{draw_id}")
async def _public_draw(w: World, role: str) -> Call:
    async def known() -> bool:
        r = await w.svc["reporting"].call("GET", f"/api/v1/public/draws/{w.draw_id}", {})
        return r.status_code == 200

    await eventually(known)
    return Call(f"/api/v1/public/draws/{w.draw_id}")


@recipe("reporting", "GET", "/api/v1/public/downloads/{name}")
async def _download(w: World, role: str) -> Call:
    return Call("/api/v1/public/downloads/penalties?format=xlsx")


@recipe("reporting", "GET", "/api/v1/public/open-data/{name}")
async def _open_data(w: World, role: str) -> Call:
    return Call("/api/v1/public/open-data/institutions")


@recipe("reporting", "GET", "/api/v1/supervision/forms/{form}")
async def _form(w: World, role: str) -> Call:
    return Call("/api/v1/supervision/forms/hangzhou-2?region=330100", region="330100")


async def _known_to_reporting(w: World) -> str:
    iid = w.planned[0]

    async def known() -> bool:
        r = await w.svc["reporting"].call("GET", f"/api/v1/public/institutions/{iid}", {})
        return r.status_code == 200

    await eventually(known)
    return iid


@recipe("reporting", "GET", "/api/v1/public/institutions/{institution_id}")
async def _public_page(w: World, role: str) -> Call:
    return Call(f"/api/v1/public/institutions/{await _known_to_reporting(w)}")


@recipe("reporting", "GET", "/api/v1/supervision/institutions/{institution_id}/penalties")
async def _penalty_record(w: World, role: str) -> Call:
    return Call(f"/api/v1/supervision/institutions/{await _known_to_reporting(w)}/penalties")


# lists and records of the staff pages (issue 19)

plain("registry", "GET", "/api/v1/institutions")
plain("qc", "GET", "/api/v1/plans")
plain("qc", "GET", "/api/v1/activities")
for path in ("/api/v1/cases", "/api/v1/inspections", "/api/v1/plans"):
    plain("enforcement", "GET", path)


def _own(path: str) -> Recipe:
    """A list an institution reads as itself (the first planned institution)."""

    async def call(w: World, role: str) -> Call:
        return Call(path, institution_id=w.planned[0])

    return call


for path in ("/api/v1/qualifications", "/api/v1/staff", "/api/v1/filings"):
    RECIPES[("registry", "GET", path)] = _own(path)

# the to-do lists' sources (issue 19, 待办)
for path in ("/api/v1/conditions/unmet", "/api/v1/certificates/expiring"):
    plain("registry", "GET", path)
for path in ("/api/v1/report-cards/due", "/api/v1/filings/summaries/due"):
    RECIPES[("registry", "GET", path)] = _own(path)
for path in ("/api/v1/rectifications/due", "/api/v1/plan-progress"):
    plain("qc", "GET", path)
for path in (
    "/api/v1/leads/unacknowledged",
    "/api/v1/cases/stages",
    "/api/v1/penalties/publicity",
    "/api/v1/inspections/current-draw",
):
    plain("enforcement", "GET", path)


@recipe("registry", "GET", "/api/v1/institutions/{institution_id}/history")
async def _institution_history(w: World, role: str) -> Call:
    return Call(f"/api/v1/institutions/{w.planned[0]}/history", institution_id=w.planned[0])


@recipe("registry", "GET", "/api/v1/qualifications/{qualification_id}")
async def _qualification_record(w: World, role: str) -> Call:
    iid, qid = await w.applied()
    return Call(f"/api/v1/qualifications/{qid}", institution_id=iid)


@recipe("registry", "GET", "/api/v1/staff/{staff_id}")
async def _staff_record(w: World, role: str) -> Call:
    iid = await w.institution()
    return Call(f"/api/v1/staff/{await w.staff(iid)}", institution_id=iid)


@recipe("registry", "GET", "/api/v1/filings/{filing_id}")
async def _filing_record(w: World, role: str) -> Call:
    iid, _ = await w.qualified()
    # Filed in 广东 (not the other-region caller's 云南, which would see it by R7).
    body = {**w.filing_body(iid), "province_code": "440000"}
    filing = (await w.ok("registry", "/api/v1/filings", w.authority, body))["id"]
    return Call(f"/api/v1/filings/{filing}", institution_id=iid)


@recipe("qc", "GET", "/api/v1/plans/{plan_id}/history")
async def _qc_plan_history(w: World, role: str) -> Call:
    return Call(f"/api/v1/plans/{w.plan_id}/history", region=PROVINCE)


@recipe("qc", "GET", "/api/v1/activities/{activity_id}")
async def _activity_record(w: World, role: str) -> Call:
    return Call(f"/api/v1/activities/{await w.activity(w.planned[0])}", region=PROVINCE)


@recipe("qc", "GET", "/api/v1/institutions/{institution_id}/rectifications")
async def _institution_items(w: World, role: str) -> Call:
    target = w.planned[0]
    return Call(f"/api/v1/institutions/{target}/rectifications", institution_id=target)


@recipe("qc", "GET", "/api/v1/rectifications/{item_id}")
async def _item_record(w: World, role: str) -> Call:
    target, [item] = await w.items(1)
    return Call(f"/api/v1/rectifications/{item}", institution_id=target)


@recipe("enforcement", "GET", "/api/v1/cases/{case_id}")
async def _case_record(w: World, role: str) -> Call:
    return Call(f"/api/v1/cases/{await w.case('decided')}")


@recipe("enforcement", "GET", "/api/v1/inspections/{inspection_id}")
async def _inspection_record(w: World, role: str) -> Call:
    return Call(f"/api/v1/inspections/{await w.inspection()}")


@recipe("enforcement", "GET", "/api/v1/leads/{lead_id}")
async def _lead_record(w: World, role: str) -> Call:
    return Call(f"/api/v1/leads/{await w.lead()}")


@recipe("enforcement", "GET", "/api/v1/plans/{plan_id}")
async def _inspection_plan_record(w: World, role: str) -> Call:
    body = {
        "jurisdiction_region_code": PROVINCE,
        "year": QC_YEAR,
        "sampling_ratio": "1/4",
        "roster": [{"inspector_id": f"p{k}"} for k in range(4)],
    }
    plan = (await w.ok("enforcement", "/api/v1/plans", w.supervisor, body))["id"]
    return Call(f"/api/v1/plans/{plan}", region=PROVINCE)
