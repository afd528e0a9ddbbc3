"""Given events, when a command, then events, or a refusal naming the field and the rule."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from contracts.registry_v1 import (
    InstitutionKind,
    InstitutionRegistered,
    QualificationDecisionPublished,
    QualificationExpired,
    QualificationGranted,
    QualificationKind,
    QualificationRenewed,
)
from ohts_kit.errors import Conflict, InvalidCommand
from ohts_kit.workdays import WorkCalendar
from services.registry.domain import filing, institution, qualification, report_card, staff
from services.registry.domain.commands import (
    FileOutOfProvince,
    FileReportCard,
    RegisterInstitution,
    RegisterStaff,
    SubmitWorkSummary,
)
from services.registry.domain.people import id_number_problem, make_id_number, mask_name
from services.registry.domain.policy import RegistryPolicy
from services.registry.domain.qualification import BlockingItem, Status
from services.registry.domain.scopes import convert_scopes
from services.registry.domain.uscc import make_uscc

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = RegistryPolicy()
CAL = WorkCalendar(Path("/nonexistent"))
OH = QualificationKind.OCCUPATIONAL_HEALTH


def register_cmd(**changes: object) -> RegisterInstitution:
    data: dict[str, object] = {
        "uscc": make_uscc("330106", "470000001"),
        "name": "浙江省职业病防治研究院检测中心",
        "address": "杭州市西湖区文三路100号",
        "legal_representative": "王建国",
        "nature": "事业单位",
        "kind": "occupational-health-service",
        "region_code": "330106",
    }
    data.update(changes)
    return RegisterInstitution.model_validate(data)


def registered(kind: str = "occupational-health-service") -> institution.Institution:
    events = institution.register(institution.Institution("inst-1"), register_cmd(kind=kind), NOW)
    return institution.fold("inst-1", events)


def granted(valid_from: date = date(2026, 3, 1)) -> qualification.Qualification:
    s = qualification.Qualification("q-1")
    events = qualification.apply(s, registered(), OH, ["OH-01", "OH-04"], NOW)
    s = qualification.fold("q-1", events)
    events += qualification.start_review(s, NOW)
    s = qualification.fold("q-1", events)
    events += qualification.grant(
        s, "(浙)卫职技字(2026)第0001号", valid_from, None, [], NOW, "x", POLICY
    )
    return qualification.fold("q-1", events)


def test_register_records_the_institution() -> None:
    [event] = institution.register(institution.Institution("inst-1"), register_cmd(), NOW)
    assert isinstance(event, InstitutionRegistered)
    assert event.kind is InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE
    assert (event.region_code, event.registered_at) == ("330106", NOW)


def test_bad_uscc_and_region_are_both_named() -> None:
    with pytest.raises(InvalidCommand) as refused:
        institution.register(
            institution.Institution("inst-1"),
            register_cmd(uscc="91110000600037341M", region_code="339999"),
            NOW,
        )
    fields = {(v.field, v.rule) for v in refused.value.violations}
    assert fields == {("uscc", "GB 32100-2015 check character"), ("region_code", "GB/T 2260")}


def test_lifecycle_to_grant_with_default_validity_of_five_years() -> None:
    s = granted()
    assert s.status is Status.GRANTED
    assert s.valid_until == date(2031, 2, 28)  # 5 years (configurable), last day inclusive


@pytest.mark.parametrize(
    ("action", "state"),
    [
        (lambda s: qualification.start_review(s, NOW), "granted"),
        (lambda s: qualification.reject(s, "late", NOW), "granted"),
    ],
)
def test_transitions_not_allowed_name_the_state(action, state) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Conflict) as refused:
        action(granted())
    assert refused.value.details["state"] == state
    assert state in refused.value.message


def test_grant_needs_conditions_and_a_sound_validity() -> None:
    s = qualification.fold(
        "q-1",
        qualification.apply(qualification.Qualification("q-1"), registered(), OH, ["OH-01"], NOW),
    )
    s = qualification.fold("q-1", [*_events_of(s), *qualification.start_review(s, NOW)])
    with pytest.raises(InvalidCommand) as refused:
        qualification.grant(s, "N-1", date(2026, 1, 1), date(2025, 1, 1), [], NOW, "x", POLICY)
    assert refused.value.violations[0].field == "valid_until"
    with pytest.raises(InvalidCommand) as refused:
        qualification.grant(
            s, "N-1", date(2026, 1, 1), None, ["no public website"], NOW, "x", POLICY
        )
    assert refused.value.violations[0].rule == "R6a conditions maintained"


def _events_of(s: qualification.Qualification) -> list:  # type: ignore[type-arg]
    return qualification.apply(
        qualification.Qualification("q-1"), registered(), OH, list(s.scope_codes), NOW
    )


@pytest.mark.parametrize(
    ("scopes", "field", "rule"),
    [
        (["OH-99"], "scope_codes.0", "known scope code"),
        (["RH-01"], "scope_codes.0", "scope of the qualification kind"),
        (["OH-01", "OH-01"], "scope_codes", "unique"),
    ],
)
def test_apply_refuses_bad_scopes(scopes: list[str], field: str, rule: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        qualification.apply(qualification.Qualification("q-1"), registered(), OH, scopes, NOW)
    assert (field, rule) in {(v.field, v.rule) for v in refused.value.violations}


def test_filed_institutions_are_not_granted_qualifications() -> None:
    with pytest.raises(InvalidCommand) as refused:
        qualification.apply(
            qualification.Qualification("q-1"), registered("health-examination"), OH, ["OH-01"], NOW
        )
    assert refused.value.violations[0].rule == "licensed kind"


def test_r4_renewal_change_and_cancellation_are_blocked_naming_the_items() -> None:
    blocking = [BlockingItem("rectification", "item-7"), BlockingItem("case", "case-3")]
    for attempt in (
        lambda: qualification.accept_renewal(granted(), None, blocking, NOW),
        lambda: qualification.change(granted(), ["OH-02"], None, None, None, blocking, NOW),
        lambda: qualification.cancel(granted(), "closing", blocking, NOW),
    ):
        with pytest.raises(Conflict) as refused:
            attempt()
        assert refused.value.details["blocking_items"] == [
            {"kind": "rectification", "id": "item-7"},
            {"kind": "case", "id": "case-3"},
        ]
        assert refused.value.rule.startswith("R4")


def test_an_accepted_renewal_keeps_the_certificate_valid_past_its_end() -> None:
    s = granted(date(2021, 3, 1))  # valid until 2026-02-28
    before_end = datetime(2026, 2, 1, tzinfo=UTC)
    events = qualification.accept_renewal(s, ["B06", "C26"], [], before_end)
    s = qualification.evolve(s, events[0])
    assert s.renewal_pending and s.renewal_scope_codes == ("OH-01", "OH-02")  # R5 conversion
    assert qualification.expire(s, date(2026, 4, 1)) == []  # not expired while pending
    [renewed] = qualification.renew(s, None, NOW, POLICY)
    assert isinstance(renewed, QualificationRenewed)
    assert (renewed.valid_from, renewed.valid_until) == (date(2026, 3, 1), date(2031, 2, 28))


def test_without_renewal_a_certificate_expires_by_time() -> None:
    s = granted(date(2021, 3, 1))
    assert qualification.expire(s, date(2026, 2, 28)) == []
    [expired] = qualification.expire(s, date(2026, 3, 1))
    assert isinstance(expired, QualificationExpired) and expired.expired_on == date(2026, 3, 1)
    with pytest.raises(Conflict, match="expired"):
        qualification.accept_renewal(s, None, [], datetime(2026, 3, 5, tzinfo=UTC))


def test_publication_lag_counts_chinese_working_days() -> None:
    s = granted()
    decision = QualificationGranted(
        qualification_id="q-1",
        institution_id="inst-1",
        certificate_number="N",
        kind=OH,
        scope_codes=["OH-01"],
        valid_from=date(2025, 9, 1),
        valid_until=date(2030, 8, 31),
        decided_at=datetime(2025, 9, 29, 2, 0, tzinfo=UTC),
        issuing_authority="x",
    )
    published = datetime(2025, 10, 10, 2, 0, tzinfo=UTC)
    [event] = qualification.publish_decision(s, "evt-1", decision, published, CAL)
    assert isinstance(event, QualificationDecisionPublished)
    # 30 Sep, 9 Oct, 10 Oct are working days; 1–8 Oct is the National Day holiday
    assert (event.lag_working_days, event.provisional) == (3, False)
    with pytest.raises(Conflict, match="already published"):
        qualification.publish_decision(
            qualification.evolve(s, event), "evt-1", decision, published, CAL
        )


def test_legacy_scope_codes_convert_by_the_table() -> None:
    assert convert_scopes(["COAL-B", "B06", "C31", "OH-04"]) == ["OH-01", "OH-03", "OH-04"]
    with pytest.raises(InvalidCommand) as refused:
        convert_scopes(["ZZ-1"])
    assert refused.value.violations[0].field == "scope_codes.0"


def staff_cmd(**changes: object) -> RegisterStaff:
    data: dict[str, object] = {
        "institution_id": "inst-1",
        "name": "张三丰",
        "id_number": make_id_number("33010619800101123"),
        "title": "senior",
        "specialty": "职业卫生",
        "years_of_experience": 10,
    }
    data.update(changes)
    return RegisterStaff.model_validate(data)


def test_staff_events_never_carry_name_or_id_number() -> None:
    [event] = staff.register(
        staff.Staff("s-1"), registered(), staff_cmd(), "ref-1", date(2026, 3, 2)
    )
    dumped = event.model_dump_json()
    assert "张三丰" not in dumped and staff_cmd().id_number not in dumped
    assert event.masked_name == "张*丰"  # type: ignore[attr-defined]


def test_id_number_check_character() -> None:
    good = make_id_number("11010519491231002")
    assert id_number_problem(good) is None
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert "check character" in (id_number_problem(bad) or "")
    assert "date of birth" in (id_number_problem("110105194913310021") or "")


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳娜娜", "欧**娜")]
)
def test_names_are_masked(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_conditions_maintained_r6a() -> None:
    lead = staff.StaffFacts("senior", 3, "technical-lead", True)
    qc_lead = staff.StaffFacts("intermediate", 5, "qc-lead", True)
    others = [staff.StaffFacts("junior", 1, "staff", True)] * 13
    assert staff.unmet_conditions([lead, qc_lead, *others], True, 15) == []
    problems = staff.unmet_conditions(
        [staff.StaffFacts("intermediate", 7, "technical-lead", True), qc_lead], False, 15
    )
    assert len(problems) == 3  # too few, no qualified technical lead, no website


def test_a_filing_needs_a_valid_certificate_from_another_province() -> None:
    cmd = FileOutOfProvince.model_validate(
        {
            "institution_id": "inst-1",
            "province_code": "530000",
            "certificate_number": "N-0001",
            "contacts": [{"name": "李", "phone": "0871-1234567"}],
            "receiving_qc_centre": "云南省职业病防治院",
        }
    )
    [event] = filing.register(filing.Filing("f-1"), registered(), granted(), cmd, "x", NOW)
    assert event.province_code == "530000"  # type: ignore[attr-defined]
    expired = granted(date(2020, 1, 1))
    with pytest.raises(InvalidCommand) as refused:
        filing.register(filing.Filing("f-1"), registered(), expired, cmd, "x", NOW)
    assert refused.value.violations[0].rule == "R7 valid certificate"
    with pytest.raises(InvalidCommand, match="outside its own province"):
        filing.register(
            filing.Filing("f-1"),
            registered(),
            granted(),
            cmd.model_copy(update={"province_code": "330000"}),
            "x",
            NOW,
        )


def test_work_summaries_are_due_31_july_and_31_january() -> None:
    assert filing.summary_due("2026H1") == date(2026, 7, 31)
    assert filing.summary_due("2026H2") == date(2027, 1, 31)
    s = filing.Filing("f-1", filed=True, institution_id="inst-1")
    cmd = SubmitWorkSummary.model_validate({"period": "2026H1", "projects": []})
    [late] = filing.submit_summary(s, cmd, date(2026, 8, 3))
    assert late.late is True  # type: ignore[attr-defined]
    with pytest.raises(InvalidCommand, match="not ended"):
        filing.submit_summary(s, cmd.model_copy(update={"period": "2026H2"}), date(2026, 8, 3))


def test_report_card_due_in_working_days_and_flagged_late() -> None:
    cmd = FileReportCard.model_validate(
        {
            "institution_id": "inst-1",
            "report_number": "ZJ-2026-001",
            "service_kind": "detection",
            "client_name": "某化工有限公司",
            "client_uscc": make_uscc("330106", "000000009", "91"),
            "client_region_code": "330106",
            "completion_date": "2026-01-05",
            "staff_ids": [],
        }
    )
    [on_time] = report_card.file(
        "c-1", False, registered(), cmd, [], date(2026, 1, 20), CAL, POLICY
    )
    assert on_time.late is False and on_time.due_on == date(2026, 2, 2)  # type: ignore[attr-defined]
    [late] = report_card.file("c-1", False, registered(), cmd, [], date(2026, 2, 3), CAL, POLICY)
    assert late.late is True  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        report_card.file("c-1", True, registered(), cmd, [], date(2026, 2, 3), CAL, POLICY)
    with pytest.raises(InvalidCommand) as refused:
        report_card.file("c-1", False, registered(), cmd, ["s-x"], date(2026, 1, 20), CAL, POLICY)
    assert refused.value.violations[0].field == "staff_ids"
    assert timedelta(days=0) < (on_time.due_on - cmd.completion_date)  # type: ignore[attr-defined]
