"""Chinese words for the console's pages: field names, event types, and the choices of
fields whose codes the APIs take as text (the portal's labels reused where they exist)."""

from __future__ import annotations

from services.qc.domain.capability import ASPECTS as CAPABILITY_ASPECTS
from services.qc.domain.categories import CATEGORIES  # the vocabulary, no state
from services.qc.domain.follow_up import KINDS as FOLLOW_UP_KIND
from services.reporting.domain import labels

FIELDS = {
    "added_scope_codes": "增加的业务范围",
    "address": "地址",
    "approve": "批准延续",
    "assessment_certificate_number": "考核合格证明编号",
    "assessment_date": "考核日期",
    "attachment_refs": "附件（每行一个）",
    "ban_years": "禁业年限",
    "banned_staff_id": "被禁业人员编号",
    "cards_per_institution": "每个机构抽查报告卡数",
    "category": "类别",
    "certificate_number": "资质证书编号",
    "client_address": "委托单位地址",
    "client_contact": "委托单位联系人",
    "client_name": "委托单位名称",
    "client_region_code": "委托单位所在地区代码",
    "client_uscc": "委托单位统一社会信用代码",
    "complaints_to_verify": "待核实投诉",
    "completion_date": "完成日期",
    "confiscation_yuan": "没收违法所得（元）",
    "conflicts": "需回避的机构（每行一个）",
    "contacts": "联系人",
    "deadline": "截止日期",
    "decision_event_id": "决定编号（事件）",
    "decision_number": "决定书文号",
    "description": "描述",
    "due_on": "整改期限",
    "employer_name": "用人单位名称",
    "ended_on": "结束日期",
    "findings": "发现的问题",
    "fine_yuan": "罚款金额（元）",
    "full_evaluation": "已全面评价",
    "full_time": "专职",
    "harm_removed": "危害后果已消除",
    "id_number": "身份证号码",
    "illegal_gains_yuan": "违法所得（元）",
    "inspector_id": "检查人员编号",
    "inspectors": "检查人员（每行一个编号）",
    "institution_id": "机构编号",
    "jurisdiction_region_code": "辖区代码",
    "kind": "类型",
    "left_on": "离职日期",
    "legal_representative": "法定代表人",
    "name": "名称",
    "nature": "单位性质",
    "notes": "备注",
    "participants": "参加机构（每行一个编号）",
    "penalties": "处罚种类",
    "period": "期间",
    "period_from": "期间起",
    "period_to": "期间止",
    "phone": "电话",
    "plan_id": "计划编号",
    "problems": "问题",
    "projects": "项目",
    "province_code": "省份代码",
    "published_at": "公开时间",
    "reason": "理由",
    "receiving_qc_centre": "接收的质控中心",
    "region_code": "所在地区代码",
    "registered_on": "登记日期",
    "report_name": "报告名称",
    "report_number": "报告编号",
    "result": "结果",
    "role": "岗位",
    "roster": "执法人员名录",
    "sampling_ratio": "抽查比例（如 1/10）",
    "scope_codes": "业务范围代码（每行一个）",
    "seed": "随机种子（可不填）",
    "service_kind": "服务类型",
    "severity": "严重程度",
    "source_ref": "来源编号",
    "specialty": "专业",
    "staff_ids": "人员编号（每行一个）",
    "summary": "调查结论",
    "team_size": "每组检查人员数",
    "text": "整改说明",
    "title": "职称",
    "uscc": "统一社会信用代码",
    "valid_from": "有效期起",
    "valid_until": "有效期至",
    "violation": "违法行为",
    "violation_clue": "违法线索",
    "website": "网站",
    "year": "年度",
    "years_of_experience": "从业年限",
    "evidence_refs": "证据材料（每行一个）",
    "applied_on": "申请日期",
    "granted_on": "批准日期",
    "restore_erased_person": "重新登记已删除个人信息的人员",
    "position": "职务",
    "email": "电子邮箱",
    "work_region_code": "技术服务工作地代码",
    "work_place_authority": "工作地卫生健康主管部门",
    "receiving_official": "承办人",
    "receiving_official_phone": "承办人电话",
    "filed_on": "备案日期",
    "technical_staff": "技术服务人员数",
    "detection_reports": "检测报告出具数",
    "evaluation_reports": "评价报告出具数",
    "detection_report_problems": "发现问题的检测报告数",
    "evaluation_report_problems": "发现问题的评价报告数",
    "municipal_qc_serving_outside": "跨市服务的市级质控机构（每行一个编号）",
    "opened_on": "登记日期",
    "found_on": "发现日期",
    "recorded_on": "记录日期",
    "exclusive_teams": "每名检查人员在一次抽取中只参加一个检查组",
    "scheduled_on": "安排检查日期",
    "violation_region_code": "违法行为发生地代码",
    "closed_on": "办结日期",
    "staff_id": "被处罚人员编号（对个人立案时填写）",
    "investigated_on": "调查终结日期",
    "decided_on": "决定日期",
    "severity_basis": "严重程度的认定理由",
    "executed_on": "执行完毕日期",
    "annulled_on": "撤销日期",
    "held_on": "实施日期",
    "subject": "事由",
    "outcome": "结果",
    "concluded_on": "办结日期",
    "gaps": "不符合之处（分类说明）",
    "improvement_plan": "能力提升计划",
    "note": "说明",
    "meets": "是否符合建设标准",
    "receiving_authority": "接收移送的司法机关",
    "suspected_offence": "涉嫌罪名",
    "transferred_on": "移送日期",
    "status": "状态",
    "on": "日期",
}

