"""Finding categories, derived from the seeds: the eight inspection subjects of the Hangzhou
campaign (seed 000 §三), the violation kinds of 附表2, and QC refusal (seed 001, Q6).

A category marked `clue` is a violation clue by nature and is referred to supervision (Q5).
"""

from __future__ import annotations

CATEGORIES: dict[str, tuple[str, bool]] = {
    # code: (Chinese label, violation clue by nature)
    "certificate-management": ("资质证书管理（涂改、倒卖、出租、出借或转让资质证书）", True),
    "beyond-scope": ("超出资质认可范围从事技术服务", True),
    "staff-management": ("专业技术人员管理和执业行为", True),
    "entrustment": ("技术服务委托（合同）", False),
    "service-procedure": ("技术服务活动规范性（现场调查、采样、检测、评价程序）", False),
    "quality-management": ("质量控制和管理", False),
    "records-management": ("技术服务档案管理", False),
    "information-reporting": ("技术服务信息报送和公开", False),
    "false-report": ("出具虚假或失实的技术服务报告", True),
    "detection-accuracy": ("检测结果准确性（能力比对、盲样考核不合格）", False),
    "refused-qc": ("拒绝参加质量控制", True),
    # 瞒报、谎报 next to 不报、迟报 (seed 001 §二(三)1): service information concealed or false.
    "concealed-information": ("瞒报技术服务信息", True),
    "falsified-information": ("谎报技术服务信息", True),
}
SEVERITIES = ("general", "serious")
