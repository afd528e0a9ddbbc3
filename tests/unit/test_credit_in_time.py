"""E7: each class-setting fact lasts the months of the rule table, exact to the day; the
class is recomputed when it ends (the sweep reviews with each day's date)."""

from __future__ import annotations

from datetime import date

import pytest

from services.enforcement.domain import credit


def facts(penalties=(), failures=()) -> credit.CreditFacts:  # type: ignore[no-untyped-def]
    return credit.CreditFacts(list(penalties), False, 0, list(failures))


def test_every_fact_has_its_duration_and_source_in_the_table() -> None:
    assert credit.durations() == {
        "revocation": 36,
        "practice-ban": 36,
        "public-list": None,
        "two-fines": 36,
        "fine-or-confiscation": 24,
        "overdue-rectification": None,
        "warning": 12,
        "qc-failure": 12,
        "none": None,
    }


@pytest.mark.parametrize(
    ("kinds", "decided", "last_day", "during", "after"),
    [
        (["revocation"], date(2023, 6, 1), date(2026, 5, 31), "D", "A"),
        (["practice-ban"], date(2023, 6, 1), date(2026, 5, 31), "D", "A"),
        (["fine"], date(2024, 6, 1), date(2026, 5, 31), "C", "A"),
        (["confiscation"], date(2024, 2, 29), date(2026, 2, 27), "C", "A"),
        (["warning"], date(2025, 6, 1), date(2026, 5, 31), "B", "A"),
    ],
)
def test_a_penalty_sets_the_class_until_the_last_day_of_its_duration(
    kinds: list[str], decided: date, last_day: date, during: str, after: str
) -> None:
    f = facts([(decided, kinds)])
    assert credit.classify(f, decided)[0] == during
    assert credit.classify(f, last_day)[0] == during
    assert credit.classify(f, date.fromordinal(last_day.toordinal() + 1))[0] == after


def test_two_fines_count_while_both_last_then_the_class_steps_down() -> None:
    f = facts([(date(2023, 6, 1), ["fine"]), (date(2025, 6, 1), ["fine"])])
    assert credit.classify(f, date(2026, 5, 31))[0] == "D"
    assert credit.classify(f, date(2026, 6, 1))[0] == "C"  # the older fine's 36 months ended
    assert credit.classify(f, date(2027, 5, 31))[0] == "C"
    assert credit.classify(f, date(2027, 6, 1))[0] == "A"


def test_a_qc_failure_lasts_twelve_months() -> None:
    f = facts(failures=[date(2025, 3, 10)])
    assert credit.classify(f, date(2026, 3, 9))[0] == "B"
    assert credit.classify(f, date(2026, 3, 10))[0] == "A"


def test_a_fact_dated_after_today_does_not_count_yet() -> None:
    """As of a day before the decision (a recomputation for a past date), it is not there."""
    assert credit.classify(facts([(date(2026, 6, 2), ["fine"])]), date(2026, 6, 1))[0] == "A"


def test_review_emits_the_decay_as_a_change() -> None:
    record = credit.CreditRecord("i-1", "D")
    penalties = [(date(2023, 6, 1), ["revocation"])]
    assert credit.review(record, penalties, credit.QcRecord(), date(2026, 5, 31)) == []
    [changed] = credit.review(record, penalties, credit.QcRecord(), date(2026, 6, 1))
    assert (changed.previous_class, changed.credit_class) == ("D", "A")
    assert changed.changed_on == date(2026, 6, 1)
