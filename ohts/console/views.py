"""What the workflow pages show of each list and record: the API that answers it, its
columns with their Chinese names and how a value is written, and the sub-tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contracts.envelope import Role
from ohts.console import words
from ohts_kit import regions
from services.registry.domain.scopes import scope_table  # the vocabulary, no state
from services.reporting.domain import labels

Show = Callable[[Any], str]


def _date(value: Any) -> str:
    from ohts.console.web import chinese_date

    return chinese_date(value)


def _table(table: dict[str, str]) -> Show:
    return lambda v: words.code(table, v)


def _yes(value: Any) -> str:
    return "是" if value else "否"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _yuan(value: Any) -> str:
    return "" if value is None else f"{words.yuan(value)} 元"


REGION: Show = lambda v: regions.name_of(str(v)) if v else ""  # noqa: E731
CATEGORY: Show = _table(words.CHOICES["category"])
LEAD_CATEGORY: Show = _table(words.LEAD_CATEGORY)


def _scopes(value: Any) -> str:
    """Scope codes with their names (业务范围 as the certificate writes them)."""
    table = scope_table()
    codes = value if isinstance(value, list) else ([value] if value else [])
    return "；".join(f"{c} {table[c].name}" if c in table else str(c) for c in codes)


SCOPES: Show = _scopes
KINDS: Show = _table({**labels.INSTITUTION_KIND, **labels.QUALIFICATION_KIND, **labels.QC_ACTIVITY})


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    show: Show = _text


@dataclass(frozen=True)
class Sub:
    key: str
    title: str
    columns: tuple[Column, ...]
    kind: str = ""  # a row links to this record kind
    id_key: str = ""
    command: str = ""  # a command a row offers, its field `fill` taking the row's `id_key`
    fill: str = ""
    until: str = ""  # the row key that, once set, means the command is done


@dataclass(frozen=True)
class Record:
    kind: str
    title: str
    service: str
    api: str  # with {id}
    name_key: str
    fields: tuple[Column, ...]
    subs: tuple[Sub, ...] = ()
    documents: tuple[tuple[str, str], ...] = ()  # (document key, title)


@dataclass(frozen=True)
class Listing:
    key: str
    title: str
    service: str
    api: str
    kind: str  # the record kind a row opens
    id_key: str
    columns: tuple[Column, ...]
    roles: tuple[Role, ...]
    filters: tuple[tuple[str, str, dict[str, str]], ...] = ()  # (param, label, choices)
    sorts: dict[str, str] = field(default_factory=dict)
    mine: bool = False  # the API path names the institution's own id


INSTITUTION_NAME = Column("institution_name", "机构名称")
STATUS = Column("status", "状态", _table(labels.QUALIFICATION_STATUS))

RECORDS = {
    r.kind: r
    for r in (
        Record(
            "campaign",
            "专项自查",
            "registry",
            "/api/v1/self-inspection-campaigns/{id}",
            "title",
            (
                Column("title", "名称"),
                Column("region_code", "范围", REGION),
                Column("period_from", "统计期间起", _date),
                Column("period_to", "统计期间止", _date),
                Column("deadline", "报送截止日期", _date),
                Column("reports", "已报送机构数"),
                Column("reported", "本机构已报送", _yes),
            ),
        ),
        Record(
            "institution",
            "机构",
            "registry",
            "/api/v1/institutions/{id}/history",
            "name",
            (
                Column("name", "机构名称"),
                Column("uscc", "统一社会信用代码"),
                Column("kind", "机构类型", KINDS),
                Column("region_code", "所在地区", REGION),
                Column("website", "网站"),
                Column("registered_at", "登记日期", _date),
            ),
        ),
        Record(
            "qualification",
            "资质",
            "registry",
            "/api/v1/qualifications/{id}",
            "institution_name",
            (
                INSTITUTION_NAME,
                Column("kind", "资质类别", KINDS),
                STATUS,
                Column("certificate_number", "证书编号"),
                Column("scope_codes", "业务范围", SCOPES),
                Column("valid_from", "有效期起", _date),
                Column("valid_until", "有效期至", _date),
                Column("renewal_pending", "延续申请审查中", _yes),
            ),
            (
                Sub(
                    "decisions",
                    "许可决定及其公示",
                    (
                        Column("decision_type", "决定", _table(words.DECISION_TYPES)),
                        Column("decided_at", "决定日期", _date),
                        Column("due_on", "应公示日期", _date),
                        Column("published_at", "公示日期", _date),
                    ),
                    id_key="decision_event_id",
                    command="publish-decision",
                    fill="decision_event_id",
                    until="published_at",
                ),
            ),
            documents=(("certificate", "资质证书"),),
        ),
        Record(
            "staff",
            "专业技术人员",
            "registry",
            "/api/v1/staff/{id}",
            "masked_name",
            (
                Column("masked_name", "姓名"),
                Column("title", "职称", _table(labels.STAFF_TITLE)),
                Column("specialty", "专业"),
                Column("years", "从业年限"),
                Column("role", "岗位", _table(words.CHOICES["role"])),
                Column("full_time", "专职", _yes),
                Column("active", "在职", _yes),
                Column("registered_on", "登记日期", _date),
                Column("left_on", "离职日期", _date),
            ),
        ),
        Record(
            "filing",
            "跨省执业备案",
            "registry",
            "/api/v1/filings/{id}",
            "institution_name",
            (
                INSTITUTION_NAME,
                Column("province_code", "备案省份", REGION),
                Column("certificate_number", "资质证书编号"),
                Column("filed_on", "备案日期", _date),
            ),
            (
                Sub(
                    "summaries",
                    "工作小结",
                    (
                        Column("period", "期间"),
                        Column("submitted_on", "报送日期", _date),
                        Column("due_on", "应报日期", _date),
                        Column("late", "逾期", _yes),
                    ),
                ),
            ),
        ),
        Record(
            "qc-plan",
            "质控计划",
            "qc",
            "/api/v1/plans/{id}/history",
            "year",
            (Column("year", "年度"), Column("province_code", "省份", REGION)),
        ),
        Record(
            "qc-activity",
            "质控活动",
            "qc",
            "/api/v1/activities/{id}",
            "kind",
            (
                Column("kind", "活动类型", KINDS),
                Column("year", "年度"),
                Column("province_code", "省份", REGION),
                Column("results", "已记录结果"),
                Column("failures", "不合格"),
            ),
            (
                Sub(
                    "participants",
                    "参加机构与结果",
                    (
                        INSTITUTION_NAME,
                        Column("result", "结果", _table(labels.QC_RESULT)),
                        Column("recorded_on", "记录日期", _date),
                    ),
                    id_key="institution_id",
                    command="record-result",
                    fill="institution_id",
                    until="result",
                ),
                Sub(
                    "findings",
                    "发现的问题",
                    (
                        Column("category", "类别", CATEGORY),
                        Column("severity", "严重程度", _table(words.CHOICES["severity"])),
                        Column("recorded_on", "记录日期", _date),
                    ),
                ),
            ),
        ),
        Record(
            "rectification",
            "整改事项",
            "qc",
            "/api/v1/rectifications/{id}",
            "institution_name",
            (
                INSTITUTION_NAME,
                Column("category", "问题类别", CATEGORY),
                Column("severity", "严重程度", _table(words.CHOICES["severity"])),
                Column("state", "整改状态", _table(labels.RECTIFICATION_STATUS)),
                Column("due_on", "整改期限", _date),
                Column("overdue", "已逾期", _yes),
            ),
            documents=(("rectification-notice", "整改通知书"),),
        ),
        Record(
            "lead",
            "线索",
            "enforcement",
            "/api/v1/leads/{id}",
            "institution_name",
            (
                INSTITUTION_NAME,
                Column("source", "来源", _table(words.LEAD_SOURCE)),
                Column("category", "类别", LEAD_CATEGORY),
                Column("description", "内容"),
                Column("status", "状态", _table(words.LEAD_STATUS)),
                Column("opened_on", "登记日期", _date),
            ),
        ),
        Record(
            "case",
            "案件",
            "enforcement",
            "/api/v1/cases/{id}",
            "institution_name",
            (
                INSTITUTION_NAME,
                Column("violation", "违法行为", _table(labels.VIOLATION)),
                Column("stage", "办理阶段", _table(words.STAGES)),
                Column("opened_on", "立案日期", _date),
                Column("decision_number", "决定书文号"),
                Column("decided_on", "决定日期", _date),
                Column("penalties", "处罚种类", _table(labels.PENALTY)),
                Column("fine_yuan", "罚款", _yuan),
            ),
            documents=(("penalty-decision", "行政处罚决定书"),),
        ),
        Record(
            "inspection",
            "检查",
            "enforcement",
            "/api/v1/inspections/{id}",
            "institution_name",
            (
                INSTITUTION_NAME,
                Column("period", "期间"),
                Column("kinds", "检查类型", _table(words.INSPECTION_KIND)),
                Column("inspectors", "检查人员"),
                Column("scheduled_on", "安排日期", _date),
                Column("ended_on", "结束日期", _date),
                Column("result", "结果", _table(words.CHOICES["result"])),
                Column("published_on", "公开日期", _date),
            ),
        ),
        Record(
            "inspection-plan",
            "双随机抽查计划",
            "enforcement",
            "/api/v1/plans/{id}",
            "year",
            (Column("year", "年度"), Column("jurisdiction_region_code", "辖区", REGION)),
            (
                Sub(
                    "draws",
                    "抽取结果",
                    (
                        Column("draw_id", "抽取编号"),
                        Column("seed", "随机种子"),
                        Column("published_on", "公布日期", _date),
                    ),
                ),
            ),
        ),
    )
}

OFFICIALS = (Role.REGISTRY_AUTHORITY, Role.QC_CENTRE, Role.SUPERVISION_UNIT)
SUPERVISOR = (Role.SUPERVISION_UNIT,)
LISTINGS = {
    v.key: v
    for v in (
        Listing(
            "institutions",
            "机构",
            "registry",
            "/api/v1/institutions",
            "institution",
            "institution_id",
            (
                Column("name", "机构名称"),
                Column("uscc", "统一社会信用代码"),
                Column("kind", "类型", KINDS),
                Column("region_code", "地区", REGION),
                Column("granted", "有效资质数"),
            ),
            OFFICIALS,
            (("q", "名称或信用代码", {}), ("kind", "类型", labels.INSTITUTION_KIND)),
            {"name": "名称", "registered_at": "登记日期"},
        ),
        Listing(
            "qualifications",
            "资质",
            "registry",
            "/api/v1/qualifications",
            "qualification",
            "qualification_id",
            (
                Column("institution_name", "机构"),
                Column("kind", "类别", KINDS),
                STATUS,
                Column("certificate_number", "证书编号"),
                Column("valid_until", "有效期至", _date),
            ),
            (*OFFICIALS, Role.INSTITUTION),
            (
                (
                    "status",
                    "状态",
                    {"applied": "已申请", "under-review": "审查中", **labels.QUALIFICATION_STATUS},
                ),
            ),
            {"valid_until": "有效期", "status": "状态"},
        ),
        Listing(
            "staff",
            "专业技术人员",
            "registry",
            "/api/v1/staff",
            "staff",
            "staff_id",
            (
                Column("masked_name", "姓名"),
                Column("title", "职称", _table(labels.STAFF_TITLE)),
                Column("role", "岗位", _table(words.CHOICES["role"])),
                Column("full_time", "专职", _yes),
                Column("active", "在职", _yes),
            ),
            (*OFFICIALS, Role.INSTITUTION),
            (("institution_id", "机构编号", {}),),
            {"registered_on": "登记日期"},
        ),
        Listing(
            "filings",
            "跨省执业备案",
            "registry",
            "/api/v1/filings",
            "filing",
            "filing_id",
            (
                INSTITUTION_NAME,
                Column("province_code", "备案省份", REGION),
                Column("filed_on", "备案日期", _date),
                Column("summaries", "已报工作小结"),
            ),
            (*OFFICIALS, Role.INSTITUTION),
            (),
            {"filed_on": "备案日期"},
        ),
        Listing(
            "campaigns",
            "专项自查",
            "registry",
            "/api/v1/self-inspection-campaigns",
            "campaign",
            "campaign_id",
            (
                Column("title", "名称"),
                Column("region_code", "范围", REGION),
                Column("deadline", "报送截止日期", _date),
                Column("reports", "已报送机构数"),
                Column("reported", "本机构已报送", _yes),
            ),
            (*OFFICIALS, Role.INSTITUTION),
            sorts={"deadline": "报送截止日期", "launched_on": "部署日期"},
        ),
        Listing(
            "qc/plans",
            "质控计划",
            "qc",
            "/api/v1/plans",
            "qc-plan",
            "plan_id",
            (
                Column("year", "年度"),
                Column("province_code", "省份", REGION),
                Column("entries", "计划机构数"),
            ),
            OFFICIALS,
        ),
        Listing(
            "qc/activities",
            "质控活动",
            "qc",
            "/api/v1/activities",
            "qc-activity",
            "activity_id",
            (
                Column("kind", "类型", KINDS),
                Column("year", "年度"),
                Column("results", "已记录结果"),
                Column("failures", "不合格"),
            ),
            OFFICIALS,
            (("kind", "类型", labels.QC_ACTIVITY),),
        ),
        Listing(
            "qc/rectifications",
            "整改事项",
            "qc",
            "/api/v1/rectifications",
            "rectification",
            "item_id",
            (
                Column("name", "机构名称"),
                Column("category", "问题类别", CATEGORY),
                Column("state", "状态", _table(labels.RECTIFICATION_STATUS)),
                Column("due_on", "整改期限", _date),
            ),
            OFFICIALS,
            (("state", "状态", labels.RECTIFICATION_STATUS),),
        ),
        Listing(
            "rectifications",
            "整改事项",
            "qc",
            "/api/v1/institutions/{mine}/rectifications",
            "rectification",
            "item_id",
            (
                Column("category", "问题类别", CATEGORY),
                Column("state", "状态", _table(labels.RECTIFICATION_STATUS)),
                Column("due_on", "整改期限", _date),
            ),
            (Role.INSTITUTION,),
            (("state", "状态", labels.RECTIFICATION_STATUS),),
            {"due_on": "整改期限"},
            True,
        ),
        Listing(
            "leads",
            "线索",
            "enforcement",
            "/api/v1/leads",
            "lead",
            "lead_id",
            (
                INSTITUTION_NAME,
                Column("category", "类别", LEAD_CATEGORY),
                Column("description", "内容"),
                Column("status", "状态", _table(words.LEAD_STATUS)),
                Column("opened_on", "登记日期", _date),
            ),
            SUPERVISOR,
        ),
        Listing(
            "cases",
            "案件",
            "enforcement",
            "/api/v1/cases",
            "case",
            "case_id",
            (
                INSTITUTION_NAME,
                Column("violation", "违法行为", _table(labels.VIOLATION)),
                Column("stage", "阶段", _table(words.STAGES)),
                Column("opened_on", "立案日期", _date),
                Column("decision_number", "决定书文号"),
            ),
            SUPERVISOR,
            (("q", "机构名称或文号", {}), ("stage", "阶段", words.STAGES)),
            {"opened_on": "立案日期", "stage": "阶段", "institution": "机构"},
        ),
        Listing(
            "inspection-plans",
            "双随机抽查计划",
            "enforcement",
            "/api/v1/plans",
            "inspection-plan",
            "plan_id",
            (
                Column("year", "年度"),
                Column("jurisdiction_region_code", "辖区", REGION),
                Column("draws", "抽取次数"),
            ),
            SUPERVISOR,
        ),
        Listing(
            "inspections",
            "检查",
            "enforcement",
            "/api/v1/inspections",
            "inspection",
            "inspection_id",
            (
                INSTITUTION_NAME,
                Column("period", "期间"),
                Column("scheduled_on", "安排日期", _date),
                Column("result", "结果", _table(words.CHOICES["result"])),
                Column("published_on", "公开日期", _date),
            ),
            SUPERVISOR,
            sorts={"scheduled_on": "安排日期", "institution": "机构"},
        ),
        Listing(
            "judicial-transfers",
            "移送司法的案件",
            "enforcement",
            "/api/v1/judicial-transfers",
            "judicial-transfer",
            "transfer_id",
            (
                Column("receiving_authority", "接收机关"),
                Column("suspected_offence", "涉嫌罪名"),
                Column("transferred_on", "移送日期", _date),
                Column("status", "办理情况", _table(words.CHOICES["status"])),
                Column("status_on", "情况日期", _date),
            ),
            SUPERVISOR,
            (("status", "办理情况", words.CHOICES["status"]),),
        ),
        Listing(
            "practice-bans",
            "禁止从业人员",
            "enforcement",
            "/api/v1/practice-bans",
            "case",
            "case_id",
            (
                Column("masked_name", "姓名"),
                Column("decision_number", "决定书文号"),
                Column("starts_on", "起始日期", _date),
                Column("ends_on", "截止日期", _date),
            ),
            SUPERVISOR,
        ),
        Listing(
            "penalty-notices",
            "本辖区机构受到的行政处罚（含外地作出）",
            "registry",
            "/api/v1/penalty-notices",
            "institution",
            "institution_id",
            (
                INSTITUTION_NAME,
                Column("decision_number", "决定书文号"),
                Column("decided_on", "决定日期", _date),
                Column("authority", "作出决定的机关"),
                Column("violation", "违法行为", _table(labels.VIOLATION)),
                Column("out_of_area", "外省作出", _yes),
                Column("annulled_on", "撤销日期", _date),
            ),
            OFFICIALS,
        ),
        Listing(
            "qc-notices",
            "外省质控中心告知的质控结果",
            "registry",
            "/api/v1/qc-notices",
            "institution",
            "institution_id",
            (
                Column("name", "机构名称"),
                Column("activity_kind", "质控活动", KINDS),
                Column("result", "结果", _table(words.CHOICES["result"])),
                Column("qc_province_code", "质控省份", REGION),
                Column("sent_on", "告知日期", _date),
            ),
            (Role.REGISTRY_AUTHORITY,),
        ),
        Listing(
            "qc/follow-ups",
            "跟进措施（约谈、集中点评、督办整改）",
            "qc",
            "/api/v1/follow-ups",
            "qc-follow-up",
            "follow_up_id",
            (
                Column("name", "机构名称"),
                Column("kind", "措施", _table(words.FOLLOW_UP_KIND)),
                Column("held_on", "实施日期", _date),
                Column("subject", "事由"),
                Column("outcome", "结果"),
                Column("concluded_on", "办结日期", _date),
            ),
            OFFICIALS,
        ),
        Listing(
            "qc/typical-cases",
            "监督机构反馈的典型案例",
            "qc",
            "/api/v1/typical-cases",
            "",
            "case_id",
            (
                Column("name", "机构名称"),
                Column("violation", "违法行为", _table(labels.VIOLATION)),
                Column("summary", "典型意义"),
                Column("marked_on", "反馈日期", _date),
            ),
            OFFICIALS,
        ),
    )
}


def listing_of(kind: str) -> Listing | None:
    """The list whose rows are records of this kind (the first, for kinds listed twice)."""
    return next((v for v in LISTINGS.values() if kind and v.kind == kind), None)
