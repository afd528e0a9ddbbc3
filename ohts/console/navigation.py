"""The console's navigation per role (paths under the console prefix). wbpages' pages
fill these in; a role sees only the entries of its own work."""

from __future__ import annotations

from contracts.envelope import Role
from ohts.console.accounts import Account

NAV: dict[Role, list[tuple[str, str]]] = {
    Role.REGISTRY_AUTHORITY: [
        ("待办", "/"),
        ("机构", "/institutions"),
        ("资质审批", "/qualifications"),
        ("执业备案", "/filings"),
        ("专项自查", "/campaigns"),
        ("外地处罚告知", "/penalty-notices"),
        ("外省质控告知", "/qc-notices"),
        ("历史数据导入", "/imports/legacy"),
    ],
    Role.QC_CENTRE: [
        ("待办", "/"),
        ("机构", "/institutions"),
        ("质控计划", "/qc/plans"),
        ("质控活动", "/qc/activities"),
        ("整改", "/qc/rectifications"),
        ("跟进措施", "/qc/follow-ups"),
        ("典型案例", "/qc/typical-cases"),
    ],
    Role.SUPERVISION_UNIT: [
        ("待办", "/"),
        ("机构", "/institutions"),
        ("线索", "/leads"),
        ("案件", "/cases"),
        ("双随机抽查", "/inspection-plans"),
        ("检查", "/inspections"),
        ("专项自查", "/campaigns"),
        ("移送司法", "/judicial-transfers"),
        ("禁止从业", "/practice-bans"),
        ("处罚告知", "/penalty-notices"),
    ],
    Role.INSTITUTION: [
        ("待办", "/"),
        ("本机构", "/my-institution"),
        ("人员", "/staff"),
        ("报告卡", "/report-cards"),
        ("整改", "/rectifications"),
        ("专项自查", "/campaigns"),
    ],
}


def entries(account: Account) -> list[tuple[str, str]]:
    found = list(NAV.get(account.role, [("待办", "/")]))
    if account.admin:
        found.append(("账号管理", "/accounts"))
    return found
