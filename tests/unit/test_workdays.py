from datetime import UTC, date, datetime
from pathlib import Path

from ohts_kit.workdays import WorkCalendar, china_date


def test_national_day_week_and_make_up_days_2025() -> None:
    cal = WorkCalendar(Path("/nonexistent"))
    assert cal.is_workday(date(2025, 10, 1)) == (False, False)  # 国庆节
    assert cal.is_workday(date(2025, 9, 28)) == (True, False)  # a Sunday worked (调休)
    # 2025-09-30 (Tue) → 2025-10-10: 1–8 Oct are off, 9 and 10 Oct are working days; 11 Oct is a make-up Saturday
    assert cal.working_days_between(date(2025, 9, 30), date(2025, 10, 11)).days == 3


def test_twenty_working_day_deadline_spans_spring_festival() -> None:
    cal = WorkCalendar(Path("/nonexistent"))
    deadline, provisional = cal.add_working_days(date(2026, 2, 1), 20)
    assert not provisional
    # Plain Mon–Fri would give 27 Feb; the 2026 Spring Festival break pushes it later.
    assert deadline > date(2026, 2, 27)
    assert cal.working_days_between(date(2026, 2, 1), deadline).days == 20


def test_unknown_year_falls_back_to_weekdays_marked_provisional() -> None:
    cal = WorkCalendar(Path("/nonexistent"))
    count = cal.working_days_between(date(2027, 3, 1), date(2027, 3, 8))  # Mon → next Mon
    assert (count.days, count.provisional) == (5, True)


def test_operator_loaded_notice_makes_a_year_exact(tmp_path: Path) -> None:
    (tmp_path / "2027.csv").write_text(
        "date,kind,note\n2027-03-03,holiday,测试假日\n2027-03-06,workday,调休上班\n", "utf-8"
    )
    cal = WorkCalendar(tmp_path)
    count = cal.working_days_between(date(2027, 3, 1), date(2027, 3, 8))
    assert (count.days, count.provisional) == (5, False)  # -1 holiday, +1 Saturday worked
    assert cal.is_workday(date(2027, 3, 3)) == (False, False)


def test_china_date_is_utc_plus_8() -> None:
    assert china_date(datetime(2026, 1, 1, 17, 0, tzinfo=UTC)) == date(2026, 1, 2)
