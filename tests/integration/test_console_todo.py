"""Each role's to-do list (待办) in the real Chromium, across the four running services over
real HTTP: every new section shows a real item that events put there, each item's link
opens the page where it is done, and the page passes the axe-core scan."""

from __future__ import annotations

from contextlib import AsyncExitStack

from playwright.async_api import Page, async_playwright

from contracts.envelope import Role
from ohts.console import store
from ohts.console.accounts import Account
from tests.conftest import Servers
from tests.integration.access_cells import NOW, OTHER_PROVINCE, PROVINCE, Call, World
from tests.integration.helpers import eventually, token
from tests.integration.test_console_browser import PASSWORD, console_system
from tests.integration.test_console_workflows import login, logout
from tests.integration.test_portal_browser import CHROMIUM, FLAGS, _accessible

ACCOUNTS = (
    Account("shenpi", "王审批", "浙江省卫生健康委员会", Role.REGISTRY_AUTHORITY, PROVINCE),
    Account("zhikong", "钱质控", "浙江省职业卫生质控中心", Role.QC_CENTRE, PROVINCE),
    Account("jiandu", "赵监督", "浙江省卫生健康综合监督执法局", Role.SUPERVISION_UNIT, PROVINCE),
)


def name_of(w: World, institution_id: str) -> str:
    return f"矩阵测试机构{w.serial_of[institution_id]}号"


async def section(page: Page, title: str) -> str:
    return await page.locator(
        "section.todo", has=page.get_by_role("heading", name=title)
    ).inner_text()


async def opens(page: Page, base: str, title: str, text: str) -> str:
    """The section shows `text` in an item whose link opens its page (not a refusal)."""
    box = page.locator("section.todo", has=page.get_by_role("heading", name=title))
    item = box.locator("li", has_text=text).first
    href = await item.locator("a").get_attribute("href")
    assert href, title
    response = await page.goto(base + href)
    assert response is not None and response.status == 200, (title, href)
    assert await page.locator("#refused").count() == 0, (title, href)
    await page.goto(f"{base}/console/")
    return href


async def start(stack: AsyncExitStack, servers: Servers) -> tuple[World, str]:
    settings, svc, base = await console_system(stack, servers, NOW)
    w = World(settings, svc)
    await w.start_plans()  # qualified institutions, the QC plan, an inspection draw
    return w, base


async def authority_world(w: World) -> dict[str, str]:
    """An application, one under review, a renewal, a certificate near its end, and an
    institution whose staff fell below the minimum."""
    applied, _ = await w.applied()
    reviewed, _ = await w.applied(reviewed=True)
    renewing, qid = await w.qualified()
    await w.ok("registry", f"/api/v1/qualifications/{qid}/renewal", w.authority, {})
    ending, qid = await w.applied(reviewed=True)
    grant = {
        "certificate_number": w.certificate(ending),
        "valid_from": "2026-01-01",
        "valid_until": "2026-10-15",  # within the 3 months' renewal lead of NOW
    }
    await w.ok("registry", f"/api/v1/qualifications/{qid}/grant", w.authority, grant)
    short, _ = await w.qualified()
    staff = await w.svc["registry"].call(
        "GET", f"/api/v1/staff?institution_id={short}&size=1", w.authority, expect=200
    )
    leaver = staff.json()["items"][0]["staff_id"]
    await w.ok("registry", f"/api/v1/staff/{leaver}/leave", w.authority, {})
    return {
        k: name_of(w, v)
        for k, v in (
            ("applied", applied),
            ("reviewed", reviewed),
            ("renewing", renewing),
            ("ending", ending),
            ("short", short),
        )
    }


async def qc_world(w: World) -> tuple[str, str]:
    """A failed result (an item due) and a look-back reopening of a verified item."""
    target, [due] = await w.items(1)
    looked = await w.submitted()
    await w.ok("qc", f"/api/v1/rectifications/{looked}/verification", w.centre)
    reopen = {"reason": "回头看发现档案仍不完整", "due_on": "2026-10-30"}
    await w.ok("qc", f"/api/v1/rectifications/{looked}/reopening", w.centre, reopen)
    return target, due


