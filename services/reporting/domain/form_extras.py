"""What every form carries besides its table: the seed's own notes with their deadlines,
word for word (P4), and the header and footer fields the person filling it in gives:
填表人, 联系电话 and 填表时间 (seed 001 附表3 prints them; every form takes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# The notes printed under each form in the seeds (000 Hangzhou 2022, 001 Yunnan 2024).
SEED_NOTES: dict[str, list[str]] = {
    "hangzhou-1": [
        "说明：1、本表2022年5月20日前报送市执法队。",
        "2、出具报告数按照2021年以来（截至2022年4月30日）在辖区的业务量上报。",
    ],
    "hangzhou-2": [
        "说明：外地职业卫生技术服务机构是指在本辖区从事职业卫生技术服务的辖区以外注册的机构。",
        "（本表与专项治理工作总结于2022年11月15日前报市卫生健康综合执法队，"
        "汇总后由其于11月20日前报委综合监督处。）",
    ],
    "yunnan-1": [
        "备注：1.各州、市卫生健康主管部门对照《国家职业病防治规划（2021-2025年）》和《国家卫生健康委"
        "关于加强职业病防治技术支撑体系建设的指导意见》明确的职业病防治技术支撑能力建设标准，全面梳理查找"
        "各级疾控中心、职业病防治院所存在的技术支撑能力差距，深入分析查找问题根源，建立能力建设“底档”库"
        "和能力提升“攻坚”计划。",
        "2.请于2024年8月30日前将“底档”库、能力提升计划分别报送省卫生健康委职业健康处邮箱"
        "ynajzjc@126.com。",
    ],
    "yunnan-2": [
        "备注：1.每年1月31日和7月31日前质控中心和技术服务工作地卫生健康主管部门将省外职业（放射）"
        "卫生技术服务机构登记和工作开展情况报省卫生健康委职业健康处。",
        "2.承办人为质控中心和技术服务工作地卫生健康主管部门负责同志，承办单位需盖章。",
        "3.本表一式三份，省外职业（放射）卫生技术服务机构和承办单位各留存一份。",
    ],
    "yunnan-3": [
        "（每年1月31日和7月31日前省质量控制中心和技术服务工作地卫生健康主管部门将本表报省卫生健康委。）",
    ],
    "yunnan-4": [
        "备注：各州、市于2024年10月31日前，完成对辖区职业病防治机构的核查，并填报不符合或者不具备条件的"
        "机构名单，报送省卫生健康委职业健康处邮箱：ynajzjc@126.com。",
    ],
}


@dataclass(frozen=True)
class SignOff:
    """Who filled the form in, their phone, and when (blank lines to sign when not given)."""

    filled_by: str = ""
    phone: str = ""
    filled_on: date | None = None

    def header(self) -> str:
        return f"填表时间：{self.filled_on.isoformat() if self.filled_on else ''}"

    def footer(self) -> str:
        return f"填 表 人：{self.filled_by}　　联系电话：{self.phone}"


def seed_notes(code: str, notes: list[str]) -> list[str]:
    """The form's own notes, then the seed's (each once)."""
    return [*notes, *(n for n in SEED_NOTES.get(code, []) if n not in notes)]
