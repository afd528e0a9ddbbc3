"""Q3: the provincial average detection rate weighs each institution by its persons
examined; bare rates are refused by the command, which names the field."""

import pytest

from contracts.envelope import Actor, Role
from ohts_kit.errors import InvalidCommand
from ohts_kit.eventstore import Metadata
from services.qc.application import plans
from services.qc.application.unit import Qc
from services.qc.domain import plan
from services.qc.domain.commands import DetectionSample, GeneratePlan
from tests.unit.test_qc_handlers import app  # noqa: F401  (the fixture)

CENTRE = Metadata(
    actor=Actor(subject="t", role=Role.QC_CENTRE, region_code="330000"), correlation_id="t"
)


def test_the_average_is_weighted_by_persons_examined() -> None:
    # The province's rate is (1000 + 90 + 90 + 50) / (10000 + 100 + 100 + 1000) = 10.98%;
    # the unweighted mean of the four rates (10%, 90%, 90%, 5%) would be 48.75%.
    samples = {"big": (1000, 10000), "s1": (90, 100), "s2": (90, 100), "low": (50, 1000)}
    inputs = plan.PlanInputs([], [], sorted(samples), detection_samples=samples)
    # 5% is below half of 10.98%: a priority case; 10% is not.
    assert plan.below_half_average(inputs, "low")
    assert not plan.below_half_average(inputs, "big")
    # By the unweighted mean, "big" at 10% would have been one (plans recorded so keep it).
    rates = {k: d / n for k, (d, n) in samples.items()}
    unweighted = plan.PlanInputs([], [], sorted(samples), detection_rates=rates)
    assert plan.below_half_average(unweighted, "big")
    chosen = [e for e in plan.select(inputs, "s") if e.group == "health-exam-provincial"]
    low = next(e for e in chosen if e.institution_id == "low")
    assert low.reason == "priority: detection-rate-below-half-average"
    assert all(e.reason != low.reason for e in chosen if e.institution_id == "big")
    # The samples are recorded with the plan, so the selection verifies from the record.
    record = inputs.as_record()
    assert record["detection_samples"]["big"] == [1000, 10000]
    assert plan.verify(record, "s", plan.select(inputs, "s")) == []


async def test_bare_rates_and_impossible_samples_are_refused(app: Qc) -> None:  # noqa: F811
    with pytest.raises(InvalidCommand) as bare:
        await plans.generate_plan(
            app,
            GeneratePlan(province_code="330000", year=2026, detection_rates={"h1": 0.1}),
            CENTRE,
        )
    assert bare.value.violations[0].field == "detection_rates"
    with pytest.raises(InvalidCommand) as more:
        await plans.generate_plan(
            app,
            GeneratePlan(
                province_code="330000",
                year=2026,
                detection_samples={"h1": DetectionSample(examined=10, detected=11)},
            ),
            CENTRE,
        )
    assert more.value.violations[0].field == "detection_samples.h1.detected"