async def institution_world(w: World, me: str) -> None:
    """A project an inspection found without a card; a filing owing its 2026H1 summary."""
    inspection = await w.inspection()
    body = {"report_number": "ZJ-2026-077", "client_name": "杭州某化工有限公司"}
    await w.ok(
        "enforcement", f"/api/v1/inspections/{inspection}/unreported-projects", w.supervisor, body
    )
    filing = {**w.filing_body(me), "filed_on": "2026-02-01"}
    await w.ok("registry", "/api/v1/filings", w.authority, filing)
    mine = w.headers("institution", Call("", institution_id=me))

    async def learned() -> bool:
        r = await w.svc["registry"].call("GET", "/api/v1/report-cards/due", mine)
        return r.status_code == 200 and "ZJ-2026-077" in r.text

    await eventually(learned)


async def test_each_role_sees_its_new_to_do_sections_with_real_items(servers: Servers) -> None:
    assert CHROMIUM.exists(), "make test installs Debian's chromium for this test"
    async with AsyncExitStack() as stack:
        w, base = await start(stack, servers)
        names = await authority_world(w)
        target, _ = await qc_world(w)
        await w.referred_lead()
        decided = await w.case("decided")
        await institution_world(w, target)
        await _only_in_their_jurisdiction(w, names, target)
        pool = w.svc["reporting"].app.state.console.pool
        for account in ACCOUNTS:
            await store.add(pool, account, PASSWORD, by="test")
        me = Account("jigou", "孙机构", name_of(w, target), Role.INSTITUTION, "330106", target)
        await store.add(pool, me, PASSWORD, by="test")

        pw = await stack.enter_async_context(async_playwright())
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        page = await (await browser.new_context()).new_page()
        await _authority_sees(page, base, names)
        await _centre_sees(page, base, w, target)
        await _supervisor_sees(page, base, w, decided)
        await _institution_sees(page, base)
        await browser.close()


async def _authority_sees(page: Page, base: str, names: dict[str, str]) -> None:
    await login(page, base, "shenpi")
    await _accessible(page, "authority to-do")
    expected = {
        "待受理审查的资质申请": (names["applied"], "已申请，待受理审查"),
        "审查中待决定的资质申请": (names["reviewed"], "审查中，待作出决定"),
        "待决定的延续申请": (names["renewing"], "延续申请待决定"),
        "即将到期、尚未申请延续的资质证书": (names["ending"], "有效期至：2026年10月15日"),
        "不再符合资质条件的机构": (names["short"], "专职专业技术人员 14 人，少于规定的 15 人"),
    }
    for title, (name, note) in expected.items():
        text = await section(page, title)
        assert name in text and note in text, (title, text)
        await opens(page, base, title, name)
    await logout(page)


async def _centre_sees(page: Page, base: str, w: World, target: str) -> None:
    await login(page, base, "zhikong")
    await _accessible(page, "QC centre to-do")
    progress = await section(page, "质控计划进度")
    assert "2026年度质控计划（浙江省）" in progress
    planned = len(w.planned)
    assert f"已完成 1/{planned} 家机构" in progress  # a result so far for one of them
    await opens(page, base, "质控计划进度", "2026年度质控计划")
    due = await section(page, "到期和逾期的整改事项")
    assert name_of(w, target) in due and "整改期限：2026年12月15日" in due
    await opens(page, base, "到期和逾期的整改事项", name_of(w, target))
    looked = await section(page, "回头看重新整改事项")
    assert "回头看于2026年9月1日重新打开" in looked and "重新整改期限：2026年10月30日" in looked
    await opens(page, base, "回头看重新整改事项", "2026年度")
    await logout(page)


