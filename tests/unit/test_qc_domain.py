"""QC rules Q1–Q6 in the pure domain: plan ratios and priorities, the rectification ledger."""

from datetime import date, datetime

import pytest

from ohts_kit.errors import Conflict, InvalidCommand
from services.qc.domain import activity, conclusion, plan, rectification, referral
from services.qc.domain.plan import PlanInputs, at_least


def ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(n)]


@pytest.mark.parametrize(
    ("n", "monitoring", "half"), [(0, 0, 0), (1, 1, 1), (3, 2, 2), (7, 3, 4), (10, 4, 5)]
)
def test_ratios_round_up_never_down(n: int, monitoring: int, half: int) -> None:
    assert at_least(n, plan.MONITORING_RATIO) == monitoring
    assert at_least(n, plan.OUT_OF_PROVINCE_RATIO) == half
    entries = plan.select(PlanInputs(ids("t", n), ids("o", n), ids("h", n)), "seed")
    by_group = {
        g: [e for e in entries if e.group == g]
        for g in (
            "comparison",
            "monitoring",
            "out-of-province",
            "health-exam-all",
            "health-exam-provincial",
        )
    }
    assert len(by_group["comparison"]) == n  # Q1: everyone
    assert len(by_group["health-exam-all"]) == n  # Q3: QC for all
    assert len(by_group["monitoring"]) == monitoring and monitoring >= 0.4 * n
    assert len(by_group["out-of-province"]) == half and half >= 0.5 * n
    assert len(by_group["health-exam-provincial"]) == half


def test_priority_cases_come_before_random_ones_even_beyond_the_ratio() -> None:
    health = ids("h", 7)
    inputs = PlanInputs(
        [],
        [],
        health,
        facts={
            "h05": ["complaints-to-verify"],
            "h06": ["filed-latest-year"],
            "h04": ["municipal-qc-serving-outside"],
            "h03": ["refused-provincial-comparison"],
            "h02": ["failed-provincial-qc-last-year"],
        },
        detection_rates={
            "h00": 0.10,
            "h01": 0.9,
            "h02": 0.8,
            "h03": 0.7,
            "h04": 0.8,
            "h05": 0.9,
            "h06": 0.9,
        },
    )
    chosen = [e for e in plan.select(inputs, "s") if e.group == "health-exam-provincial"]
    # 6 priority cases (h00 by its low detection rate) although 50% of 7 is 4: all are taken.
    assert sorted(e.institution_id for e in chosen) == ["h00", "h02", "h03", "h04", "h05", "h06"]
    assert all(e.reason.startswith("priority") for e in chosen)
    low = next(e for e in chosen if e.institution_id == "h00")
    assert "detection-rate-below-half-average" in low.reason


def test_priority_then_seeded_fill() -> None:
    inputs = PlanInputs(ids("t", 10), [], [], facts={"t07": ["complaints-to-verify"]})
    monitoring = [e for e in plan.select(inputs, "abc") if e.group == "monitoring"]
    assert len(monitoring) == 4
    assert monitoring[0].institution_id == "t07" and monitoring[0].reason.startswith("priority")
    assert all(e.reason == "random fill (seeded)" for e in monitoring[1:])


def test_same_seed_same_plan_and_tampering_is_detected() -> None:
    inputs = PlanInputs(ids("t", 9), ids("o", 5), ids("h", 6))
    first, again = plan.select(inputs, "2026-zj"), plan.select(inputs, "2026-zj")
    assert first == again
    assert plan.verify(inputs.as_record(), "2026-zj", first) == []
    other = plan.select(inputs, "another-seed")
    assert other != first  # the fill depends on the seed
    tampered = [
        e if e.group != "monitoring" else e.model_copy(update={"institution_id": "t99"})
        for e in first
    ]
    assert plan.verify(inputs.as_record(), "2026-zj", tampered)


def test_rectification_state_machine() -> None:
    today = date(2026, 3, 2)
    with pytest.raises(InvalidCommand) as refused:
        rectification.require(rectification.Item("r"), "i", "f", "问题", today, today)
    assert refused.value.violations[0].field == "due_on"
    events = rectification.require(
        rectification.Item("r"), "i", "f", "问题", date(2026, 4, 1), today
    )
    s = rectification.fold("r", events)
    with pytest.raises(Conflict) as not_yet:
        rectification.verify(s, today)
    assert not_yet.value.details["state"] == "open"
    s = rectification.fold(
        "r", events := events + rectification.submit(s, "已整改", ["doc-1"], today)
    )
    s = rectification.fold("r", events := events + rectification.reject(s, "证据不足", today))
    assert s.state is rectification.State.OPEN
    assert rectification.mark_overdue(s, date(2026, 4, 1)) == []
    s = rectification.fold("r", events := events + rectification.mark_overdue(s, date(2026, 4, 2)))
    assert s.overdue and rectification.mark_overdue(s, date(2026, 4, 3)) == []  # once
    s = rectification.fold("r", events := events + rectification.submit(s, "再次整改", [], today))
    s = rectification.fold("r", events := events + rectification.verify(s, today))
    assert s.state is rectification.State.CLOSED
    with pytest.raises(Conflict, match="closed"):
        rectification.verify(s, today)
    s = rectification.fold("r", events + rectification.reopen(s, "回头看发现问题", today))
    assert s.state is rectification.State.OPEN


