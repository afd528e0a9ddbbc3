"""P2 publicity rules back to 2019: one test per row of the table, the boundary days between
rules, the default severity suggestion and the validation of a chosen severity."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from contracts.publicity import (
    ORDER,
    Rule,
    SeverityNotAllowed,
    add_months,
    check_severity,
    classes_in_force,
    publicity_of,
    rules,
    severity_names,
    suggest_severity,
)

# (rule, severity) -> (name, published, min months, max months), written by hand from the
# sources cited in contracts/data/publicity_periods.csv, so a changed row fails here.
EXPECTED = {
    ("ndrc-2017", "general"): ("一般", True, None, 12),
    ("ndrc-2017", "serious"): ("严重失信", True, None, 36),
    ("ndrc-527-2019", "general"): ("一般失信", True, 3, 12),
    ("ndrc-527-2019", "serious"): ("严重失信", True, 6, 36),
    ("ndrc-58-2023", "minor"): ("轻微", False, 0, 0),
    ("ndrc-58-2023", "general"): ("一般", True, 3, 36),
    ("ndrc-58-2023", "serious"): ("严重", True, 3, 36),
    ("ndrc-repair-2026", "minor"): ("轻微失信", False, 0, 0),
    ("ndrc-repair-2026", "general"): ("一般失信", True, 3, 12),
    ("ndrc-repair-2026", "serious"): ("严重失信", True, 12, 36),
}


def _id(r: Rule) -> str:
    return f"{r.rule}-{r.severity}"


def test_every_row_is_expected_and_cites_its_source() -> None:
    assert {(r.rule, r.severity) for r in rules()} == set(EXPECTED)
    for r in rules():
        assert r.source and r.severity in ORDER
        assert r.confirmed or "confirm" in r.source  # unconfirmed rows say so in the source


@pytest.mark.parametrize("row", rules(), ids=_id)
def test_each_row_gives_its_period_on_its_first_and_last_day(row: Rule) -> None:
    name, published, min_months, max_months = EXPECTED[(row.rule, row.severity)]
    last = row.effective_to or date(2030, 12, 31)
    for day in (row.effective_from, last):
        p = publicity_of(day, ["fine"], Decimal(30000), None, severity=row.severity)
        assert (p.rule, p.name, p.published, p.chosen) == (row.rule, name, published, True)
        if not published:
            assert (p.public_until, p.repair_from) == (None, None)
            continue
        assert p.public_until == add_months(day, max_months)
        expected_repair = None if min_months is None else add_months(day, min_months)
        assert p.repair_from == expected_repair


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("ndrc-2017", "ndrc-527-2019"),
        ("ndrc-527-2019", "ndrc-58-2023"),
        ("ndrc-58-2023", "ndrc-repair-2026"),
    ],
)
def test_the_boundary_day_switches_rule(before: str, after: str) -> None:
    first = min(r.effective_from for r in rules() if r.rule == after)
    eve = first - timedelta(days=1)
    assert {r.rule for r in classes_in_force(eve)} == {before}
    assert {r.rule for r in classes_in_force(first)} == {after}
    general_eve = publicity_of(eve, ["fine"], Decimal(30000), None)
    general_first = publicity_of(first, ["fine"], Decimal(30000), None)
    assert (general_eve.rule, general_first.rule) == (before, after)


def test_every_day_from_2019_has_exactly_one_rule() -> None:
    day = date(2019, 1, 1)
    while day <= date(2030, 12, 31):
        found = classes_in_force(day)
        assert len({r.rule for r in found}) == 1, day
        assert len({r.severity for r in found}) == len(found), day
        day += timedelta(days=1)
    with pytest.raises(LookupError):
        classes_in_force(date(2017, 7, 30))


def test_a_2022_decision_follows_527_and_has_left_public_view() -> None:
    general = publicity_of(date(2022, 3, 15), ["warning", "fine"], Decimal(20000), None)
    assert (general.rule, general.name, general.public_until) == (
        "ndrc-527-2019",
        "一般失信",
        date(2023, 3, 15),
    )
    serious = publicity_of(
        date(2022, 3, 15), ["warning", "fine"], Decimal(20000), None, severity="serious"
    )
    assert (serious.public_until, serious.repair_from) == (date(2025, 3, 15), date(2022, 9, 15))


def test_suggestion_table() -> None:
    day = date(2026, 5, 1)
    assert suggest_severity(day, ["revocation"], None, None) == "serious"
    assert suggest_severity(day, ["practice-ban"], None, 2) == "serious"
    assert (
        suggest_severity(day, ["warning", "fine"], Decimal(8000), None, violation="false-report")
        == "serious"
    )
    assert suggest_severity(day, ["fine"], Decimal(100001), None) == "serious"
    assert suggest_severity(day, ["fine"], Decimal(100000), None) == "general"
    assert suggest_severity(day, ["fine"], Decimal(900), None, Decimal(1000)) == "minor"
    assert suggest_severity(day, ["warning"], None, None) == "minor"
    assert (
        suggest_severity(day, ["fine"], Decimal(500001), None, heavy_fine_yuan=Decimal(500000))
        == "serious"
    )
    # 527号 knows no unpublished class: a warning alone is its lightest class, 一般失信
    assert suggest_severity(date(2022, 1, 5), ["warning"], None, None) == "general"
    assert suggest_severity(date(2022, 1, 5), ["revocation"], None, None) == "serious"


def test_a_chosen_severity_is_checked_against_the_rule_in_force() -> None:
    assert check_severity(date(2022, 1, 5), "serious") == ("general", "serious")
    assert check_severity(date(2026, 5, 1), "minor") == ("minor", "general", "serious")
    with pytest.raises(SeverityNotAllowed) as err:
        check_severity(date(2022, 1, 5), "minor")
    assert "ndrc-527-2019" in str(err.value) and "一般失信" in str(err.value)
    with pytest.raises(SeverityNotAllowed):
        publicity_of(date(2022, 1, 5), ["warning"], None, None, severity="heavier")
    assert severity_names(date(2022, 1, 5)) == {"general": "一般失信", "serious": "严重失信"}


def test_the_chosen_class_beats_the_penalty_kind() -> None:
    big = publicity_of(date(2026, 5, 1), ["fine"], Decimal(1000000), None)
    assert (big.severity, big.chosen, big.public_until) == ("serious", False, date(2029, 5, 1))
    chosen = publicity_of(date(2026, 5, 1), ["fine"], Decimal(1000000), None, severity="general")
    assert (chosen.severity, chosen.chosen, chosen.public_until) == (
        "general",
        True,
        date(2027, 5, 1),
    )