# Where a lead came from (enforcement's lead sources).
LEAD_SOURCE = {
    "qc-referral": "质控移送",
    "complaint": "投诉举报",
    "unfiled-work": "未备案执业",
    "draw": "双随机抽查发现",
    "extended-inspection": "扩大检查发现",
    "inspection": "检查发现",
}
# An inspection's kinds (a draw's, or scheduled by hand).
INSPECTION_KIND = {
    "random": "双随机抽查",
    "extended": "扩大检查",
    "complaint": "投诉举报",
    "referral": "移交",
}
# Choices for text fields the APIs check against a list of codes.
CHOICES: dict[str, dict[str, str]] = {
    "violation": labels.VIOLATION,
    "penalties": labels.PENALTY,
    "service_kind": {
        "detection": "检测",
        "evaluation": "评价",
        "current-status-evaluation": "职业病危害现状评价",
        "pre-evaluation": "职业病危害预评价",
        "control-effect-evaluation": "职业病危害控制效果评价",
        "protection-evaluation": "放射防护评价",
        "personal-dose-monitoring": "个人剂量监测",
        "other": "其他",
    },
    "role": {"staff": "技术人员", "technical-lead": "技术负责人", "qc-lead": "质量负责人"},
    "source": LEAD_SOURCE,
    "category": {code: label for code, (label, _) in CATEGORIES.items()},
    "result": {**labels.QC_RESULT, "compliant": "未发现问题", "issues-found": "发现问题"},
    "severity": {"general": "一般", "serious": "严重"},
    "title": labels.STAFF_TITLE,
    "nature": {"企业": "企业", "事业单位": "事业单位", "社会组织": "社会组织"},
    "status": {
        "transferred": "已移送",
        "accepted": "已立案受理",
        "declined": "不予立案",
        "prosecuted": "已提起公诉",
        "concluded": "已办结",
        "returned": "已退回",
    },
}
# Free mappings of yes/no answers whose keys are fixed by the domain: one check box each.
FLAGS: dict[str, dict[str, str]] = {"meets": CAPABILITY_ASPECTS}
# The registry's licensing decisions (decisions.decision_type), as a notice names them.
DECISION_TYPES = {
    "granted": "准予许可",
    "rejected": "不予许可",
    "renewed": "准予延续",
    "renewal-rejected": "不予延续",
    "changed": "准予变更",
    "cancelled": "注销",
    "revoked": "吊销",
    "withdrawn": "撤销",
}
# A lead's category: a violation, or the QC finding category a referral carried.
LEAD_CATEGORY = {**CHOICES["category"], **labels.VIOLATION}
# Names whose choices apply only where the API checks a code (elsewhere the name is free text).
CODED_ONLY = {"title", "status", "result"}
KIND_CHOICES = {
    "RegisterInstitution": labels.INSTITUTION_KIND,
    "ApplyForQualification": labels.QUALIFICATION_KIND,
    "OpenActivity": labels.QC_ACTIVITY,
    "ScheduleInspection": {"extended": "扩大检查", "complaint": "投诉举报", "referral": "移交"},
    "RecordFollowUp": FOLLOW_UP_KIND,
}

STAGES = {
    "opened": "已立案",
    "investigated": "已调查",
    "penalty-decided": "已作出处罚决定",
    "executed": "已执行",
    "closed": "已结案",
    "annulled": "处罚已撤销",
}
LEAD_STATUS = {"open": "待处理", "closed": "已了结", "case-opened": "已立案"}


