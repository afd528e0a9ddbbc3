"""P2 publicity rules, credit repair, form headers and self-inspection reports."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from contracts.publicity import add_months, publicity_of, rules
from contracts.registry_v1 import InstitutionKind
from ohts_kit.errors import Conflict, InvalidCommand
from services.enforcement.domain import case
from services.registry.domain import self_inspection
from services.registry.domain.commands import LaunchSelfInspection, ReportSelfInspection
from services.registry.domain.institution import Institution
from services.reporting.adapters.exports import to_csv, to_json
from services.reporting.application.forms import HZ2_COLUMNS
from services.reporting.domain.form_extras import SignOff
from services.reporting.domain.forms import Form, H, Merge, header_grid


def test_the_rule_in_force_on_the_decision_date_applies() -> None:
    old = publicity_of(date(2026, 3, 31), ["warning", "fine"], Decimal(30000), None)
    assert (old.rule, old.severity, old.public_until) == (
        "ndrc-58-2023",
        "general",
        date(2029, 3, 31),
    )
    assert old.repair_from == date(2026, 6, 30)
    new = publicity_of(date(2026, 4, 1), ["warning", "fine"], Decimal(30000), None)
    assert (new.rule, new.public_until, new.repair_from) == (
        "ndrc-repair-2026",
        date(2027, 4, 1),
        date(2026, 7, 1),
    )
    serious = publicity_of(date(2026, 5, 1), ["revocation"], None, None)
    assert (serious.severity, serious.public_until, serious.repair_from) == (
        "serious",
        date(2029, 5, 1),
        None,  # no early repair after a revocation
    )


def test_warnings_and_small_fines_are_recorded_but_not_published() -> None:
    assert not publicity_of(date(2026, 5, 1), ["warning"], None, None).published
    small = publicity_of(date(2026, 5, 1), ["warning", "fine"], Decimal(900), None, Decimal(1000))
    assert not small.published
    assert publicity_of(date(2026, 5, 1), ["fine"], Decimal(1000), None, Decimal(1000)).published


def test_a_ban_longer_than_the_maximum_stays_public_for_the_whole_ban() -> None:
    ban = publicity_of(date(2026, 5, 1), ["practice-ban"], None, 5)
    assert ban.public_until == date(2031, 5, 1)


def test_the_rule_table_covers_every_day_once_per_severity() -> None:
    for severity in ("minor", "general", "serious"):
        rows = sorted(
            (r for r in rules() if r.severity == severity), key=lambda r: r.effective_from
        )
        assert rows[-1].effective_to is None
        for a, b in itertools.pairwise(rows):
            assert a.effective_to is not None
            assert (b.effective_from - a.effective_to).days == 1
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def _executed_case(penalties: list[str], fine: Decimal | None, decided: date) -> case.Case:
    opened = case.open_case(case.Case("c"), "i1", "certificate-misuse", None, decided)
    s = case.fold("c", opened)
    s = case.evolve(s, case.investigate(s, "查明", decided)[0])
    decision = case.Decision(
        "杭卫罚〔2026〕1号",
        "杭州市卫生健康委员会",
        penalties,
        fine,
        None,
        Decimal(0),
        None,
        None,
        None,
    )
    for e in case.decide_penalty(s, decision, decided):
        s = case.evolve(s, e)
    return s


def test_credit_repair_needs_execution_the_minimum_period_and_no_repeat() -> None:
    decided = date(2026, 4, 15)
    s = _executed_case(["warning", "fine"], Decimal(10000), decided)
    with pytest.raises(Conflict) as not_executed:
        case.grant_credit_repair(s, "已整改", True, [], Decimal(0), date(2026, 8, 1))
    assert "fulfilled" in not_executed.value.message
    s = case.evolve(s, case.execute(s, date(2026, 5, 1))[0])
    with pytest.raises(Conflict) as too_early:
        case.grant_credit_repair(s, "已整改", True, [], Decimal(0), date(2026, 7, 14))
    assert too_early.value.details["repair_from"] == "2026-07-15"
    with pytest.raises(InvalidCommand) as harm:
        case.grant_credit_repair(s, "已整改", False, [], Decimal(0), date(2026, 7, 15))
    assert harm.value.violations[0].field == "harm_removed"
    with pytest.raises(Conflict) as repeat:
        case.grant_credit_repair(
            s, "已整改", True, ["杭卫罚〔2026〕9号"], Decimal(0), date(2026, 7, 15)
        )
    assert repeat.value.details["repeat_decisions"] == ["杭卫罚〔2026〕9号"]
    (granted,) = case.grant_credit_repair(s, "已整改", True, [], Decimal(0), date(2026, 7, 15))
    s = case.evolve(s, granted)
    with pytest.raises(Conflict):
        case.grant_credit_repair(s, "已整改", True, [], Decimal(0), date(2026, 7, 16))


def test_no_credit_repair_for_a_revocation() -> None:
    opened = case.open_case(case.Case("c"), "i1", "false-report", None, date(2026, 4, 15))
    s = case.fold("c", opened)
    s = case.evolve(s, case.investigate(s, "查明", date(2026, 4, 15))[0])
    decision = case.Decision(
        "杭卫罚〔2026〕2号",
        "杭州市卫生健康委员会",
        ["warning", "fine", "revocation"],  # 办法 42: warning and fine are mandatory (E6)
        Decimal(5000),
        None,
        Decimal(0),
        None,
        None,
        "(浙)X-1",
    )
    for e in case.decide_penalty(s, decision, date(2026, 4, 15)):
        s = case.evolve(s, e)
    s = case.evolve(s, case.execute(s, date(2026, 5, 1))[0])
    with pytest.raises(Conflict) as refused:
        case.grant_credit_repair(s, "已整改", True, [], Decimal(0), date(2028, 1, 1))
    assert "revocation" in refused.value.message


def test_header_tree_gives_the_seeds_merged_cells() -> None:
    grid, merges = header_grid(
        [H("序号"), H("技术服务业务量", "检测报告出具数", "现状评价报告出具数")]
    )
    assert grid == [["序号", "技术服务业务量", ""], ["", "检测报告出具数", "现状评价报告出具数"]]
    assert merges == [Merge(0, 0, 1, 0), Merge(0, 1, 0, 2)]
    grid, merges = header_grid(HZ2_COLUMNS)
    assert len(grid) == 3 and len(grid[0]) == 13
    assert Merge(0, 3, 0, 8) in merges  # 不合格情况 over six columns
    assert Merge(1, 3, 1, 4) in merges  # 资质证书 over two
    assert Merge(1, 9, 2, 9) in merges  # 案件查处数 down two rows


def test_form_exports_keep_headers_and_values() -> None:
    form = Form(
        "t",
        "表",
        "330100",
        date(2026, 1, 1),
        date(2026, 6, 30),
        None,
        [H("序号"), H("罚款（万元）")],
        rows=[[1, Decimal("4.0000")]],
    )
    assert to_json(form)["rows"] == [{"序号": 1, "罚款（万元）": "4"}]
    lines = to_csv(form).lstrip("\ufeff").splitlines()
    # The header and footer fields (填表时间, 填表人, 联系电话) are on every form, blank to
    # fill in by hand when not given.
    assert lines == [
        "表",
        "填表时间：",
        "序号,罚款（万元）",
        "1,4",
        "填 表 人：\u3000\u3000联系电话：",
    ]
    form.signoff = SignOff("李明", "0871-1234567", date(2026, 7, 1))
    lines = to_csv(form).lstrip("\ufeff").splitlines()
    assert lines[1] == "填表时间：2026-07-01"
    assert lines[-1] == "填 表 人：李明\u3000\u3000联系电话：0871-1234567"
    assert (to_json(form)["filled_by"], to_json(form)["filled_on"]) == ("李明", "2026-07-01")


def _campaign() -> self_inspection.Campaign:
    cmd = LaunchSelfInspection(
        title="专项治理",
        region_code="330100",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 4, 30),
        deadline=date(2026, 5, 10),
    )
    return self_inspection.fold(
        "k", self_inspection.launch(self_inspection.Campaign("k"), cmd, date(2026, 4, 20))
    )


def _report(iid: str) -> ReportSelfInspection:
    return ReportSelfInspection(
        institution_id=iid,
        technical_staff=3,
        detection_reports=1,
        evaluation_reports=1,
        detection_report_problems=0,
        evaluation_report_problems=0,
    )


def test_self_inspection_reports_once_per_institution_of_the_region_and_late_is_marked() -> None:
    s = _campaign()
    holder = Institution(
        "i1",
        registered=True,
        region_code="330106",
        kind=InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE,
    )
    (reported,) = self_inspection.report(s, holder, _report("i1"), date(2026, 5, 11))
    assert reported.late  # type: ignore[attr-defined]
    s = self_inspection.evolve(s, reported)
    with pytest.raises(Conflict):
        self_inspection.report(s, holder, _report("i1"), date(2026, 5, 12))
    outside = Institution(
        "i2",
        registered=True,
        region_code="330203",
        kind=InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE,
    )
    with pytest.raises(InvalidCommand) as wrong_region:
        self_inspection.report(s, outside, _report("i2"), date(2026, 5, 1))
    assert wrong_region.value.violations[0].field == "institution_id"


def test_an_annulled_decision_cannot_be_annulled_again_nor_repaired() -> None:
    s = _executed_case(["warning", "fine"], Decimal(10000), date(2026, 4, 15))
    s = case.evolve(s, case.execute(s, date(2026, 5, 1))[0])
    (annulled,) = case.annul_penalty(s, "行政复议撤销", date(2026, 5, 10))
    assert annulled.decision_number == "杭卫罚〔2026〕1号"  # type: ignore[attr-defined]
    s = case.evolve(s, annulled)
    with pytest.raises(Conflict):
        case.annul_penalty(s, "再次撤销", date(2026, 5, 11))
    with pytest.raises(Conflict) as refused:
        case.grant_credit_repair(s, "已整改", True, [], Decimal(0), date(2026, 8, 1))
    assert "annulled" in refused.value.message
    opened = case.open_case(case.Case("n"), "i1", "false-report", None, date(2026, 4, 1))
    with pytest.raises(Conflict) as nothing:
        case.annul_penalty(case.fold("n", opened), "无", date(2026, 4, 2))
    assert nothing.value.details["state"] == "opened"
