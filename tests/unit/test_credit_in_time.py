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


def test_an_annulled_or_later_decision_is_not_in_force() -> None:
    fine = credit.Penalty(date(2026, 3, 1), ["fine"], annulled_on=date(2026, 5, 29))
    later = credit.Penalty(date(2026, 6, 2), ["warning"])
    assert credit.in_force([fine, later], date(2026, 5, 28)) == [(date(2026, 3, 1), ["fine"])]
    assert credit.in_force([fine, later], date(2026, 5, 29)) == []  # annulled that day (F3)
    assert credit.in_force([fine, later], date(2026, 6, 2)) == [(date(2026, 6, 2), ["warning"])]


@pytest.mark.parametrize(
    ("penalty", "failures", "today", "due"),
    [
        # a warning lasts 12 months: due the day it ends
        (credit.Penalty(date(2025, 6, 1), ["warning"]), (), date(2026, 1, 5), date(2026, 6, 1)),
        # a fine: its 24 months (C), then its 36 months (one of two fines, D)
        (credit.Penalty(date(2024, 6, 2), ["fine"]), (), date(2026, 6, 1), date(2026, 6, 2)),
        (credit.Penalty(date(2024, 6, 2), ["fine"]), (), date(2026, 6, 2), date(2027, 6, 2)),
        (credit.Penalty(date(2024, 6, 2), ["fine"]), (), date(2027, 6, 2), None),
        # a decision recorded before its date, and an annulment dated ahead, take effect then
        (credit.Penalty(date(2026, 7, 1), ["warning"]), (), date(2026, 6, 1), date(2026, 7, 1)),
        (
            credit.Penalty(date(2026, 3, 1), ["revocation"], date(2026, 6, 10)),
            (),
            date(2026, 6, 1),
            date(2026, 6, 10),
        ),
        # a failed QC result: the earliest day wins
        (
            credit.Penalty(date(2025, 1, 1), ["warning"]),
            (date(2025, 12, 1),),
            date(2026, 2, 1),
            date(2026, 12, 1),
        ),
    ],
)
def test_the_next_review_is_the_first_day_time_alone_may_change_the_class(
    penalty: credit.Penalty, failures: tuple[date, ...], today: date, due: date | None
) -> None:
    qc = credit.QcRecord(failures=failures)
    assert credit.next_review([penalty], qc, today) == due


def test_nothing_is_due_by_time_for_facts_that_hold_while_they_hold() -> None:
    """The public list and an overdue item end only by an event, which reviews itself."""
    qc = credit.QcRecord(on_public_list=True, overdue_items=frozenset({"r1"}))
    assert credit.classify(facts(), date(2026, 6, 1))[0] == "A"  # (facts() holds neither)
    assert credit.next_review([], qc, date(2026, 6, 1)) is None


def test_on_each_day_its_due_date_gives_the_class_changes_and_on_no_other() -> None:
    """Every day from 2023 to 2028 for a mix of facts: the class differs from the day
    before only on a day that the previous day's next_review named."""
    penalties = [
        credit.Penalty(date(2023, 6, 1), ["fine"]),
        credit.Penalty(date(2024, 2, 29), ["warning", "confiscation"], date(2025, 8, 1)),
        credit.Penalty(date(2025, 6, 1), ["fine", "warning"]),
    ]
    qc = credit.QcRecord(failures=(date(2025, 1, 31),))
    day = date(2023, 1, 1)
    due = credit.next_review(penalties, qc, day)
    current = "A"
    changes = []
    while day < date(2028, 12, 31):
        day = date.fromordinal(day.toordinal() + 1)
        now = credit.classify(
            credit.CreditFacts(credit.in_force(penalties, day), False, 0, list(qc.failures)), day
        )[0]
        if now != current:
            assert day == due, (day, due, current, now)
            changes.append((day, now))
        if due is None or day >= due:
            due = credit.next_review(penalties, qc, day)
        current = now
    assert changes == [
        (date(2023, 6, 1), "C"),
        (date(2025, 6, 1), "D"),  # the second fine
        (date(2026, 6, 1), "C"),  # the first fine's 36 months ended
        (date(2027, 6, 1), "A"),  # the second fine's 24 months ended
    ]
