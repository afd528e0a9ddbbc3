"""Enforcement rules E1–E7 in the pure domain: draws, merges, penalties within the law, credit."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from contracts import qc_v1
from ohts_kit.errors import Conflict, InvalidCommand
from services.enforcement.domain import case, credit, draw, inspection, plan
from services.enforcement.domain import commands as c
from services.enforcement.domain.law import check_penalty, statutory_table

TODAY = date(2026, 6, 1)


def inputs(
    n: int = 10, inspectors: int = 12, classes: dict[str, str] | None = None, **kw
) -> draw.DrawInputs:  # type: ignore[no-untyped-def]
    universe = {f"i{k:02d}": "A" for k in range(n)}
    universe.update(classes or {})
    roster = {f"p{k:02d}": [] for k in range(inspectors)}
    return draw.DrawInputs(
        universe=universe,
        ratio=kw.get("ratio", "3/10"),
        roster=kw.get("roster", roster),
        previous=kw.get("previous", {}),
        weights=draw.class_weights(),
        exclusive_teams=kw.get("exclusive_teams", False),
    )


def test_draws_are_reproducible_and_verifiable() -> None:
    first = draw.draw(inputs(), "seed-1")
    assert first == draw.draw(inputs(), "seed-1")
    assert len(first) == 3  # 3/10 of 10
    assert draw.verify(inputs().as_record(), "seed-1", first) == []
    tampered = [first[0].model_copy(update={"inspectors": ["p98", "p99"]}), *first[1:]]
    assert draw.verify(inputs().as_record(), "seed-1", tampered)


def test_draw_constraints_hold() -> None:
    roster = {f"p{k:02d}": [] for k in range(12)}
    roster["p00"] = [f"i{k:02d}" for k in range(10)]  # conflicted with everyone
    previous = {f"i{k:02d}": ["p01", "p02"] for k in range(10)}
    for seed in range(50):
        targets = draw.draw(
            inputs(roster=roster, previous=previous, exclusive_teams=True), f"s{seed}"
        )
        seen: list[str] = []
        for t in targets:
            assert len(t.inspectors) >= 2
            assert not {"p00", "p01", "p02"} & set(t.inspectors)
            seen += t.inspectors
        assert len(seen) == len(set(seen)), "an inspector in two places at once"


def test_draw_fails_clearly_rather_than_relaxing_the_rules() -> None:
    with pytest.raises(InvalidCommand) as refused:  # exclusive: 3 teams of 2 need 6
        draw.draw(inputs(n=10, inspectors=5, exclusive_teams=True), "s")
    assert refused.value.violations[0].field == "roster"
    assert refused.value.violations[0].rule == "enough eligible inspectors"
    with pytest.raises(InvalidCommand):  # a conflict and the previous team leave one
        draw.draw(
            inputs(
                n=1,
                inspectors=4,
                ratio="1/1",
                roster={"p0": ["i00"], "p1": [], "p2": [], "p3": []},
                previous={"i00": ["p1", "p2"]},
            ),
            "s",
        )


def test_an_inspector_may_be_on_several_teams_unless_the_plan_says_otherwise() -> None:
    """E2 asks for ≥2 inspectors, no conflict, not the previous ones: 5 targets with 8
    inspectors is a valid draw; a plan keeping teams exclusive refuses it."""
    outcome = draw.draw_outcome(inputs(n=10, inspectors=8, ratio="1/2"), "e2")
    seen = [p for t in outcome.targets for p in t.inspectors]
    assert len(outcome.targets) == 5 and len(seen) > len(set(seen))
    assert not [x for x in outcome.exclusions if x.reason == "other_team"]
    with pytest.raises(InvalidCommand):
        draw.draw(inputs(n=10, inspectors=8, ratio="1/2", exclusive_teams=True), "e2")
    roster = {f"p{k:02d}": [] for k in range(12)}
    roster["p00"] = ["i00"]
    exclusive = draw.draw_outcome(
        inputs(n=3, ratio="1/1", roster=roster, previous={"i01": ["p01"]}, exclusive_teams=True),
        "x",
    )
    reasons = {(x.institution_id, x.inspector_id): x.reason for x in exclusive.exclusions}
    assert reasons[("i00", "p00")] == "conflict" and reasons[("i01", "p01")] == "previous"
    assert "other_team" in reasons.values()


def test_weights_shift_the_distribution_towards_class_d() -> None:
    hits: Counter[str] = Counter()
    for seed in range(400):
        for t in draw.draw(
            inputs(n=10, inspectors=8, ratio="1/10", classes={"i03": "D", "i07": "B"}), f"w{seed}"
        ):
            hits[t.institution_id] += 1
    a_average = sum(hits[f"i{k:02d}"] for k in range(10) if k not in (3, 7)) / 8
    assert hits["i03"] > 3 * a_average  # weight 8 against 1
    assert a_average < hits["i07"] < hits["i03"]


def test_same_institution_same_period_merges() -> None:
    new_id, scheduled = inspection.schedule_or_merge(
        None, "ins-1", "i1", "random", "2026", ["p1", "p2"], TODAY
    )
    current = inspection.fold(new_id, scheduled)
    same_id, merged = inspection.schedule_or_merge(
        current, "ins-2", "i1", "complaint", "2026", ["p3", "p4"], TODAY, source_ref="lead-9"
    )
    assert same_id == "ins-1" and merged[0].event_type == "enforcement.InspectionMerged"
    with pytest.raises(InvalidCommand):
        inspection.schedule_or_merge(None, "ins-3", "i2", "random", "2026", ["p1", "p1"], TODAY)
    with pytest.raises(InvalidCommand, match="employer"):
        inspection.schedule_or_merge(None, "ins-3", "i2", "extended", "2026", ["p1", "p2"], TODAY)


GAINS_ROWS = [v for v, r in statutory_table().items() if r.fine_rule == "gains"]


@pytest.mark.parametrize("violation", GAINS_ROWS)
def test_fine_boundaries_with_no_or_small_gains(violation: str) -> None:
    row = statutory_table()[violation]
    assert row.fine_min is not None and row.fine_max is not None
    for fine, ok in [
        (row.fine_min, True),
        (row.fine_max, True),
        (row.fine_min - Decimal("0.01"), False),
        (row.fine_max + Decimal("0.01"), False),
    ]:
        for gains in (Decimal(0), Decimal("4999.99")):
            # the article's mandatory parts (E6 并处) with the fine
            kinds = sorted({*row.required, "fine"} | ({"confiscation"} if gains else set()))
            args = (violation, kinds, fine, gains if gains else None, gains, None)
            if ok:
                check_penalty(*args)
            else:
                with pytest.raises(InvalidCommand) as refused:
                    check_penalty(*args)
                assert f"{row.fine_min:,.2f} yuan – {row.fine_max:,.2f} yuan" in str(refused.value)


@pytest.mark.parametrize("violation", GAINS_ROWS)
def test_fine_boundaries_as_multiples_of_gains(violation: str) -> None:
    row = statutory_table()[violation]
    assert row.multiple_min is not None and row.multiple_max is not None
    gains = Decimal(5000)
    low, high = gains * row.multiple_min, gains * row.multiple_max
    kinds = sorted({*row.required, "fine", "confiscation"})  # with the mandatory parts (E6)
    for fine, ok in [
        (low, True),
        (high, True),
        (low - Decimal("0.01"), False),
        (high + Decimal("0.01"), False),
    ]:
        if ok:
            check_penalty(violation, kinds, fine, gains, gains, None)
        else:
            with pytest.raises(InvalidCommand) as refused:
                check_penalty(violation, kinds, fine, gains, gains, None)
            assert refused.value.violations[0].field == "fine_yuan"


def test_staff_signing_fine_at_most_ten_thousand() -> None:
    check_penalty("staff-signing", ["warning", "fine"], Decimal(10000), None, Decimal(0), None)
    with pytest.raises(InvalidCommand, match=r"10,000\.00"):
        check_penalty(
            "staff-signing", ["warning", "fine"], Decimal("10000.01"), None, Decimal(0), None
        )


def test_unconfirmed_rows_validate_only_the_kinds() -> None:
    row = check_penalty("certificate-misuse", ["fine"], Decimal(999_999), None, Decimal(0), None)
    assert row.confirmed is False
    with pytest.raises(InvalidCommand, match="not allowed"):
        check_penalty("work-requirements-not-met", ["revocation"], None, None, Decimal(0), None)


def test_case_lifecycle_and_penalty_for_a_closed_case() -> None:
    opened = case.open_case(case.Case("c"), "i1", "false-report", None, TODAY)
    s = case.fold("c", opened)
    decision = case.Decision(
        "浙卫罚〔2026〕7号",
        "浙江省卫生健康委员会",
        ["warning", "fine", "revocation"],
        Decimal(20000),
        None,
        Decimal(0),
        None,
        None,
        "(浙)X-1",
    )
    with pytest.raises(Conflict):
        case.decide_penalty(s, decision, TODAY)  # not investigated yet
    investigated = case.investigate(s, "查明出具虚假报告", TODAY)
    s = case.fold("c", [*opened, *investigated])
    decided = case.decide_penalty(s, decision, TODAY)
    assert [e.event_type for e in decided] == [
        "enforcement.PenaltyDecided",
        "enforcement.QualificationRevocationOrdered",
    ]
    s = case.fold("c", [*opened, *investigated, *decided])
    s = case.evolve(s, case.execute(s, TODAY)[0])
    s = case.evolve(s, case.close(s, TODAY)[0])
    with pytest.raises(Conflict) as refused:
        case.decide_penalty(s, decision, TODAY)
    assert refused.value.details["state"] == "closed"


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (credit.CreditFacts([], False, 0, []), "A"),
        (credit.CreditFacts([(date(2026, 1, 5), ["warning"])], False, 0, []), "B"),
        (credit.CreditFacts([], False, 0, [date(2026, 3, 1)]), "B"),
        (credit.CreditFacts([(date(2025, 1, 5), ["fine"])], False, 0, []), "C"),
        (credit.CreditFacts([], False, 1, []), "C"),
        (
            credit.CreditFacts(
                [(date(2025, 1, 5), ["fine"]), (date(2026, 1, 5), ["fine"])], False, 0, []
            ),
            "D",
        ),
        (credit.CreditFacts([], True, 0, []), "D"),
        (credit.CreditFacts([(date(2024, 1, 5), ["revocation"])], False, 0, []), "D"),
        # E7: a revocation sets class D for its duration (36 months), not forever
        (credit.CreditFacts([(date(2020, 1, 5), ["revocation"])], False, 0, []), "A"),
        (credit.CreditFacts([(date(2023, 1, 5), ["warning"])], False, 0, []), "A"),
    ],
)
def test_credit_classes_follow_the_rule_table(facts: credit.CreditFacts, expected: str) -> None:
    assert credit.classify(facts, TODAY)[0] == expected


def plan_command(**changes) -> c.DefinePlan:  # type: ignore[no-untyped-def]
    roster = [
        {"inspector_id": f"p{k}", "conflicts": ["i2", "i1"] if k == 0 else []} for k in range(6)
    ]
    body = {
        "jurisdiction_region_code": "330000",
        "year": 2026,
        "sampling_ratio": "1/2",
        "roster": roster,
    }
    return c.DefinePlan.model_validate(body | changes)


def test_a_plan_is_defined_over_the_active_institutions_and_drawn_reproducibly() -> None:
    empty = plan.fold("plan-1", [])
    [defined] = plan.define(empty, plan_command(), ["i3", "i1", "i2", "i1"])
    assert defined.universe == ["i1", "i2", "i3"]  # each once, sorted
    assert defined.roster[0].conflicts == ["i1", "i2"]
    state = plan.fold("plan-1", [defined])
    assert (state.region_code, state.institution_id) == ("330000", "jurisdiction-330000")
    inputs = plan.draw_inputs(plan.definition(state), {"i3": "D"}, {"i1": ["p1"]}, 2)
    assert inputs.universe == {"i1": "A", "i2": "A", "i3": "D"}  # A until a class is known
    [published] = plan.publish_draw(state, "d-1", "seed", inputs, TODAY)
    assert len(published.targets) == 2  # half of 3, rounded up
    assert draw.verify(published.inputs, "seed", published.targets) == []
    assert plan.fold("plan-1", [defined, published]).draws == ("d-1",)


def test_a_plan_names_each_inspector_once_and_a_real_region() -> None:
    twice = plan_command(roster=[{"inspector_id": "p1"}, {"inspector_id": "p1"}])
    with pytest.raises(InvalidCommand) as refused:
        plan.define(plan.fold("p", []), twice, [])
    assert refused.value.violations[0].field == "roster"
    with pytest.raises(InvalidCommand) as unknown:
        plan.define(plan.fold("p", []), plan_command(jurisdiction_region_code="999999"), [])
    assert unknown.value.violations[0].field == "jurisdiction_region_code"
    with pytest.raises(Conflict):
        plan.definition(plan.fold("p", []))


def qc_fact(kind: str, detail: str = "item-1") -> credit.QcFact:
    if kind == "result":
        return qc_v1.QcResultRecorded(
            activity_id="a-1",
            institution_id="i1",
            activity_kind="on-site",
            result=detail,
            recorded_on=date(2026, 3, 1),
        )
    if kind == "overdue":
        return qc_v1.RectificationOverdue(
            item_id=detail, institution_id="i1", due_on=TODAY, overdue_on=TODAY
        )
    if kind == "verified":
        return qc_v1.RectificationVerified(item_id=detail, institution_id="i1", verified_on=TODAY)
    return qc_v1.AnnualQcConcluded(
        institution_id="i1",
        province_code="330000",
        year=2025,
        result="refused",
        rectified=False,
        on_public_list=True,
        concluded_on=TODAY,
    )


def test_a_credit_review_records_only_a_change_of_class() -> None:
    record = credit.fold("i1", [])
    assert record.credit_class == "A"
    qc = credit.QcRecord().learn(qc_fact("result", "pass"))
    assert qc == credit.QcRecord()
    assert credit.review(record, [], qc, TODAY) == []  # still A: nothing to record
    failed = qc.learn(qc_fact("result", "fail"))
    [changed] = credit.review(record, [], failed, TODAY)
    assert (changed.previous_class, changed.credit_class) == ("A", "B")
    record = credit.fold("i1", [changed])
    assert credit.review(record, [], failed, TODAY) == []
    overdue = failed.learn(qc_fact("overdue")).learn(qc_fact("overdue", "item-2"))
    [worse] = credit.review(record, [], overdue, TODAY)
    assert (worse.previous_class, worse.credit_class) == ("B", "C")
    verified = overdue.learn(qc_fact("verified")).learn(qc_fact("verified", "item-2"))
    assert verified.overdue_items == frozenset()
    [listed] = credit.review(record, [], failed.learn(qc_fact("annual")), TODAY)
    assert listed.credit_class == "D"