async def _supervisor_sees(page: Page, base: str, w: World, case: str) -> None:
    await login(page, base, "jiandu")
    await _accessible(page, "supervision to-do")
    name = name_of(w, w.planned[0])
    referrals = await section(page, "待确认接收的质控移送")
    assert name in referrals and "质控移送，尚未确认接收" in referrals
    await opens(page, base, "待确认接收的质控移送", name)
    stages = await section(page, "各阶段案件")
    assert "已作出处罚决定" in stages and "1 件" in stages
    href = await opens(page, base, "各阶段案件", "已作出处罚决定")
    assert href.endswith("cases?stage=penalty-decided"), href
    publicity = await section(page, "待公示或应撤下的处罚决定")
    assert "待公示" in publicity and name in publicity
    assert (
        await opens(page, base, "待公示或应撤下的处罚决定", "待公示") == f"/console/r/case/{case}"
    )
    drawn = await section(page, "本次双随机抽取的检查")
    assert "待检查" in drawn
    await opens(page, base, "本次双随机抽取的检查", "待检查")
    await logout(page)


async def _institution_sees(page: Page, base: str) -> None:
    await login(page, base, "jigou")
    await _accessible(page, "institution to-do")
    cards = await section(page, "应报送的技术服务信息报告卡")
    assert "ZJ-2026-077" in cards and "杭州某化工有限公司" in cards
    await opens(page, base, "应报送的技术服务信息报告卡", "ZJ-2026-077")
    rectify = await section(page, "须完成的整改")
    assert "整改期限：2026年12月15日" in rectify
    await opens(page, base, "须完成的整改", "待整改")
    summaries = await section(page, "应报送的跨省执业工作小结")
    assert "2026年上半年工作小结" in summaries and "云南省" in summaries and "已逾期" in summaries
    await opens(page, base, "应报送的跨省执业工作小结", "2026年上半年")
    await logout(page)


async def _only_in_their_jurisdiction(w: World, names: dict[str, str], me: str) -> None:
    """The new lists show these items to the province and to the institution itself, and
    nothing of them to another province's official or to another institution."""
    seen = [
        ("registry", "/api/v1/conditions/unmet", Role.REGISTRY_AUTHORITY, names["short"]),
        ("registry", "/api/v1/certificates/expiring", Role.REGISTRY_AUTHORITY, names["ending"]),
        ("qc", "/api/v1/rectifications/due", Role.QC_CENTRE, name_of(w, me)),
        ("qc", "/api/v1/plan-progress", Role.QC_CENTRE, w.plan_id),
        ("enforcement", "/api/v1/leads/unacknowledged", Role.SUPERVISION_UNIT, me),
        ("enforcement", "/api/v1/penalties/publicity", Role.SUPERVISION_UNIT, me),
        ("enforcement", "/api/v1/inspections/current-draw", Role.SUPERVISION_UNIT, w.draw_id),
    ]
    for service, path, role, text in seen:
        own = await w.svc[service].call("GET", path, token(w.settings, role, PROVINCE), None, 200)
        other = token(w.settings, role, OTHER_PROVINCE)
        elsewhere = await w.svc[service].call("GET", path, other, None, 200)
        assert text in own.text and text not in elsewhere.text, path
    stages = await w.svc["enforcement"].call(
        "GET", "/api/v1/cases/stages", token(w.settings, Role.SUPERVISION_UNIT, OTHER_PROVINCE)
    )
    assert stages.json() == []
    mine = w.headers("institution", Call("", institution_id=me))
    someone = w.headers("institution", Call("", institution_id=me), "other-institution")
    for path, text in (
        ("/api/v1/report-cards/due", "ZJ-2026-077"),
        ("/api/v1/filings/summaries/due", "2026H1"),
    ):
        ours = await w.svc["registry"].call("GET", path, mine, None, 200)
        theirs = await w.svc["registry"].call("GET", path, someone, None, 200)
        assert text in ours.text and theirs.json() == [], path
