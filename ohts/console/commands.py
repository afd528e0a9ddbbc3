"""Every command the services' APIs offer a person, as the console shows it: its Chinese
name, who may issue it, on which record's page, and whether it is irreversible (then a
second page asks for confirmation, without JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.envelope import Role

AUTHORITY, CENTRE = Role.REGISTRY_AUTHORITY, Role.QC_CENTRE
SUPERVISOR, INSTITUTION = Role.SUPERVISION_UNIT, Role.INSTITUTION


@dataclass(frozen=True)
class Command:
    key: str  # the page's name: /console/do/<key>
    service: str
    method: str
    path: str  # the API path, with at most one {id}
    title: str
    roles: tuple[Role, ...]
    on: str = ""  # the record kind whose page offers it ('' = a list page)
    confirm: bool = False  # irreversible: a second page asks
    then: str = ""  # the record page to go to after it: a kind, with the created id


def _c(*args: object, **kwargs: object) -> Command:
    return Command(*args, **kwargs)  # type: ignore[arg-type]


API = "/api/v1"
COMMANDS = [
    # registry
    _c(
        "register-institution",
        "registry",
        "POST",
        f"{API}/institutions",
        "登记机构",
        (AUTHORITY,),
        then="institution",
    ),
    _c(
        "change-institution",
        "registry",
        "PATCH",
        f"{API}/institutions/{{id}}",
        "变更机构信息",
        (AUTHORITY,),
        "institution",
        then="institution",
    ),
    _c(
        "apply",
        "registry",
        "POST",
        f"{API}/qualifications",
        "申请资质",
        (AUTHORITY, INSTITUTION),
        then="qualification",
    ),
    _c(
        "review",
        "registry",
        "POST",
        f"{API}/qualifications/{{id}}/review",
        "开始审查",
        (AUTHORITY,),
        "qualification",
    ),
    _c(
        "grant",
        "registry",
        "POST",
        f"{API}/qualifications/{{id}}/grant",
        "批准资质并发证",
        (AUTHORITY,),
        "qualification",
    ),
    _c(
        "reject",
        "registry",
        "POST",
        f"{API}/qualifications/{{id}}/reject",
        "不予批准",
        (AUTHORITY,),
        "qualification",
        confirm=True,
    ),
    _c(
        "renew",
        "registry",
        "POST",
        f"{API}/qualifications/{{id}}/renewal",
        "申请延续",
        (AUTHORITY, INSTITUTION),
        "qualification",
    ),
    _c(
        "decide-renewal",
        "registry",
        "POST",
        f"{API}/qualifications/{{id}}/renewal/decision",
        "作出延续决定",
        (AUTHORITY,),
        "qualification",
    ),
    _c(
        "change-qualification",
        "registry",
        "POST",
        f"{API}/qualifications/{{id}}/change",
        "变更资质",
        (AUTHORITY,),
        "qualification",
    ),
    _c(
        "cancel",
        "registry",
        "POST",
        f"{API}/qualifications/{{id}}/cancel",
        "注销资质",
        (AUTHORITY,),
        "qualification",
        confirm=True,
    ),
    _c(
        "withdraw",
        "registry",
        "POST",
        f"{API}/qualifications/{{id}}/withdraw",
        "撤销资质",
        (AUTHORITY,),
        "qualification",
        confirm=True,
    ),
    _c(
        "publish-decision",
        "registry",
        "POST",
        f"{API}/qualifications/{{id}}/publications",
        "公开审批决定",
        (AUTHORITY,),
        "qualification",
    ),
    _c(
        "register-staff",
        "registry",
        "POST",
        f"{API}/staff",
        "登记专业技术人员",
        (AUTHORITY, INSTITUTION),
        then="staff",
    ),
    _c(
        "staff-leaves",
        "registry",
        "POST",
        f"{API}/staff/{{id}}/leave",
        "人员离职",
        (AUTHORITY, INSTITUTION),
        "staff",
    ),
    _c(
        "erase-person",
        "registry",
        "DELETE",
        f"{API}/staff/{{id}}/personal-data",
        "删除个人信息",
        (AUTHORITY,),
        "staff",
        confirm=True,
    ),
    _c(
        "file",
        "registry",
        "POST",
        f"{API}/filings",
        "跨省执业备案",
        (AUTHORITY, INSTITUTION),
        then="filing",
    ),
    _c(
        "submit-summary",
        "registry",
        "POST",
        f"{API}/filings/{{id}}/summaries",
        "报送工作小结",
        (AUTHORITY, INSTITUTION),
        "filing",
    ),
    _c(
        "file-report-card",
        "registry",
        "POST",
        f"{API}/report-cards",
        "报送技术服务信息报告卡",
        (AUTHORITY, INSTITUTION),
    ),
    _c(
        "launch-self-inspection",
        "registry",
        "POST",
        f"{API}/self-inspection-campaigns",
        "部署自查",
        (AUTHORITY, SUPERVISOR),
    ),
    _c(
        "report-self-inspection",
        "registry",
        "POST",
        f"{API}/self-inspection-campaigns/{{id}}/reports",
        "报送自查结果",
        (INSTITUTION,),
        "campaign",
    ),
    # qc
    _c(
        "generate-plan", "qc", "POST", f"{API}/plans", "生成年度质控计划", (CENTRE,), then="qc-plan"
    ),
    _c(
        "open-activity",
        "qc",
        "POST",
        f"{API}/activities",
        "开展质控活动",
        (CENTRE,),
        then="qc-activity",
    ),
    _c(
        "record-result",
        "qc",
        "POST",
        f"{API}/activities/{{id}}/results",
        "记录质控结果",
        (CENTRE,),
        "qc-activity",
    ),
    _c(
        "submit-rectification",
        "qc",
        "POST",
        f"{API}/rectifications/{{id}}/submission",
        "提交整改",
        (INSTITUTION,),
        "rectification",
    ),
    _c(
        "verify-rectification",
        "qc",
        "POST",
        f"{API}/rectifications/{{id}}/verification",
        "整改销号",
        (CENTRE,),
        "rectification",
    ),
    _c(
        "reject-rectification",
        "qc",
        "POST",
        f"{API}/rectifications/{{id}}/rejection",
        "整改不通过",
        (CENTRE,),
        "rectification",
    ),
    _c(
        "reopen-rectification",
        "qc",
        "POST",
        f"{API}/rectifications/{{id}}/reopening",
        "回头看重新整改",
        (CENTRE,),
        "rectification",
    ),
    _c(
        "conclude-year",
        "qc",
        "POST",
        f"{API}/conclusions",
        "作出年度质控结论",
        (CENTRE,),
        confirm=True,
    ),
    # enforcement
    _c(
        "define-inspection-plan",
        "enforcement",
        "POST",
        f"{API}/plans",
        "制定双随机抽查计划",
        (SUPERVISOR,),
        then="inspection-plan",
    ),
    _c(
        "draw",
        "enforcement",
        "POST",
        f"{API}/plans/{{id}}/draws",
        "随机抽取检查对象",
        (SUPERVISOR,),
        "inspection-plan",
        confirm=True,
    ),
    _c(
        "schedule-inspection",
        "enforcement",
        "POST",
        f"{API}/inspections",
        "安排检查",
        (SUPERVISOR,),
        then="inspection",
    ),
    _c(
        "complete-inspection",
        "enforcement",
        "POST",
        f"{API}/inspections/{{id}}/completion",
        "记录检查结果",
        (SUPERVISOR,),
        "inspection",
    ),
    _c(
        "publish-inspection",
        "enforcement",
        "POST",
        f"{API}/inspections/{{id}}/publication",
        "公开检查结果",
        (SUPERVISOR,),
        "inspection",
    ),
    _c(
        "unreported-project",
        "enforcement",
        "POST",
        f"{API}/inspections/{{id}}/unreported-projects",
        "记录未报告项目",
        (SUPERVISOR,),
        "inspection",
    ),
    _c(
        "complaint",
        "enforcement",
        "POST",
        f"{API}/leads/complaints",
        "登记投诉举报线索",
        (SUPERVISOR,),
        then="lead",
    ),
    _c(
        "unfiled-work",
        "enforcement",
        "POST",
        f"{API}/leads/unfiled-work",
        "登记未备案执业线索",
        (SUPERVISOR,),
        then="lead",
    ),
    _c(
        "close-lead",
        "enforcement",
        "POST",
        f"{API}/leads/{{id}}/closure",
        "了结线索",
        (SUPERVISOR,),
        "lead",
    ),
    _c(
        "open-case",
        "enforcement",
        "POST",
        f"{API}/leads/{{id}}/case",
        "立案",
        (SUPERVISOR,),
        "lead",
        then="case",
    ),
    _c(
        "investigate",
        "enforcement",
        "POST",
        f"{API}/cases/{{id}}/investigation",
        "调查终结",
        (SUPERVISOR,),
        "case",
    ),
    _c(
        "decide-penalty",
        "enforcement",
        "POST",
        f"{API}/cases/{{id}}/penalty",
        "作出行政处罚决定",
        (SUPERVISOR,),
        "case",
        confirm=True,
    ),
    _c(
        "execute",
        "enforcement",
        "POST",
        f"{API}/cases/{{id}}/execution",
        "处罚执行完毕",
        (SUPERVISOR,),
        "case",
    ),
    _c(
        "close-case",
        "enforcement",
        "POST",
        f"{API}/cases/{{id}}/closure",
        "结案",
        (SUPERVISOR,),
        "case",
        confirm=True,
    ),
    _c(
        "credit-repair",
        "enforcement",
        "POST",
        f"{API}/cases/{{id}}/credit-repair",
        "准予信用修复",
        (SUPERVISOR,),
        "case",
    ),
    _c(
        "annul",
        "enforcement",
        "POST",
        f"{API}/cases/{{id}}/annulment",
        "撤销行政处罚",
        (SUPERVISOR,),
        "case",
        confirm=True,
    ),
]
BY_KEY = {c.key: c for c in COMMANDS}


def offered(role: Role, on: str) -> list[Command]:
    """The commands a role may issue on a record kind ('' = from a list page)."""
    return [c for c in COMMANDS if role in c.roles and c.on == on]
