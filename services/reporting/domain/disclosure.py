"""Public records in the disclosure conventions (pure): the 双公示 administrative-penalty
record, and the Chinese headers (in their order) of every public list as downloaded.

Field names and order follow the national 双公示 data standard's administrative-penalty item
list (README, "Public credit portal"); values the events do not carry stay empty.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from services.reporting.domain import labels as L

SUBJECT_CATEGORY = "法人及非法人组织"  # every 行政相对人 here is an institution, never a person
LONG_TERM = date(2099, 12, 31)  # the standard's 处罚有效期 for a penalty without an end
CERTIFICATE = "职业卫生/放射卫生技术服务机构资质证书"
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{9}[0-9Xx](?![0-9])")

# (attribute of PublicPenalty, Chinese header): the 双公示 penalty fields in their order.
PENALTY_FIELDS: tuple[tuple[str, str], ...] = (
    ("institution_name", "行政相对人名称"),
    ("subject_category", "行政相对人类别"),
    ("uscc", "统一社会信用代码"),
    ("legal_representative", "法定代表人"),
    ("decision_number", "行政处罚决定书文号"),
    ("violation_label", "违法行为类型"),
    ("violation_facts", "违法事实"),
    ("legal_basis", "处罚依据"),
    ("category_text", "处罚类别"),
    ("penalty_content", "处罚内容"),
    ("fine_wan_yuan", "罚款金额（万元）"),
    ("confiscation_wan_yuan", "没收违法所得、没收非法财物的金额（万元）"),
    ("licence_revoked", "暂扣或吊销证照名称及编号"),
    ("decided_on", "处罚决定日期"),
    ("effective_until", "处罚有效期"),
    ("public_until", "公示截止期"),
    ("authority", "处罚机关"),
    ("authority_uscc", "处罚机关统一社会信用代码"),
    ("data_source", "数据来源单位"),
    ("data_source_uscc", "数据来源单位统一社会信用代码"),
    ("remarks", "备注"),
)

# The standard's data-item codes of the same fields (its exchange format), for harvesters.
PENALTY_CODES: dict[str, str] = {
    "institution_name": "CF_XDR_MC",
    "subject_category": "CF_XDR_LB",
    "uscc": "CF_XDR_SHXYM",
    "legal_representative": "CF_FRDB",
    "decision_number": "CF_WSH",
    "violation_label": "CF_WFXW",
    "violation_facts": "CF_SY",
    "legal_basis": "CF_YJ",
    "category_text": "CF_CFLB",
    "penalty_content": "CF_NR",
    "fine_wan_yuan": "CF_NR_FK",
    "confiscation_wan_yuan": "CF_NR_WFFF",
    "licence_revoked": "CF_NR_ZKDX",
    "decided_on": "CF_JDRQ",
    "effective_until": "CF_YXQ",
    "public_until": "CF_GSJZQ",
    "authority": "CF_CFJG",
    "authority_uscc": "CF_CFJGDM",
    "data_source": "CF_SJLY",
    "data_source_uscc": "CF_SJLYDM",
    "remarks": "BZ",
}

INSTITUTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "机构名称"),
    ("uscc", "统一社会信用代码"),
    ("legal_representative", "法定代表人"),
    ("kind_label", "机构类别"),
    ("region_name", "所在地区"),
    ("region_code", "行政区划代码"),
    ("address", "地址"),
    ("certificates", "资质证书（编号、类别、状态、有效期）"),
    ("scope_names", "业务范围"),
)

LISTED_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "机构名称"),
    ("uscc", "统一社会信用代码"),
    ("region_name", "所在地区"),
    ("detail", "情况"),
    ("since", "日期"),
)


def wan_yuan(amount: Decimal | None) -> Decimal | None:
    """Yuan to 万元, as the standard states amounts (4 decimals keep every yuan)."""
    if amount is None:
        return None
    return (amount / Decimal(10_000)).quantize(Decimal("0.0001"))


def scrub(text: str | None) -> str:
    """An ID number never reaches a public page, even inside free text."""
    return _ID_NUMBER.sub("［身份证号已隐去］", text or "")


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def effective_until(decided_on: date, penalties: list[str], ban_years: int | None) -> date | None:
    """处罚有效期: a practice ban ends after its years, a revocation never does; a warning,
    fine or confiscation has no duration (empty)."""
    if "practice-ban" in penalties and ban_years:
        return add_years(decided_on, ban_years)
    if "revocation" in penalties:
        return LONG_TERM
    return None


def licence_revoked(penalties: list[str], certificate_number: str | None) -> str:
    if "revocation" not in penalties:
        return ""
    return f"{CERTIFICATE}（{certificate_number}）" if certificate_number else CERTIFICATE


def penalty_content(
    penalties: list[str],
    fine_yuan: Decimal | None,
    confiscation_yuan: Decimal | None,
    certificate_number: str | None,
    banned_staff: str | None,
    ban_years: int | None,
) -> str:
    """What the decision imposes, in words (处罚内容)."""
    parts: list[str] = []
    for p in penalties:
        if p == "fine" and fine_yuan is not None:
            parts.append(f"罚款人民币{_amount(fine_yuan)}元")
        elif p == "confiscation" and confiscation_yuan is not None:
            parts.append(f"没收违法所得人民币{_amount(confiscation_yuan)}元")
        elif p == "revocation":
            parts.append(f"吊销{licence_revoked(penalties, certificate_number)}")
        elif p == "practice-ban":
            who = f"专业技术人员{banned_staff}" if banned_staff else "有关专业技术人员"
            parts.append(f"{who}{ban_years or ''}年内禁止从事职业卫生技术服务")
        else:
            parts.append(L.label(L.PENALTY, p))
    return "；".join(parts)


def _amount(yuan: Decimal) -> str:
    return format(yuan.quantize(Decimal("0.01")).normalize(), "f")
