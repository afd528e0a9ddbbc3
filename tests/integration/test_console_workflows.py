"""Each role's main workflow in the real Chromium, across the four running services over
real HTTP, only through the console's pages (forms, confirmations, record pages, printable
documents), each page scanned by axe-core: the authority registers an institution and
grants a certificate; the institution adds staff and files a report card; the QC centre
records a failed spot check; the supervision unit takes the referral up as a case, is told
in Chinese that a fine is out of range, decides a penalty; the public portal shows it; the
institution sees the rectification it must do and prints its notice."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC, datetime

from playwright.async_api import Page, async_playwright

from contracts.envelope import Role
from ohts.console import store
from ohts.console.accounts import Account
from ohts.demo import staff_body
from services.registry.domain.people import make_id_number
from services.registry.domain.uscc import make_uscc
from tests.conftest import Servers
from tests.integration.helpers import eventually, token
from tests.integration.test_console_browser import PASSWORD, console_system
from tests.integration.test_portal_browser import CHROMIUM, FLAGS, _accessible

NOW = datetime(2026, 3, 2, 2, tzinfo=UTC)  # the services' clock (helpers.running)
NAME = "杭州工作台职业卫生检测有限公司"


async def login(page: Page, base: str, who: str) -> None:
    await page.goto(f"{base}/console/login")
    await page.fill("#f-login", who)
    await page.fill("#f-password", PASSWORD)
    async with page.expect_navigation():
        await page.click("#submit")
    assert page.url == f"{base}/console/", page.url


async def logout(page: Page) -> None:
    async with page.expect_navigation():
        await page.click("#logout")


async def fill(page: Page, values: dict[str, str | bool]) -> None:
    """Fill a command form by its labelled inputs: text, date, select (by Chinese label
    when the value is one), check box."""
    for name, value in values.items():
        field = page.locator(f'[id="f-{name}"]')
        tag = await field.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag.startswith("select"):
            options = await field.locator("option").all_inner_texts()
            if value in options:
                await field.select_option(label=str(value))
            else:
                await field.select_option(value=str(value))
        elif tag == "input:checkbox":
            await (field.check() if value else field.uncheck())
        else:
            await field.fill(str(value))


async def submit(page: Page, button: str = "#submit") -> None:
    async with page.expect_navigation():
        await page.click(button)


async def command(
    page: Page, base: str, key: str, values: dict[str, str | bool], record: str = ""
) -> None:
    await page.goto(f"{base}/console/do/{key}" + (f"?id={record}" if record else ""))
    await _accessible(page, f"form {key}")
    await fill(page, values)
    await submit(page)


def last_part(url: str) -> str:
    return url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


async def test_every_role_does_its_main_workflow_in_the_console(servers: Servers) -> None:
    assert CHROMIUM.exists(), "make test installs Debian's chromium for this test"
    async with AsyncExitStack() as stack:
        settings, svc, base = await console_system(stack, servers, NOW)
        pool = svc["reporting"].app.state.console.pool
        for account in (
            Account("wang", "王审批", "浙江省卫生健康委员会", Role.REGISTRY_AUTHORITY, "330000"),
            Account("qian", "钱质控", "浙江省职业卫生质控中心", Role.QC_CENTRE, "330000"),
            Account(
                "zhao", "赵监督", "浙江省卫生健康综合监督执法局", Role.SUPERVISION_UNIT, "330000"
            ),
            Account(
                "chen",
                "陈西湖",
                "杭州市西湖区卫生健康综合监督执法队",
                Role.SUPERVISION_UNIT,
                "330106",
            ),
        ):
            await store.add(pool, account, PASSWORD, by="test")
        pw = await stack.enter_async_context(async_playwright())
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        page = await (await browser.new_context()).new_page()

        institution = await _authority(page, base, svc, settings)
        await store.add(
            pool,
            Account("jigou", "孙机构", NAME, Role.INSTITUTION, "330106", institution),
            PASSWORD,
            by="test",
        )
        await _institution_files(page, base)
        await _qc_fails_it(page, base, svc, settings, institution)
        decision = await _supervisor_decides(page, base, svc, settings)

        # The public portal shows the decision (reporting learns it from the events).
        async def published() -> bool:
            r = await svc["reporting"].http.get(f"/api/v1/public/institutions/{institution}")
            return r.status_code == 200 and decision in r.text

        await eventually(published)
        await page.goto(f"{base}/institutions/{institution}")
        assert decision in await page.inner_text("#penalties")
        await _accessible(page, "portal institution")

        await _institution_rectifies(page, base)
        await _qc_follows_up(page, base, institution)
        await _home_authority_told(page, base, decision)
        await browser.close()


async def _qc_follows_up(page: Page, base: str, institution: str) -> None:
    """The QC centre sees the typical case sent back, interviews the institution (约谈)
    from its page and records the outcome from the list of follow-ups."""
    await login(page, base, "qian")
    await page.goto(f"{base}/console/qc/typical-cases")
    assert "伪造采样记录的典型案例" in await page.inner_text("#rows")
    await page.goto(f"{base}/console/r/institution/{institution}")
    await page.click("text=采取跟进措施")
    await fill(page, {"kind": "约谈", "held_on": "2026-03-02", "subject": "报告抽查不合格"})
    await submit(page)
    assert "/console/qc/follow-ups" in page.url, await page.inner_text("main")
    assert "约谈" in await page.inner_text("#rows")
    await page.click("#rows >> text=跟进措施办结")
    await fill(page, {"outcome": "机构已承诺整改并提交计划", "concluded_on": "2026-03-02"})
    await submit(page)
    assert "机构已承诺整改并提交计划" in await page.inner_text("#rows")
    await _accessible(page, "follow-ups")
    await logout(page)


async def _home_authority_told(page: Page, base: str, decision: str) -> None:
    """F2: the licensing authority sees the decision against its institution."""
    await login(page, base, "wang")
    await page.goto(f"{base}/console/penalty-notices")
    assert decision in await page.inner_text("#rows")
    await _accessible(page, "penalty notices")
    await logout(page)


async def _authority(page: Page, base: str, svc: dict, settings: object) -> str:
    """Register an institution, apply for it, review and grant; print the certificate."""
    await login(page, base, "wang")
    await page.goto(f"{base}/console/institutions")
    await _accessible(page, "institutions list")
    await command(
        page,
        base,
        "register-institution",
        {
            "uscc": make_uscc("330106", "480000001"),
            "name": NAME,
            "address": "杭州市西湖区文三路90号",
            "legal_representative": "周法人",
            "nature": "企业",
            "kind": "职业卫生技术服务机构",
            "region_code": "330106",
            "website": "https://www.example.cn",
        },
    )
    assert "/console/r/institution/" in page.url
    institution = last_part(page.url)
    assert NAME in await page.inner_text("#name")
    assert "登记机构" in await page.inner_text("#history")
    assert "王审批" not in await page.inner_text("#history")  # the actor is the login
    assert "wang" in await page.inner_text("#history")
    await _accessible(page, "institution record")

    # R-rules of a grant need 15 qualified staff: set up through the registry's API.
    authority = token(settings, Role.REGISTRY_AUTHORITY, "330000")  # type: ignore[arg-type]
    for n in range(15):
        await svc["registry"].call(
            "POST", "/api/v1/staff", authority, staff_body(institution, n, 7), 201
        )

    await page.goto(f"{base}/console/do/apply?institution_id={institution}")
    await fill(page, {"kind": "职业卫生", "scope_codes": "OH-01"})
    await submit(page)
    assert "/console/r/qualification/" in page.url
    qualification = last_part(page.url)
    await page.click("text=开始审查")
    await submit(page)  # a command without a body: one button
    assert "已完成：开始审查" in await page.inner_text("#done")
    await page.click("text=批准资质并发证")
    await fill(
        page, {"certificate_number": "(浙)卫职技字(2026)第0901号", "valid_from": "2026-03-01"}
    )
    await submit(page)
    assert "有效" in await page.inner_text("dl.record")
    assert "批准资质" in await page.inner_text("#history")
    await _accessible(page, "qualification record")
    await page.goto(f"{base}/console/doc/certificate/{qualification}")
    assert await page.inner_text("#doc-number") == "(浙)卫职技字(2026)第0901号"
    text = await page.inner_text("article")
    assert NAME in text and "周法人" in text and "2026年3月1日" in text
    await _accessible(page, "certificate")
    await logout(page)
    return institution


async def _institution_files(page: Page, base: str) -> None:
    await login(page, base, "jigou")
    await command(
        page,
        base,
        "register-staff",
        {
            "name": "吴新人",
            "id_number": make_id_number("33010619900307123"),
            "title": "中级",
            "specialty": "检测检验",
            "years_of_experience": "5",
            "role": "技术人员",
        },
    )
    assert "/console/r/staff/" in page.url
    assert "登记专业技术人员" in await page.inner_text("#history")
    await page.goto(f"{base}/console/staff")
    assert "吴" in await page.inner_text("#rows")
    await _accessible(page, "staff list")
    await command(
        page,
        base,
        "file-report-card",
        {
            "report_number": "ZJ-2026-001",
            "service_kind": "检测",
            "client_name": "杭州某化工有限公司",
            "client_uscc": make_uscc("330106", "000000001", "91"),
            "client_region_code": "330106",
            "completion_date": "2026-03-01",
        },
    )
    shown = await page.inner_text("main")
    assert "已完成：报送技术服务信息报告卡" in shown, shown
    await logout(page)


async def _qc_fails_it(
    page: Page, base: str, svc: dict, settings: object, institution: str
) -> None:
    centre = token(settings, Role.QC_CENTRE, "330000")  # type: ignore[arg-type]

    async def known() -> bool:
        r = await svc["qc"].call("GET", f"/api/v1/institutions/{institution}", centre)
        return r.status_code == 200

    await eventually(known)
    await login(page, base, "qian")
    await command(
        page, base, "generate-plan", {"province_code": "330000", "year": "2026", "seed": "wb"}
    )
    assert "/console/r/qc-plan/" in page.url
    plan = last_part(page.url)
    # From the plan's page: the plan's institutions are offered by name, not by id.
    await page.click("text=开展质控活动")
    assert await page.input_value('[id="f-plan_id"]') == plan  # the plan fills the form
    await _accessible(page, "form open-activity from the plan")
    await fill(page, {"kind": "报告抽查"})
    await page.get_by_label(NAME, exact=True).check()
    await submit(page)
    assert "/console/r/qc-activity/" in page.url
    await page.click("text=记录质控结果")
    await fill(
        page,
        {
            "institution_id": institution,
            "result": "不合格",
            "findings.0.category": "出具虚假或失实的技术服务报告",
            "findings.0.description": "检测报告中的采样记录与现场不符",
            "findings.0.due_on": "2026-04-15",
        },
    )
    await submit(page)
    assert "/console/r/qc-activity/" in page.url, await page.inner_text("main")
    assert "不合格" in await page.inner_text("table")
    await _accessible(page, "activity record")
    await logout(page)


async def _supervisor_decides(page: Page, base: str, svc: dict, settings: object) -> str:
    supervisor = token(settings, Role.SUPERVISION_UNIT, "330000")  # type: ignore[arg-type]

    async def referred() -> bool:
        r = await svc["enforcement"].call("GET", "/api/v1/leads", supervisor)
        return r.status_code == 200 and bool(r.json())

    await eventually(referred, timeout=90)
    await login(page, base, "zhao")
    await page.goto(f"{base}/console/leads")
    assert NAME in await page.inner_text("#rows")
    await _accessible(page, "leads")
    await page.click("#rows >> text=查看")
    await page.wait_for_url("**/r/lead/**")
    lead = page.url.split("?")[0]
    await page.click("text=签收质控移送线索")
    await submit(page)  # the province is not the receiving unit: refused, in Chinese
    assert "只有接收单位" in await page.inner_text("#refusal")
    await logout(page)
    # Q5: a person of the receiving unit (the district's) signs for the QC referral.
    await login(page, base, "chen")
    await page.goto(lead)
    await page.click("text=签收质控移送线索")
    await fill(page, {"note": "已签收，转案件承办科室"})
    await submit(page)
    assert "已完成：签收质控移送线索" in await page.inner_text("#done")
    assert "签收移送线索" in await page.inner_text("#history")
    await logout(page)
    await login(page, base, "zhao")
    await page.goto(lead)
    await page.click("text=立案")
    await fill(page, {"violation": "出具虚假或者失实的职业卫生技术服务报告"})
    await submit(page)
    assert "/console/r/case/" in page.url
    case = last_part(page.url)
    await command(page, base, "investigate", {"summary": "经调查，采样记录系事后补记"}, case)
    decision = "浙卫罚〔2026〕901号"
    await page.goto(f"{base}/console/do/decide-penalty?id={case}")
    await fill(page, {"decision_number": decision, "fine_yuan": "60000"})
    await page.get_by_label("罚款", exact=True).check()
    await page.get_by_label("警告", exact=True).check()  # 办法 42: 并处 warning and fine
    await submit(page)
    assert "请确认" in await page.inner_text("h1")  # irreversible: a second page
    await _accessible(page, "confirmation")
    await submit(page, "#confirm")
    error = await page.inner_text('[id="e-fine_yuan"]')
    assert "超出法定处罚幅度" in error and "20,000.00 元" in error
    assert await page.get_attribute('[id="f-fine_yuan"]', "aria-invalid") == "true"
    await _accessible(page, "refused penalty")
    await fill(page, {"fine_yuan": "10000"})
    await submit(page)
    await submit(page, "#confirm")
    assert "/console/r/case/" in page.url
    assert "已作出处罚决定" in await page.inner_text("dl.record")
    assert "作出行政处罚决定" in await page.inner_text("#history")
    await page.goto(f"{base}/console/doc/penalty-decision/{case}")
    text = await page.inner_text("article")
    assert decision in text and "10,000.00" in text and "采样记录系事后补记" in text
    await _accessible(page, "penalty decision")
    await _typical_and_judicial(page, base, case)
    await logout(page)
    return decision


async def _typical_and_judicial(page: Page, base: str, case: str) -> None:
    """The decided case goes back to QC as a typical case, and to the public security organ
    as a suspected crime, whose answer is recorded from the list of transfers."""
    await command(page, base, "mark-typical", {"summary": "伪造采样记录的典型案例"}, case)
    assert "列为典型案例" in await page.inner_text("#history")
    await command(
        page,
        base,
        "transfer-to-judiciary",
        {
            "receiving_authority": "杭州市公安局西湖区分局",
            "suspected_offence": "提供虚假证明文件罪",
            "transferred_on": "2026-03-02",
        },
        case,
    )
    assert "请确认" in await page.inner_text("h1")
    await submit(page, "#confirm")
    assert f"/console/r/case/{case}" in page.url, await page.inner_text("main")
    assert "移送司法机关" in await page.inner_text("#history")
    await page.goto(f"{base}/console/judicial-transfers")
    assert "已移送" in await page.inner_text("#rows")
    await _accessible(page, "judicial transfers")
    await page.click("#rows >> text=登记司法机关办理情况")
    await fill(page, {"status": "已立案受理", "on": "2026-03-02", "note": "公安机关已立案"})
    await submit(page)
    assert "已完成：登记司法机关办理情况" in await page.inner_text("#done")
    assert "已立案受理" in await page.inner_text("#rows")


async def _institution_rectifies(page: Page, base: str) -> None:
    await login(page, base, "jigou")
    await page.goto(f"{base}/console/rectifications")
    assert "待整改" in await page.inner_text("#rows")
    await _accessible(page, "rectifications")
    await page.click("#rows >> text=查看")
    await page.wait_for_url("**/r/rectification/**")
    assert "2026年4月15日" in await page.inner_text("dl.record")
    await page.click("text=打印整改通知书")
    assert "采样记录与现场不符" in await page.inner_text("#doc-finding")
    assert await page.inner_text("#doc-due") == "2026年4月15日"
    await _accessible(page, "rectification notice")
    await logout(page)
