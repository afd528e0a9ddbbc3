"""`make bench` judges each figure against its target and sums up one line per target."""

from bench.__main__ import COMMAND_PATH, HOP_P99, MEMORY, Figure, row, verdicts
from bench.verdicts import Target, summary, verdict


def command(value: float, raw: float) -> Figure:
    return Figure("command path (file report card)", value, "commands/s", "raw", raw, COMMAND_PATH)


def hop(name: str, p99: float) -> Figure:
    return Figure(
        f"propagation {name} at 1000 events/s, p50 9 ms", p99, "ms p99", "minimal", 40, HOP_P99
    )


def memory(service: str, mb: float) -> Figure:
    return Figure(f"peak memory of {service}", mb, "MB", "idle", 70, MEMORY)


def test_a_ratio_target_met_or_missed_by_how_much() -> None:
    assert verdict(command(900, 1500)) == "met (0.60 >= 0.60)"
    assert verdict(command(307, 1468)) == "missed by 0.39 (0.21 < 0.60, 2.9x short)"
    assert verdict(command(0, 1468)) == "missed by 0.60 (0.00 < 0.60, nothing measured)"


def test_a_bound_on_the_value_is_judged_on_the_value_not_the_ratio() -> None:
    assert verdict(hop("qc→enforcement", 59.9)) == "met (59.9 ms <= 60 ms)"
    assert verdict(hop("qc→enforcement", 472)) == "missed by 412 ms (472 ms > 60 ms, 7.9x over)"
    assert verdict(memory("qc", 92.4)) == "met (92.4 MB <= 150 MB)"  # ratio 1.32 is not judged


def test_a_figure_without_a_target_is_shown_for_reference() -> None:
    at_200 = Figure("propagation qc→enforcement at 200 events/s", 300, "ms p99", "min", 40, None)
    assert verdict(at_200) == "–"
    assert row(at_200).endswith("| 7.50 | (reference) | – |")
    assert summary([at_200]) == []


def test_each_row_shows_value_baseline_ratio_target_and_verdict() -> None:
    assert row(command(307, 1468)) == (
        "| command path (file report card) | 307 commands/s | raw | 1,468 | 0.21 | >= 0.60"
        " | missed by 0.39 (0.21 < 0.60, 2.9x short) |"
    )


def test_one_line_per_target_naming_what_missed_it() -> None:
    figures = [
        command(307, 1468),
        hop("qc→enforcement", 11_400),
        hop("enforcement→reporting", 45),
        memory("registry", 81),
        memory("reporting", 132),
    ]
    assert verdicts(figures).splitlines() == [
        "- command path >= 0.6 of the raw insert transaction: MISSED (1 of 1):"
        " command path (file report card) missed by 0.39 (0.21 < 0.60, 2.9x short)",
        "- p99 <= 60 ms for both hops at 1,000 events/s: MISSED (1 of 2):"
        " propagation qc→enforcement at 1000 events/s missed by 11,340 ms"
        " (11,400 ms > 60 ms, 190.0x over)",
        "- peak memory <= 150 MB per service: met, peak memory of reporting"
        " met (132 MB <= 150 MB)",  # the one nearest its bound
    ]


def test_a_higher_is_better_value_bound() -> None:
    at_least = Target("at least 100 events/s", 100, unit="events/s")
    assert at_least.verdict(50, 9.0) == (
        "missed by 50 events/s (50 events/s < 100 events/s, 2.0x short)"
    )
    assert at_least.met(100, 0.0) and not at_least.met(99.9, 5.0)
