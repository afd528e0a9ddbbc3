"""Demo data, loaded through the public command APIs with real tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from contracts.envelope import Role
from ohts_kit.auth import issue_token
from ohts_kit.settings import Settings
from services.registry.domain.people import make_id_number
from services.registry.domain.uscc import make_uscc

COMMANDS = ("POST", "PUT", "PATCH", "DELETE")


def _idempotency_key(request: httpx.Request) -> None:
    if request.method in COMMANDS and "idempotency-key" not in request.headers:
        request.headers["Idempotency-Key"] = str(uuid.uuid4())


def keyed_client(**options: Any) -> httpx.Client:
    """Every command carries an Idempotency-Key (issue 18.5), so a command the transport
    sends again after a lost connection has one effect, and the first answer."""
    return httpx.Client(
        event_hooks={"request": [_idempotency_key]},
        transport=httpx.HTTPTransport(retries=2),
        **options,
    )


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = (
    "建国",
    "丽",
    "明",
    "晓燕",
    "海",
    "强",
    "敏",
    "志刚",
    "静",
    "伟",
    "芳",
    "磊",
    "娜",
    "军",
    "洋",
)
LEGACY_CSV = Path(__file__).parent / "data" / "legacy_institutions.csv"


@dataclass(frozen=True)
class DemoInstitution:
    name: str
    region_code: str
    serial: str
    kind: str
    address: str
    legal_representative: str
    certificate_number: str | None
    qualification_kind: str | None
    scopes: tuple[str, ...]


INSTITUTIONS = (
    DemoInstitution(
        "浙江省职业病防治研究院检测中心",
        "330106",
        "470000001",
        "occupational-health-service",
        "杭州市西湖区文三路100号",
        "王建国",
        "(浙)卫职技字(2023)第0001号",
        "occupational-health",
        ("OH-02", "OH-04"),
    ),
    DemoInstitution(
        "杭州安康职业卫生技术服务有限公司",
        "330105",
        "470000002",
        "occupational-health-service",
        "杭州市拱墅区湖墅南路58号",
        "李明",
        "(浙)卫职技字(2024)第0012号",
        "occupational-health",
        ("OH-01", "OH-03", "OH-04"),
    ),
    DemoInstitution(
        "浙江辐安放射卫生技术服务中心",
        "330102",
        "470000003",
        "radiological-health-service",
        "杭州市上城区解放路18号",
        "陈晓",
        "(浙)卫放技字(2022)第0005号",
        "radiological-health",
        ("RH-01", "RH-02", "RH-03"),
    ),
    DemoInstitution(
        "云南滇康职业卫生检测评价有限公司",
        "530102",
        "470000004",
        "occupational-health-service",
        "昆明市五华区人民中路66号",
        "张丽",
        "(滇)卫职技字(2023)第0008号",
        "occupational-health",
        ("OH-01", "OH-02"),
    ),
    DemoInstitution(
        "河南中原职业卫生技术服务有限公司",
        "410105",
        "470000005",
        "occupational-health-service",
        "郑州市金水区花园路12号",
        "赵强",
        "(豫)卫职技字(2024)第0021号",
        "occupational-health",
        ("OH-03", "OH-04", "OH-06"),
    ),
    DemoInstitution(
        "广西桂卫放射防护检测中心",
        "450103",
        "470000006",
        "radiological-health-service",
        "南宁市青秀区民族大道88号",
        "韦海",
        "(桂)卫放技字(2023)第0003号",
        "radiological-health",
        ("RH-02", "RH-04"),
    ),
    DemoInstitution(
        "杭州市西湖区职业健康检查中心",
        "330106",
        "470000007",
        "health-examination",
        "杭州市西湖区天目山路200号",
        "周敏",
        None,
        None,
        (),
    ),
)


def authority(settings: Settings, region_code: str) -> dict[str, str]:
    token = issue_token(
        settings,
        role=Role.REGISTRY_AUTHORITY,
        region_code=region_code[:2] + "0000",
        subject=f"demo-authority-{region_code[:2]}",
    )
    return {"Authorization": f"Bearer {token}"}


def ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: "
            f"{response.status_code} {response.text}"
        )
    return response.json() if response.content else None


def staff_name(n: int, serial: int) -> str:
    """Staff names share no text with the institutions' legal representatives and contacts,
    so a scan for staff names in public output can tell them apart (the middle 思)."""
    return SURNAMES[(serial + n) % len(SURNAMES)] + "思" + GIVEN[n % len(GIVEN)]


def staff_body(institution_id: str, n: int, serial: int) -> dict[str, Any]:
    role = "technical-lead" if n == 0 else "qc-lead" if n == 1 else "staff"
    birth = date(1970, 1, 1) + timedelta(days=397 * n + serial)
    first17 = f"330106{birth:%Y%m%d}{(serial * 17 + n) % 1000:03d}"
    return {
        "institution_id": institution_id,
        "name": staff_name(n, serial),
        "id_number": make_id_number(first17),
        "title": "senior" if n < 2 else "intermediate" if n < 6 else "junior",
        "specialty": ["职业卫生", "检测检验", "放射防护", "职业卫生工程"][n % 4],
        "years_of_experience": 12 if n < 2 else 4,
        "role": role,
        "full_time": True,
        **(
            {"assessment_certificate_number": f"PX-{serial}-{n}", "assessment_date": "2025-06-01"}
            if n % 3 == 0
            else {}
        ),
    }


def qualify(
    client: httpx.Client,
    headers: dict[str, str],
    institution_id: str,
    kind: str,
    scopes: list[str],
    certificate_number: str,
    serial: int,
    valid_from: str = "2023-03-01",
) -> str:
    """Staff the institution to the R6a conditions, then apply, review and grant."""
    for n in range(15):
        ok(
            client.post(
                "/api/v1/staff", headers=headers, json=staff_body(institution_id, n, serial)
            )
        )
    qualification_id: str = ok(
        client.post(
            "/api/v1/qualifications",
            headers=headers,
            json={"institution_id": institution_id, "kind": kind, "scope_codes": scopes},
        )
    )["id"]
    ok(client.post(f"/api/v1/qualifications/{qualification_id}/review", headers=headers))
    ok(
        client.post(
            f"/api/v1/qualifications/{qualification_id}/grant",
            headers=headers,
            json={"certificate_number": certificate_number, "valid_from": valid_from},
        )
    )
    return qualification_id


def register(client: httpx.Client, headers: dict[str, str], item: DemoInstitution) -> str:
    institution_id: str = ok(
        client.post(
            "/api/v1/institutions",
            headers=headers,
            json={
                "uscc": make_uscc(item.region_code, item.serial),
                "name": item.name,
                "address": item.address,
                "legal_representative": item.legal_representative,
                "nature": "企业" if "有限公司" in item.name else "事业单位",
                "kind": item.kind,
                "region_code": item.region_code,
                "contacts": [{"name": item.legal_representative, "phone": "0571-88000000"}],
                "website": f"https://www.example-{item.serial}.cn",
            },
        )
    )["id"]
    return institution_id


def load_demo(settings: Settings, registry_url: str) -> list[str]:
    """Institutions in four provinces with staff and certificates, a legacy import, an
    out-of-province filing with a work summary, and service report cards."""
    with keyed_client(base_url=registry_url, timeout=30) as client:
        ids = _register_institutions(settings, client)
        zj = authority(settings, "330000")
        _legacy_import(client, zj)
        _yunnan_filing(client, zj, ids[0])
        _report_cards(client, zj, ids)
    return ids


def _register_institutions(settings: Settings, client: httpx.Client) -> list[str]:
    ids: list[str] = []
    for serial, item in enumerate(INSTITUTIONS, start=1):
        headers = authority(settings, item.region_code)
        institution_id = register(client, headers, item)
        ids.append(institution_id)
        if item.certificate_number and item.qualification_kind:
            qualify(
                client,
                headers,
                institution_id,
                item.qualification_kind,
                list(item.scopes),
                item.certificate_number,
                serial,
            )
    return ids


def _legacy_import(client: httpx.Client, zj: dict[str, str]) -> None:
    report = ok(
        client.post(
            "/api/v1/imports/legacy",
            headers={**zj, "Content-Type": "text/csv"},
            content=LEGACY_CSV.read_text("utf-8").encode(),
        )
    )
    if report["errors"]:
        raise RuntimeError(f"demo legacy import: {report['errors']}")


def _yunnan_filing(client: httpx.Client, zj: dict[str, str], institution_id: str) -> None:
    # 浙江省职业病防治研究院检测中心 works in Yunnan: files first (R7), then reports.
    filing_id = ok(
        client.post(
            "/api/v1/filings",
            headers=zj,
            json={
                "institution_id": institution_id,
                "province_code": "530000",
                "certificate_number": INSTITUTIONS[0].certificate_number,
                "contacts": [{"name": "王建国", "phone": "0571-88000000"}],
                "receiving_qc_centre": "云南省职业病防治院质量控制中心",
            },
        )
    )["id"]
    ok(
        client.post(
            f"/api/v1/filings/{filing_id}/summaries",
            headers=zj,
            json={
                "period": "2026H1",
                "projects": [
                    {
                        "report_name": "某矿业公司职业病危害因素定期检测报告",
                        "report_number": "ZJJC-2026-0107",
                        "completion_date": "2026-04-18",
                        "client_name": "云南某矿业有限公司",
                        "client_address": "昆明市东川区",
                        "client_contact": "0871-6000000",
                    }
                ],
            },
        )
    )


def _report_cards(client: httpx.Client, zj: dict[str, str], ids: list[str]) -> None:
    for n, (kind, completed) in enumerate(
        [
            ("detection", "2026-09-01"),
            ("evaluation", "2026-10-20"),
            ("current-status-evaluation", "2026-11-02"),
        ]
    ):
        ok(
            client.post(
                "/api/v1/report-cards",
                headers=zj,
                json={
                    "institution_id": ids[n % 2],
                    "report_number": f"ZJ-2026-{100 + n}",
                    "service_kind": kind,
                    "client_name": f"杭州某化工有限公司{n + 1}",
                    "client_uscc": make_uscc("330106", f"00000{n + 1:04d}", "91"),
                    "client_region_code": "330106",
                    "completion_date": completed,
                },
            )
        )


def wait_until(check: Any, what: str, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"demo: {what} did not happen within {timeout}s")
        time.sleep(0.2)


def load_qc_demo(settings: Settings, qc_url: str, institution_ids: list[str]) -> str:
    """A Zhejiang plan with findings, rectifications in each state, and referrals."""
    from ohts_kit.auth import issue_token as issue

    centre = {
        "Authorization": "Bearer "
        + issue(
            settings, role=Role.QC_CENTRE, region_code="330000", subject="浙江省职业卫生质控中心"
        )
    }
    with keyed_client(base_url=qc_url, timeout=30) as client:
        # qc learns institutions from registry events: wait until it knows the Zhejiang ones.
        wait_until(
            lambda: all(
                client.get(f"/api/v1/institutions/{i}", headers=centre).status_code == 200
                for i in institution_ids[:3]
            ),
            "qc learning the registry",
        )
        plan_id = _qc_plan(client, centre, institution_ids)
        items = _qc_results(client, centre, plan_id, institution_ids)
        inst = {
            "Authorization": "Bearer "
            + issue(
                settings,
                role=Role.INSTITUTION,
                region_code="330105",
                institution_id=institution_ids[1],
            )
        }
        _rectifications(client, centre, inst, items)
    return plan_id


def _qc_plan(client: httpx.Client, centre: dict[str, str], institution_ids: list[str]) -> str:
    plan_id = ok(
        client.post(
            "/api/v1/plans",
            headers=centre,
            json={
                "province_code": "330000",
                "year": 2026,
                "seed": "zj-2026-demo",
                "complaints_to_verify": [institution_ids[1]],
            },
        )
    )["id"]
    return plan_id


# The on-site check's findings at the failing institution, one rectification item each.
ON_SITE_FINDINGS: list[dict[str, Any]] = [
    {
        "category": "false-report",
        "severity": "serious",
        "description": "检测报告中噪声测量数据与现场原始记录不符",
        "evidence_refs": ["现场照片-01", "原始记录-17"],
        "due_on": "2026-12-31",
    },
    {
        "category": "records-management",
        "description": "技术服务档案缺少委托合同",
        "due_on": "2026-12-15",
    },
    {
        "category": "service-procedure",
        "description": "现场采样未按规定记录气象条件",
        "due_on": "2026-12-20",
    },
    {
        "category": "quality-management",
        "description": "内部质控样品未按期核查",
        "due_on": "2026-12-10",
    },
]


def _qc_results(
    client: httpx.Client, centre: dict[str, str], plan_id: str, institution_ids: list[str]
) -> list[str]:
    """Two activities: a blind sample passed, an on-site check failed with four findings."""
    on_site = ok(
        client.post(
            "/api/v1/activities",
            headers=centre,
            json={"plan_id": plan_id, "kind": "on-site", "participants": institution_ids[:3]},
        )
    )["id"]
    blind = ok(
        client.post(
            "/api/v1/activities",
            headers=centre,
            json={
                "plan_id": plan_id,
                "kind": "blind-sample",
                "participants": institution_ids[:3],
            },
        )
    )["id"]
    ok(
        client.post(
            f"/api/v1/activities/{blind}/results",
            headers=centre,
            json={"institution_id": institution_ids[0], "result": "pass"},
        )
    )
    items = ok(
        client.post(
            f"/api/v1/activities/{on_site}/results",
            headers=centre,
            json={
                "institution_id": institution_ids[1],
                "result": "fail",
                "findings": ON_SITE_FINDINGS,
            },
        )
    )["rectification_item_ids"]
    ok(
        client.post(
            f"/api/v1/activities/{on_site}/results",
            headers=centre,
            json={"institution_id": institution_ids[2], "result": "pass"},
        )
    )
    return items


def _rectifications(
    client: httpx.Client, centre: dict[str, str], inst: dict[str, str], items: list[str]
) -> None:
    # one submitted, one verified (closed), one rejected back to open, one left open
    ok(
        client.post(
            f"/api/v1/rectifications/{items[1]}/submission",
            headers=inst,
            json={"text": "已补全委托合同并归档", "attachment_refs": ["合同扫描件"]},
        )
    )
    ok(
        client.post(
            f"/api/v1/rectifications/{items[2]}/submission",
            headers=inst,
            json={"text": "已补充气象条件记录", "attachment_refs": ["记录表"]},
        )
    )
    ok(client.post(f"/api/v1/rectifications/{items[2]}/verification", headers=centre))
    ok(
        client.post(
            f"/api/v1/rectifications/{items[3]}/submission",
            headers=inst,
            json={"text": "已核查", "attachment_refs": []},
        )
    )
    ok(
        client.post(
            f"/api/v1/rectifications/{items[3]}/rejection",
            headers=centre,
            json={"reason": "未提供核查记录"},
        )
    )


def load_enforcement_demo(settings: Settings, url: str, institution_ids: list[str]) -> str:
    """A Zhejiang inspection plan and published draw, inspections, and cases ending in each
    kind of penalty: warning, fine, confiscation, revocation and a practice ban."""
    from ohts_kit.auth import issue_token as issue

    sup = {
        "Authorization": "Bearer "
        + issue(
            settings,
            role=Role.SUPERVISION_UNIT,
            region_code="330000",
            subject="浙江省卫生健康综合行政执法队",
        )
    }
    zj = institution_ids[:3]
    with keyed_client(base_url=url, timeout=30) as client:
        wait_until(
            lambda: len(client.get("/api/v1/leads", headers=sup).json()) >= 1,
            "the QC referral reaching enforcement",
        )
        draw_id = _plan_and_draw(client, sup, zj)
        _extended_inspection(client, sup, zj[2])
        for n, (lead_id, violation, penalty) in enumerate(_demo_cases(client, sup, zj), start=1):
            _decide_case(client, sup, n, lead_id, violation, penalty)
    return draw_id


def _plan_and_draw(client: httpx.Client, sup: dict[str, str], zj: list[str]) -> str:
    plan_id = ok(
        client.post(
            "/api/v1/plans",
            headers=sup,
            json={
                "jurisdiction_region_code": "330000",
                "year": 2026,
                "sampling_ratio": "2/3",
                "roster": [
                    {"inspector_id": f"ZJ-执法-{k:02d}", "conflicts": [zj[0]] if k == 1 else []}
                    for k in range(1, 9)
                ],
            },
        )
    )["id"]
    draw_id: str = ok(
        client.post(f"/api/v1/plans/{plan_id}/draws", headers=sup, json={"seed": "zj-2026-draw"})
    )["id"]
    return draw_id


def _extended_inspection(client: httpx.Client, sup: dict[str, str], institution_id: str) -> None:
    extended = ok(
        client.post(
            "/api/v1/inspections",
            headers=sup,
            json={
                "institution_id": institution_id,
                "kind": "extended",
                "period": "2026",
                "inspectors": ["ZJ-执法-07", "ZJ-执法-08"],
                "employer_name": "杭州某化工有限公司",
                "report_number": "ZJ-2026-777",
            },
        )
    )["id"]
    ok(
        client.post(
            f"/api/v1/inspections/{extended}/completion",
            headers=sup,
            json={
                "result": "issues-found",
                "findings": ["某项目未填报技术服务信息报送卡"],
                "full_evaluation": True,
                "ended_on": "2026-11-10",
            },
        )
    )
    ok(client.post(f"/api/v1/inspections/{extended}/publication", headers=sup))
    ok(
        client.post(
            f"/api/v1/inspections/{extended}/unreported-projects",
            headers=sup,
            json={"report_number": "ZJ-2026-777", "client_name": "杭州某化工有限公司"},
        )
    )


def _demo_cases(
    client: httpx.Client, sup: dict[str, str], zj: list[str]
) -> list[tuple[str, str, dict[str, Any]]]:
    """Cases ending in each kind of penalty: the QC referral's lead and four new leads."""
    [referral_lead] = [
        lead
        for lead in client.get("/api/v1/leads", headers=sup).json()
        if lead["source"] == "qc-referral"
    ][:1]
    cases: list[tuple[str, str, dict[str, Any]]] = [
        (
            referral_lead["lead_id"],
            "false-report",
            {
                "penalties": ["warning", "fine", "confiscation"],
                "fine_yuan": "30000",
                "confiscation_yuan": "12000",
                "illegal_gains_yuan": "12000",
            },
        ),
        (
            _lead(client, sup, zj[2], "报告签字人员未参加现场采样"),
            "staff-signing",
            {"penalties": ["warning", "fine"], "fine_yuan": "8000"},
        ),
        (
            _lead(client, sup, zj[0], "投诉：技术服务合同未载明业务范围"),
            "work-requirements-not-met",
            {"penalties": ["warning"]},
        ),
        (
            _lead(client, sup, zj[2], "专业技术人员同时在两家机构执业"),
            "prohibited-practice",
            {"penalties": ["practice-ban"], "banned_staff_id": "demo-staff", "ban_years": 2},
        ),
        (
            _lead(client, sup, zj[1], "超出资质认可范围开展放射检测"),
            "beyond-scope",
            {
                "penalties": ["warning", "fine", "revocation"],
                "fine_yuan": "20000",
                "certificate_number": INSTITUTIONS[1].certificate_number,
            },
        ),
    ]
    return cases


