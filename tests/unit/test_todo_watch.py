"""The rules behind the to-do lists' new service lists: R6a problems in Chinese, the R7
half-years a filing owes a summary for, and when a penalty decision is to be published or
withdrawn from public view (P2)."""

from __future__ import annotations

from datetime import date, timedelta

from contracts.publicity import Publicity
from services.enforcement.application.watch import publicity_task
from services.registry.application.watch import periods_to_report, unmet_zh
from services.registry.domain import staff


def test_every_r6a_problem_reads_in_chinese_with_its_numbers() -> None:
    part_time = [staff.StaffFacts("senior", 9, "technical-lead", False)] * 3
    problems = staff.unmet_conditions(part_time, False, 15)
    assert [unmet_zh(p) for p in problems] == [
        "专职专业技术人员 0 人，少于规定的 15 人",
        "无符合条件的专职技术负责人",
        "无符合条件的专职质量负责人",
        "无对外公开的网站",
    ]
    assert unmet_zh("something new") == "something new"  # never dropped


def test_a_filing_owes_a_summary_for_each_half_year_ended_since_it() -> None:
    assert periods_to_report(date(2025, 3, 1), date(2026, 3, 2)) == ["2025H1", "2025H2"]
    assert periods_to_report(date(2025, 7, 15), date(2026, 3, 2)) == ["2025H2"]
    assert periods_to_report(date(2025, 7, 15), date(2025, 12, 31)) == []  # not ended yet
    assert periods_to_report(date(2025, 6, 30), date(2025, 7, 1)) == ["2025H1"]


def _after(day: date, n: int) -> date:
    return day + timedelta(days=n)  # a calendar without weekends, enough for the rule


PUBLIC = Publicity("r", "general", True, date(2026, 6, 1), date(2027, 3, 1), "src")


def test_a_published_decision_is_to_publish_within_its_twenty_days() -> None:
    decided = date(2026, 3, 1)
    assert publicity_task(decided, None, PUBLIC, date(2026, 3, 2), _after) == (
        "publish",
        date(2026, 3, 21),
    )
    assert publicity_task(decided, None, PUBLIC, date(2026, 3, 22), _after) is None
    hidden = Publicity("r", "minor", False, None, None, "src")
    assert publicity_task(decided, None, hidden, date(2026, 3, 2), _after) is None


def test_a_decision_is_to_withdraw_for_three_days_after_its_publicity_ends() -> None:
    decided = date(2026, 3, 1)
    assert publicity_task(decided, None, PUBLIC, date(2027, 3, 2), _after) == (
        "withdraw",
        date(2027, 3, 4),
    )
    assert publicity_task(decided, None, PUBLIC, date(2027, 3, 5), _after) is None
    # Annulled (or repaired) early: withdrawn from that day, not at the period's end.
    annulled = date(2026, 3, 10)
    assert publicity_task(decided, annulled, PUBLIC, date(2026, 3, 11), _after) == (
        "withdraw",
        date(2026, 3, 13),
    )
