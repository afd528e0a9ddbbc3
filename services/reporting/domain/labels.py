"""Chinese UI text for contract codes: the portal's presentation, owned by reporting."""

from __future__ import annotations

INSTITUTION_KIND = {
    "occupational-health-service": "职业卫生技术服务机构",
    "radiological-health-service": "放射卫生技术服务机构",
    "health-examination": "职业健康检查机构",
    "diagnosis": "职业病诊断机构",
}
TECHNICAL_SERVICE_KINDS = ("occupational-health-service", "radiological-health-service")
QUALIFICATION_KIND = {"occupational-health": "职业卫生", "radiological-health": "放射卫生"}
QUALIFICATION_STATUS = {
    "granted": "有效",
    "renewal-pending": "延续审查中（有效）",
    "cancelled": "已注销",
    "revoked": "已吊销",
    "withdrawn": "已撤销",
    "expired": "已过期",
}
QUALIFICATION_CHANGE = {
    "granted": "批准",
    "renewal-accepted": "受理延续申请",
    "renewal-rejected": "不予延续",
    "renewed": "延续",
    "changed": "变更",
    "cancelled": "注销",
    "revoked": "吊销",
    "withdrawn": "撤销",
    "expired": "有效期届满",
}
VIOLATION = {
    "unqualified-service": "未取得资质擅自从事职业卫生检测、评价",
    "beyond-scope": "超出资质认可范围从事职业卫生技术服务",
    "false-report": "出具虚假或者失实的职业卫生技术服务报告",
    "not-performing-duties": "不按照《职业病防治法》履行法定职责",
    "staff-signing": "专业技术人员为他人代签或者未参与而签字",
    "certificate-misuse": "涂改、倒卖、出租、出借或者以其他形式非法转让资质证书",
    "work-requirements-not-met": "不符合技术服务相关工作要求",
    "staff-management-not-met": "不符合专业技术人员管理要求",
    "prohibited-practice": "专业技术人员禁业行为",
    "report-card-unreported": "技术服务信息不报",
    "report-card-late": "技术服务信息迟报",
    "application-fraud": "申请资质时隐瞒有关情况或者提供虚假材料",
}
PENALTY = {
    "warning": "警告",
    "fine": "罚款",
    "confiscation": "没收违法所得",
    "revocation": "吊销资质证书",
    "practice-ban": "禁止从业",
}
QC_ACTIVITY = {
    "capability-comparison": "能力比对",
    "blind-sample": "盲样考核",
    "report-spot-check": "报告抽查",
    "on-site": "现场质控",
}
QC_RESULT = {"pass": "合格", "fail": "不合格", "refused": "拒绝参加", "not-assessed": "未考核"}
RECTIFICATION_STATUS = {
    "open": "待整改",
    "submitted": "已提交整改",
    "rejected": "整改未通过",
    "verified": "已销号",
    "reopened": "回头看重新整改",
    "overdue": "逾期未整改",
}
STAFF_TITLE = {"senior": "高级", "intermediate": "中级", "junior": "初级", "none": "无"}


def label(table: dict[str, str], code: str) -> str:
    return table.get(code, code)