def _decide_case(
    client: httpx.Client,
    sup: dict[str, str],
    n: int,
    lead_id: str,
    violation: str,
    penalty: dict[str, Any],
) -> None:
    case_id = ok(
        client.post(f"/api/v1/leads/{lead_id}/case", headers=sup, json={"violation": violation})
    )["id"]
    ok(
        client.post(
            f"/api/v1/cases/{case_id}/investigation",
            headers=sup,
            json={"summary": "经调查，违法事实清楚，证据确凿"},
        )
    )
    ok(
        client.post(
            f"/api/v1/cases/{case_id}/penalty",
            headers=sup,
            json={"decision_number": f"浙卫职罚〔2026〕{n:03d}号", **penalty},
        )
    )
    if n % 2:
        ok(client.post(f"/api/v1/cases/{case_id}/execution", headers=sup))


def _lead(
    client: httpx.Client, headers: dict[str, str], institution_id: str, description: str
) -> str:
    lead_id: str = ok(
        client.post(
            "/api/v1/leads/complaints",
            headers=headers,
            json={"institution_id": institution_id, "description": description},
        )
    )["id"]
    return lead_id


def load_reporting_demo(settings: Settings, registry_url: str, institution_ids: list[str]) -> str:
    """The Hangzhou campaign's self-inspection step (form 附表1): launched by the city's
    supervision unit, reported by its two local institutions."""
    supervisor = issue_token(
        settings, role=Role.SUPERVISION_UNIT, region_code="330100", subject="demo-hz-supervision"
    )
    today = datetime.now(UTC).date()
    with keyed_client(base_url=registry_url, timeout=30) as client:
        campaign_id: str = ok(
            client.post(
                "/api/v1/self-inspection-campaigns",
                headers={"Authorization": f"Bearer {supervisor}"},
                json={
                    "title": "职业卫生技术服务执业行为专项治理",
                    "region_code": "330100",
                    "period_from": f"{today.year}-01-01",
                    "period_to": today.isoformat(),
                    "deadline": (today + timedelta(days=14)).isoformat(),
                },
            )
        )["id"]
        for n, (item, institution_id) in enumerate(
            zip(INSTITUTIONS[:2], institution_ids[:2], strict=True)
        ):
            token = issue_token(
                settings,
                role=Role.INSTITUTION,
                region_code=item.region_code,
                institution_id=institution_id,
                subject=f"demo-institution-{n}",
            )
            ok(
                client.post(
                    f"/api/v1/self-inspection-campaigns/{campaign_id}/reports",
                    headers={"Authorization": f"Bearer {token}"},
                    json={
                        "institution_id": institution_id,
                        "technical_staff": 15,
                        "detection_reports": 120 + 40 * n,
                        "evaluation_reports": 18 + 5 * n,
                        "detection_report_problems": 3 + n,
                        "evaluation_report_problems": 1,
                        "problems": ["原始记录填写不规范，已整改"],
                    },
                )
            )
    return campaign_id


def load_everything(settings: Settings, url_of: Any) -> list[str]:
    """All demo data, through the services' APIs, in the order the domain needs it."""
    ids = load_demo(settings, url_of("registry"))
    load_qc_demo(settings, url_of("qc"), ids)
    load_enforcement_demo(settings, url_of("enforcement"), ids)
    load_reporting_demo(settings, url_of("registry"), ids)
    return ids