EVENTS = {
    "enforcement.CaseOpened": "立案",
    "enforcement.CaseClosed": "结案",
    "enforcement.QualificationRevocationOrdered": "责令吊销资质",
    "enforcement.InspectionCompleted": "检查完成",
    "enforcement.UnreportedProjectFound": "发现未报告项目",
    "enforcement.ReferralAcknowledged": "接收移交",
    "enforcement.LeadOpened": "登记线索",
    "enforcement.InspectionPlanDefined": "制定抽查计划",
    "enforcement.InspectionDrawPublished": "公布抽取结果",
    "enforcement.InspectionScheduled": "安排检查",
    "enforcement.InspectionMerged": "合并检查",
    "enforcement.InspectionResultPublished": "公开检查结果",
    "enforcement.LeadClosed": "了结线索",
    "enforcement.CaseInvestigated": "调查终结",
    "enforcement.PenaltyDecided": "作出行政处罚决定",
    "enforcement.PenaltyExecuted": "处罚执行完毕",
    "enforcement.CreditClassChanged": "信用等级变更",
    "enforcement.CreditRepairGranted": "准予信用修复",
    "enforcement.PenaltyAnnulled": "撤销行政处罚",
    "qc.RectificationRequired": "责令整改",
    "qc.RectificationVerified": "整改销号",
    "qc.RectificationReopened": "回头看重新整改",
    "qc.BlindSamplePassed": "盲样考核通过",
    "qc.QcPlanGenerated": "生成质控计划",
    "qc.QcActivityOpened": "开展质控活动",
    "qc.QcResultRecorded": "记录质控结果",
    "qc.QcFindingRecorded": "记录质控问题",
    "qc.RectificationSubmitted": "提交整改",
    "qc.RectificationRejected": "整改未通过",
    "qc.RectificationOverdue": "逾期未整改",
    "qc.ViolationClueReferred": "移交违法线索",
    "qc.AnnualQcConcluded": "年度质控结论",
    "registry.InstitutionRegistered": "登记机构",
    "registry.QualificationGranted": "批准资质",
    "registry.InstitutionDetailsChanged": "变更机构信息",
    "registry.QualificationApplied": "申请资质",
    "registry.QualificationReviewStarted": "开始审查",
    "registry.QualificationRejected": "不予批准",
    "registry.QualificationRenewalAccepted": "受理延续申请",
    "registry.QualificationRenewed": "准予延续",
    "registry.QualificationRenewalRejected": "不予延续",
    "registry.QualificationChanged": "变更资质",
    "registry.QualificationCancelled": "注销资质",
    "registry.QualificationRevoked": "吊销资质",
    "registry.QualificationWithdrawn": "撤销资质",
    "registry.QualificationExpired": "资质有效期届满",
    "registry.QualificationDecisionPublished": "公开审批决定",
    "registry.StaffRegistered": "登记专业技术人员",
    "registry.StaffLeft": "人员离职",
    "registry.OutOfProvinceFilingRegistered": "跨省执业备案",
    "registry.WorkSummarySubmitted": "报送工作小结",
    "registry.ServiceReportCardFiled": "报送技术服务信息报告卡",
    "registry.InstitutionConditionsChanged": "机构条件变化",
    "registry.SelfInspectionCampaignLaunched": "部署自查",
    "registry.SelfInspectionReported": "报送自查结果",
    "registry.PersonalDataErased": "删除个人信息",
    "enforcement.CaseMarkedTypical": "列为典型案例",
    "enforcement.CaseTransferredToJudiciary": "移送司法机关",
    "enforcement.JudicialTransferStatusChanged": "司法机关办理情况",
    "enforcement.PracticeBanImposed": "禁止从业",
    "enforcement.ReferralAcknowledgedByUnit": "签收移送线索",
    "qc.AnnualQcConclusionRevised": "年度质控结论更新",
    "qc.CapabilityAssessed": "能力建设评估",
    "qc.QcFollowUpConcluded": "跟进措施办结",
    "qc.QcFollowUpRecorded": "采取跟进措施",
    "qc.QcPublicListEntered": "列入质控公示名单",
    "qc.QcPublicListLeft": "移出质控公示名单",
    "qc.QcResultSentToHomeAuthority": "质控结果告知属地",
    "registry.UnfiledWorkDetected": "发现未备案的跨省执业",
}
ROLES = {
    "registry-authority": "资质审批部门",
    "qc-centre": "质控中心",
    "supervision-unit": "卫生监督机构",
    "institution": "技术服务机构",
    "system": "系统（自动）",
}


def yuan(value: object) -> str:
    """An amount as people write it: 10,000.00 (the API sends decimals as text, e.g. 1E+4)."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


def field(name: str) -> str:
    return FIELDS.get(name, name)


def event(event_type: str) -> str:
    return EVENTS.get(event_type, event_type.split(".")[-1])


def code(table: dict[str, str], value: object) -> str:
    if isinstance(value, list):
        return "、".join(table.get(str(v), str(v)) for v in value)
    return "" if value is None else table.get(str(value), str(value))
