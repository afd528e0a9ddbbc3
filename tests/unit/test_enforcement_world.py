"""Issue 16 on the enforcement side: world dates (F1), the place of the violation (F2),
persons and bans (E6), annulment (F3) and the chosen severity (P2) — pure domain functions
and the lead handlers on the in-memory ports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from contracts.publicity import suggest_severity
from ohts_kit.errors import Forbidden, InvalidCommand
from services.enforcement.application import leads
from services.enforcement.domain import case
from services.enforcement.domain import commands as c
from services.enforcement.domain.dates import When
from tests.unit.test_enforcement_handlers import (
    REGIONS,
    enforcement,
    payloads,
    store,
    supervisor,
)

TODAY = date(2026, 6, 1)


def opened(on: date = date(2022, 3, 1), lead_on: date | None = None, **target: str) -> case.Case:
    events = case.open_case(
        case.Case("c-1"),
        "i-1",
        "false-report",
        "l-1",
        TODAY,
        when=When(on, TODAY),
        lead_opened_on=lead_on,
        target=case.Target(**target),
    )
    return case.fold("c-1", events)


def investigated(on: date = date(2022, 3, 20), **target: str) -> case.Case:
    s = opened(**target)
    return case.evolve(s, case.investigate(s, "查实", TODAY, when=When(on, TODAY))[0])


def decision(**changes: object) -> case.Decision:
    d = case.Decision(
        "浙卫罚〔2022〕3号",
        "浙江省卫生健康委员会",
        ["warning", "fine"],
        Decimal(20000),
        None,
        Decimal(0),
        None,
        None,
        None,
        decided_on=date(2022, 4, 1),
    )
    return case.replace(d, **changes)  # type: ignore[attr-defined]


def test_a_case_carries_its_world_dates_back_to_2022() -> None:
    s = investigated()
    events = case.decide_penalty(s, decision(), TODAY)
    assert (s.opened_on, s.investigated_on) == (date(2022, 3, 1), date(2022, 3, 20))
    assert events[0].decided_on == date(2022, 4, 1)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("given", "rule"),
    [
        (date(2026, 6, 2), "F1 not in the future"),
        (date(2018, 12, 31), "F1 earliest date"),
        (date(2022, 3, 19), "F1 not before 调查终结日期"),
        (date(2022, 2, 28), "F1 not before 立案日期"),
    ],
)
def test_a_decision_date_is_validated_naming_the_field(given: date, rule: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        case.decide_penalty(investigated(), decision(decided_on=given), TODAY)
    assert [(v.field, v.rule) for v in refused.value.violations if v.rule == rule] == [
        ("decided_on", rule)
    ]


def test_the_earliest_date_is_configurable() -> None:
    with pytest.raises(InvalidCommand, match="2022-06-01"):
        case.decide_penalty(investigated(), decision(), TODAY, earliest=date(2022, 6, 1))


def test_a_case_is_not_opened_before_its_lead_nor_executed_before_its_decision() -> None:
    with pytest.raises(InvalidCommand) as refused:
        opened(on=date(2022, 3, 1), lead_on=date(2022, 3, 2))
    assert refused.value.violations[0].field == "opened_on"
    s = investigated()
    for e in case.decide_penalty(s, decision(), TODAY):
        s = case.evolve(s, e)
    with pytest.raises(InvalidCommand, match="executed_on"):
        case.execute(s, TODAY, when=When(date(2022, 3, 31), TODAY))
    [done] = case.execute(s, TODAY, when=When(date(2022, 4, 30), TODAY))
    assert done.executed_on == date(2022, 4, 30)  # type: ignore[attr-defined]


def test_the_decision_carries_the_place_of_the_violation_and_the_home_region() -> None:
    s = investigated(region_code="330106")
    [decided] = case.decide_penalty(s, decision(home_region_code="320102"), TODAY)
    assert decided.jurisdiction_region_code == "330106"  # type: ignore[attr-defined]
    assert decided.home_region_code == "320102"  # type: ignore[attr-defined]


def test_a_penalty_on_a_person_names_the_keyed_hash_and_a_ban_ends_on_its_day() -> None:
    s = investigated(person_ref="ref-abc", person_masked_name="张*明")
    d = decision(penalties=["practice-ban"], fine_yuan=None, ban_years=2)
    s = case.replace(s, violation="prohibited-practice")  # type: ignore[attr-defined]
    decided, ban = case.decide_penalty(s, d, TODAY)
    assert decided.person_ref == "ref-abc"  # type: ignore[attr-defined]
    assert ban.event_type == "enforcement.PracticeBanImposed"
    assert (ban.starts_on, ban.ends_on) == (date(2022, 4, 1), date(2024, 4, 1))  # type: ignore[attr-defined]


def test_a_ban_needs_a_person() -> None:
    s = case.replace(investigated(), violation="prohibited-practice")  # type: ignore[attr-defined]
    d = decision(penalties=["practice-ban"], fine_yuan=None, ban_years=2)
    with pytest.raises(InvalidCommand, match="banned_staff_id"):
        case.decide_penalty(s, d, TODAY)
    banned = case.Target(None, "ref-x", "李*")
    events = case.decide_penalty(s, case.replace(d, banned_person=banned), TODAY)  # type: ignore[attr-defined]
    assert [e.event_type.split(".")[1] for e in events] == ["PenaltyDecided", "PracticeBanImposed"]


def test_the_severity_is_the_authoritys_choice_with_a_basis() -> None:
    s = investigated()
    on = date(2026, 5, 1)
    suggested = suggest_severity(
        on, ["warning", "fine"], Decimal(20000), None, violation="false-report"
    )
    [default] = case.decide_penalty(s, decision(decided_on=on), TODAY)
    assert (default.severity, default.severity_basis) == (suggested, "默认建议（规则表）")  # type: ignore[attr-defined]
    other = next(k for k in ("general", "serious", "minor") if k != suggested)
    chosen = decision(decided_on=on, severity=other, severity_basis="罚款数额与情节")
    [decided] = case.decide_penalty(s, chosen, TODAY)
    assert (decided.severity, decided.severity_basis) == (other, "罚款数额与情节")  # type: ignore[attr-defined]
    with pytest.raises(InvalidCommand) as no_basis:
        case.decide_penalty(s, decision(decided_on=on, severity=other), TODAY)
    assert no_basis.value.violations[0].field == "severity_basis"
    with pytest.raises(InvalidCommand) as unknown:
        case.decide_penalty(s, decision(decided_on=on, severity="huge"), TODAY)
    assert unknown.value.violations[0].field == "severity"


def test_an_annulment_is_dated_and_due_off_public_view_in_three_working_days() -> None:
    s = investigated()
    for e in case.decide_penalty(s, decision(), TODAY):
        s = case.evolve(s, e)
    [annulled] = case.annul_penalty(
        s,
        "行政复议撤销",
        TODAY,
        when=When(date(2026, 5, 29), TODAY),
        withdraw_by=lambda d: date(2026, 6, 3),
    )
    assert annulled.annulled_on == date(2026, 5, 29)  # type: ignore[attr-defined]
    assert annulled.withdraw_by == date(2026, 6, 3)  # type: ignore[attr-defined]


async def test_an_out_of_province_institution_is_handled_at_the_place_of_violation() -> None:
    app = enforcement()
    REGIONS["i-js"] = "320102"  # registered in Jiangsu
    origin = leads.Origin("complaint", "false-report", "在杭出具虚假报告")
    with pytest.raises(Forbidden):  # without the place, its home region: not ours
        await leads.open_lead(app, "i-js", origin, supervisor("330100"))
    here = leads.Origin("complaint", "false-report", "在杭出具虚假报告", date(2022, 5, 6), "330106")
    lead_id = await leads.open_lead(app, "i-js", here, supervisor("330100"))
    case_id = await leads.open_case(
        app, lead_id, c.OpenCase(violation="false-report", opened_on=date(2022, 5, 9)), supervisor()
    )
    [lead_opened] = payloads(app, "enforcement.LeadOpened")
    [case_opened] = payloads(app, "enforcement.CaseOpened")
    assert (lead_opened["jurisdiction_region_code"], lead_opened["opened_on"]) == (
        "330106",
        "2022-05-06",
    )
    assert case_opened["jurisdiction_region_code"] == "330106"
    assert case_opened["opened_on"] == "2022-05-09"
    assert {e.region_code for e in store(app).events()} == {"330106"}
    with pytest.raises(Forbidden):  # Jiangsu's own units do not handle it
        await leads.close_lead(app, lead_id, c.CloseLead(reason="x不予"), supervisor("320000"))
    assert case_id
    outside = leads.Origin("complaint", "false-report", "描述", None, "320102")
    with pytest.raises(Forbidden):  # a place outside the caller's jurisdiction
        await leads.open_lead(app, "i-js", outside, supervisor("330100"))