def test_results_only_for_participants_and_findings_need_known_categories() -> None:
    opened = activity.fold(
        "a",
        activity.open_activity(
            activity.Activity("a"),
            "p",
            "blind-sample",
            "330000",
            2026,
            ["i1"],
            [],
            None,
            datetime(2026, 1, 1),
        ),
    )
    with pytest.raises(InvalidCommand, match="not in this activity"):
        activity.record_result(opened, "i9", "pass", [], date(2026, 3, 1))
    bad = activity.FindingInput("f", "made-up", "general", "x", [], None)
    with pytest.raises(InvalidCommand) as refused:
        activity.record_result(opened, "i1", "fail", [bad], date(2026, 3, 1))
    assert refused.value.violations[0].field == "findings.0.category"
    passed = activity.record_result(opened, "i1", "pass", [], date(2026, 3, 1))
    assert [e.event_type for e in passed] == ["qc.QcResultRecorded", "qc.BlindSamplePassed"]


def test_spot_check_sample_is_reproducible() -> None:
    cards = {"i1": ids("c", 10), "i2": ids("d", 1)}
    assert activity.sample_cards(cards, 3, "s") == activity.sample_cards(cards, 3, "s")
    assert len(activity.sample_cards(cards, 3, "s")) == 4


@pytest.mark.parametrize(
    ("results", "unrectified", "result", "listed"),
    [
        ((), 0, "not-assessed", False),
        (("pass", "pass"), 0, "pass", False),
        (("pass", "fail"), 0, "fail", False),  # failed but rectified by the deadline
        (("fail",), 2, "fail", True),
        (("pass", "refused"), 0, "refused", True),
    ],
)
def test_q6_public_list(
    results: tuple[str, ...], unrectified: int, result: str, listed: bool
) -> None:
    facts = conclusion.YearFacts("i1", results, unrectified)
    events = conclusion.conclude(
        conclusion.Conclusion("i1:2026"), facts, "330000", 2026, date(2027, 1, 5)
    )
    done = conclusion.fold("i1:2026", events)
    assert (done.result, done.on_public_list, done.rectified) == (result, listed, unrectified == 0)
    with pytest.raises(Conflict, match="already concluded"):
        conclusion.conclude(done, facts, "330000", 2026, date(2027, 1, 5))
    referred = referral.of_listing(referral.Referral("r"), done, "p1", "330106", date(2027, 1, 5))
    assert len(referred) == int(listed)
    if listed:
        [r] = referred
        assert r.reason == "annual-public-list" and r.evidence_refs == ["plan:p1"]
        assert r.category == ("refused-qc" if result == "refused" else "quality-management")


def test_referrals_go_to_the_supervision_where_the_work_was_done() -> None:
    assert referral.supervision_region("330106", "330000") == "330106"
    assert referral.supervision_region("530102", "330000") == "330000"


def test_participants_default_by_kind_and_must_be_in_the_plan() -> None:
    entries = plan.select(PlanInputs(ids("t", 5), ids("o", 2), ids("h", 2)), "s")
    comparison = activity.participants_of("p", entries, "capability-comparison", None)
    assert comparison == ids("t", 5)
    on_site = activity.participants_of("p", entries, "on-site", None)
    assert set(on_site) == {
        e.institution_id
        for e in entries
        if e.group in ("monitoring", "out-of-province", "health-exam-provincial")
    }
    assert activity.participants_of("p", entries, "on-site", ["t01"]) == ["t01"]
    with pytest.raises(InvalidCommand) as outside:
        activity.participants_of("p", entries, "on-site", ["t01", "x9"])
    assert outside.value.violations[0].field == "participants"


def test_a_plan_is_generated_once_and_folds_to_what_it_recorded() -> None:
    inputs = PlanInputs(ids("t", 3), [], [])
    events = plan.generate(plan.Plan("p"), "330000", 2026, "s", inputs, datetime(2026, 1, 1))
    state = plan.fold("p", events)
    assert state.generated and list(state.entries) == plan.select(inputs, "s")
    assert plan.verification(state) == []
    with pytest.raises(Conflict):
        plan.generate(state, "330000", 2026, "s", inputs, datetime(2026, 1, 1))
