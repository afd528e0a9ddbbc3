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
    ],
    Role.QC_CENTRE: [
        ("待办", "/"),
        ("质控计划", "/qc/plans"),
        ("质控活动", "/qc/activities"),
        ("整改", "/qc/rectifications"),
    ],
    Role.SUPERVISION_UNIT: [
        ("待办", "/"),
        ("线索", "/leads"),
        ("案件", "/cases"),
        ("双随机抽查", "/inspection-plans"),
        ("检查", "/inspections"),
    ],
    Role.INSTITUTION: [
        ("待办", "/"),
        ("本机构", "/my-institution"),
        ("人员", "/staff"),
        ("报告卡", "/report-cards"),
        ("整改", "/rectifications"),
    ],
}


def entries(account: Account) -> list[tuple[str, str]]:
    found = list(NAV.get(account.role, [("待办", "/")]))
    if account.admin:
        found.append(("账号管理", "/accounts"))
    return found
