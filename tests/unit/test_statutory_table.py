"""E6: every row of the statutory table, its mandatory parts (并处), forbidden kinds and range
boundaries, checked through `check_penalty` as a decision would be."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ohts_kit.errors import InvalidCommand
from services.enforcement.domain.law import (
    PENALTY_KINDS,
    Range,
    check_penalty,
    fine_bounds,
    statutory_table,
)

ROWS = sorted(statutory_table())
CENT = Decimal("0.01")

# What the law says each article imposes together (domain.md "Statutory ranges", E6): kept
# here by hand so that a change of the data table has to be a change of the law too.
MANDATORY = {
    "unqualified-service": ({"fine"}, {"confiscation"}),  # 办法 41; 职业病防治法 79
    "beyond-scope": ({"warning", "fine"}, {"confiscation"}),  # 办法 42; 职业病防治法 80
    "false-report": ({"warning", "fine"}, {"confiscation"}),
    "not-performing-duties": ({"warning", "fine"}, {"confiscation"}),
    "staff-signing": ({"warning", "fine"}, set()),  # 办法 45
    "application-fraud": ({"warning"}, set()),  # 办法 40 (1)
}


def decide(row: Range, kinds: set[str], gains: Decimal, fine: Decimal | None = None) -> Range:
    """A decision with these kinds, each with a valid amount unless `fine` is given."""
    if "fine" in kinds and fine is None:
        bounds = fine_bounds(row, gains)
        fine = bounds[0] if bounds else Decimal(1000)
    return check_penalty(
        row.violation,
        sorted(kinds),
        fine if "fine" in kinds else None,
        gains if "confiscation" in kinds else None,
        gains,
        2 if "practice-ban" in kinds else None,
    )


def minimal(row: Range, gains: Decimal) -> set[str]:
    kinds = set(row.required) | {k for k, _ in row.required_when if gains > 0}
    return kinds or {row.kinds[0]}


@pytest.mark.parametrize("violation", ROWS)
def test_every_row_states_its_mandatory_parts_as_the_law_does(violation: str) -> None:
    row = statutory_table()[violation]
    required, with_gains = MANDATORY.get(violation, (set(), set()))
    assert set(row.required) == required
    assert {k for k, _ in row.required_when} == with_gains
    assert set(row.required) <= set(row.kinds) and with_gains <= set(row.kinds)
    assert row.legal_basis and row.name


@pytest.mark.parametrize("violation", ROWS)
@pytest.mark.parametrize("gains", [Decimal(0), Decimal(8000)])
def test_the_mandatory_parts_alone_are_accepted(violation: str, gains: Decimal) -> None:
    row = statutory_table()[violation]
    assert decide(row, minimal(row, gains), gains) is row


@pytest.mark.parametrize("violation", ROWS)
def test_each_missing_mandatory_part_is_refused_naming_the_article(violation: str) -> None:
    row = statutory_table()[violation]
    gains = Decimal(8000)
    for part in minimal(row, gains) & ({*row.required} | {k for k, _ in row.required_when}):
        with pytest.raises(InvalidCommand) as refused:
            decide(row, minimal(row, gains) - {part}, gains)
        mandatory = [v for v in refused.value.violations if v.rule.startswith("mandatory")]
        assert mandatory, (violation, part)
        assert row.legal_basis in mandatory[0].rule and f"（{part}）" in mandatory[0].message


@pytest.mark.parametrize("violation", ROWS)
def test_confiscation_is_required_only_when_there_are_gains(violation: str) -> None:
    row = statutory_table()[violation]
    if not row.required_when:
        return
    assert decide(row, set(row.required), Decimal(0)) is row  # no gains: nothing to confiscate
    with pytest.raises(InvalidCommand, match="没收违法所得"):
        decide(row, set(row.required), CENT)


@pytest.mark.parametrize("violation", ROWS)
def test_kinds_the_article_does_not_provide_are_forbidden(violation: str) -> None:
    row = statutory_table()[violation]
    for kind in set(PENALTY_KINDS) - set(row.kinds):
        with pytest.raises(InvalidCommand, match="not allowed"):
            decide(row, minimal(row, Decimal(0)) | {kind}, Decimal(0))


def _boundary_cases(row: Range) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(gains, lowest allowed fine, highest allowed fine) on each side of the threshold."""
    if row.fine_rule == "fixed":
        assert row.fine_min is not None and row.fine_max is not None
        return [(Decimal(0), row.fine_min, row.fine_max)]
    assert row.gains_threshold is not None and row.multiple_min and row.multiple_max
    cases = []
    for gains in (Decimal(0), row.gains_threshold - CENT):
        assert row.fine_min is not None and row.fine_max is not None
        cases.append((gains, row.fine_min, row.fine_max))
    for gains in (row.gains_threshold, Decimal(12345)):
        cases.append((gains, gains * row.multiple_min, gains * row.multiple_max))
    return cases


@pytest.mark.parametrize("violation", ROWS)
def test_fine_range_boundaries(violation: str) -> None:
    row = statutory_table()[violation]
    if "fine" not in row.kinds:
        return
    if row.fine_rule not in ("fixed", "gains"):  # unconfirmed: only the kinds are checked
        assert fine_bounds(row, Decimal(0)) is None and not row.confirmed
        assert decide(row, {"fine"}, Decimal(0), Decimal("9999999")) is row
        return
    for gains, low, high in _boundary_cases(row):
        kinds = minimal(row, gains) | {"fine"}
        assert decide(row, kinds, gains, low) is row
        assert decide(row, kinds, gains, high) is row
        for outside in (low - CENT, high + CENT):
            if outside < 0:
                continue
            with pytest.raises(InvalidCommand, match="is outside"):
                decide(row, kinds, gains, outside)


def test_the_expected_figures_of_the_ranges() -> None:
    """The amounts of domain.md's table, read back from the data."""
    t = statutory_table()
    assert fine_bounds(t["unqualified-service"], Decimal(0)) == (5000, 50000)
    assert fine_bounds(t["unqualified-service"], Decimal(5000)) == (10000, 50000)
    assert fine_bounds(t["false-report"], Decimal("4999.99")) == (5000, 20000)
    assert fine_bounds(t["false-report"], Decimal(6000)) == (12000, 30000)
    assert fine_bounds(t["staff-signing"], Decimal(0)) == (0, 10000)


def test_a_warning_alone_for_a_false_report_is_refused() -> None:
    """The issue's example: 办法 42 / 职业病防治法 80 require warning and fine together."""
    with pytest.raises(InvalidCommand) as refused:
        check_penalty("false-report", ["warning"], None, None, Decimal(0), None)
    [v] = refused.value.violations
    assert v.field == "penalties" and "第四十二条" in v.rule and "（fine）" in v.message
