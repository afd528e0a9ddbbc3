"""Issue 17, registry side, in the pure domain: R4 on institution details, R6 part-time
registrations, R6a full-time staff only, R7 unfiled work from report cards and the filing's
附表2 fields, and E2 checks of teams named by hand."""

from datetime import date

import pytest

from contracts.registry_v1 import ServiceReportCardFiled, UnfiledWorkDetected
from ohts_kit.errors import Conflict, InvalidCommand
from services.enforcement.domain import inspection, lead
from services.registry.domain import filing, institution, report_card, staff
from services.registry.domain.blocking import BlockingItem
from services.registry.domain.commands import (
    ChangeInstitutionDetails,
    FileOutOfProvince,
    FileReportCard,
)
from services.registry.domain.uscc import make_uscc
from tests.unit.test_registry_domain import CAL, NOW, POLICY, granted, registered

CASE = BlockingItem("case", "case-1")


def test_r4_blocks_name_address_and_legal_representative_of_a_qualified_institution() -> None:
    s = registered()
    for change in (
        {"name": "新名称检测公司"},
        {"address": "新地址1号"},
        {"legal_representative": "李"},
    ):
        cmd = ChangeInstitutionDetails.model_validate(change)
        with pytest.raises(Conflict) as refused:
            institution.change_details(s, cmd, NOW, qualified=True, blocking=[CASE])
        assert refused.value.rule.startswith("R4") and "case case-1" in str(refused.value)
        assert institution.change_details(s, cmd, NOW, qualified=True, blocking=[])
        assert institution.change_details(s, cmd, NOW, qualified=False, blocking=[CASE])
    # Contacts and website need no approval: not blocked.
    contacts = ChangeInstitutionDetails.model_validate({"contacts": [], "website": ""})
    [changed] = institution.change_details(s, contacts, NOW, qualified=True, blocking=[CASE])
    assert changed.website == ""  # type: ignore[attr-defined]


def test_r6_one_full_time_post_and_part_time_only_where_allowed() -> None:
    full = staff.Registration("inst-a", True)
    part = staff.Registration("inst-b", False)
    assert staff.registration_problem("inst-x", True, [], 1) is None
    refused = staff.registration_problem("inst-x", True, [full], 3)
    assert refused is not None and refused.rule == "R6 full-time at one institution at a time"
    refused = staff.registration_problem("inst-x", False, [full], 1)  # the cautious default
    assert refused is not None and "not confirmed" in str(refused.rule)
    assert staff.registration_problem("inst-x", False, [full], 2) is None  # configured to allow
    assert staff.registration_problem("inst-x", True, [part], 2) is None
    refused = staff.registration_problem("inst-c", False, [full, part], 2)
    assert refused is not None and "最多2处" in str(refused)
    same = staff.registration_problem("inst-a", False, [full], 5)
    assert same is not None and same.rule == "R6 one registration per institution"


def test_r6a_counts_full_time_staff_only() -> None:
    lead_ = staff.StaffFacts("senior", 3, "technical-lead", True)
    qc_lead = staff.StaffFacts("intermediate", 5, "qc-lead", True)
    full = [staff.StaffFacts("junior", 1, "staff", True)] * 12
    part = [staff.StaffFacts("junior", 1, "staff", False)] * 5
    problems = staff.unmet_conditions([lead_, qc_lead, *full, *part], True, 15)
    assert problems == ["14 full-time professional technical staff, at least 15 required"]
    assert staff.unmet_conditions([lead_, qc_lead, *full, full[0]], True, 15) == []
    assert staff.unmet_conditions([lead_, qc_lead, *full, full[0]], False, 15) == [
        "no public website"
    ]


def card(region: str) -> FileReportCard:
    return FileReportCard.model_validate(
        {
            "institution_id": "inst-1",
            "report_number": "ZJ-2026-9",
            "service_kind": "detection",
            "client_name": "某冶炼有限公司",
            "client_uscc": make_uscc(region, "000000009", "91"),
            "client_region_code": region,
            "completion_date": "2026-01-05",
        }
    )


def test_r7_a_card_in_a_province_without_a_valid_filing_raises_unfiled_work() -> None:
    today = date(2026, 1, 20)
    home = report_card.file("c-1", False, registered(), card("330106"), [], today, CAL, POLICY)
    assert [type(e) for e in home] == [ServiceReportCardFiled]
    filed = report_card.file(
        "c-2",
        False,
        registered(),
        card("530102"),
        [],
        today,
        CAL,
        POLICY,
        filed_provinces=frozenset({"530000"}),
    )
    assert [type(e) for e in filed] == [ServiceReportCardFiled]
    [_, found] = report_card.file(
        "c-3",
        False,
        registered(),
        card("530102"),
        [],
        today,
        CAL,
        POLICY,
        filed_provinces=frozenset({"450000"}),
    )
    assert isinstance(found, UnfiledWorkDetected)
    assert (found.province_code, found.work_region_code) == ("530000", "530102")
    # Enforcement opens the lead in the work place's jurisdiction.
    [opened] = lead.from_unfiled_work("l-1", found, today)
    assert (opened.source, opened.jurisdiction_region_code) == ("unfiled-work", "530102")  # type: ignore[attr-defined]


def test_r7_the_filing_carries_the_yunnan_form_fields() -> None:
    body = {
        "institution_id": "inst-1",
        "province_code": "530000",
        "certificate_number": "N-0001",
        "contacts": [
            {"name": "李", "phone": "0871-1234567", "position": "质量负责人", "email": "li@x.cn"}
        ],
        "receiving_qc_centre": "云南省职业病防治院",
        "work_region_code": "530102",
        "work_place_authority": "昆明市五华区卫生健康局",
        "receiving_official": "赵承办",
    }
    cmd = FileOutOfProvince.model_validate(body)
    [event] = filing.register(filing.Filing("f-1"), registered(), granted(), cmd, "x", NOW)
    assert event.contacts[0].position == "质量负责人" and event.contacts[0].email == "li@x.cn"  # type: ignore[attr-defined]
    assert event.receiving_official == "赵承办"  # type: ignore[attr-defined]
    assert event.work_place_authority == "昆明市五华区卫生健康局"  # type: ignore[attr-defined]
    outside = cmd.model_copy(update={"work_region_code": "450102"})
    with pytest.raises(InvalidCommand) as refused:
        filing.register(filing.Filing("f-1"), registered(), granted(), outside, "x", NOW)
    assert refused.value.violations[0].field == "work_region_code"
    with pytest.raises(ValueError):
        FileOutOfProvince.model_validate(
            body | {"contacts": [{"name": "李", "phone": "0871-1234567", "email": "nope"}]}
        )


def test_e2_a_team_named_by_hand_is_checked_like_a_drawn_one() -> None:
    def schedule(inspectors: list[str]) -> list[object]:
        _, events = inspection.schedule_or_merge(
            None,
            "ins-1",
            "i1",
            "complaint",
            "2026",
            inspectors,
            date(2026, 6, 1),
            conflicted=frozenset({"p0"}),
            previous=frozenset({"p1", "p2"}),
        )
        return list(events)

    with pytest.raises(InvalidCommand) as refused:
        schedule(["p0", "p5"])
    assert refused.value.violations[0].rule.startswith("E2 recusal")
    with pytest.raises(InvalidCommand) as refused:
        schedule(["p2", "p5"])
    assert "previous inspection" in refused.value.violations[0].rule
    assert len(schedule(["p5", "p6"])) == 1


def test_a_case_is_transferred_to_the_judiciary_and_its_status_follows_the_steps() -> None:
    from services.enforcement.domain import case, transfer

    opened = case.Case("case-1", stage=case.Stage.OPENED, institution_id="i1")
    today = date(2026, 6, 1)
    with pytest.raises(Conflict):
        transfer.transfer(
            transfer.Transfer("t-1"),
            case.Case("case-1", stage=case.Stage.CLOSED),
            "公安",
            "涉嫌犯罪",
            today,
            "330000",
            today,
        )
    events = transfer.transfer(
        transfer.Transfer("t-1"), opened, "公安", "涉嫌犯罪", date(2026, 5, 30), "330000", today
    )
    state = transfer.fold("t-1", events)
    assert (state.status, state.region_code, state.institution_id) == (
        "transferred",
        "330000",
        "i1",
    )
    with pytest.raises(Conflict):
        transfer.change_status(state, "concluded", today, "", today)  # not yet accepted
    with pytest.raises(InvalidCommand):
        transfer.change_status(state, "accepted", date(2026, 5, 1), "", today)  # before it
    events += transfer.change_status(state, "accepted", today, "立案", today)
    state = transfer.fold("t-1", events)
    assert state.status == "accepted"
    assert transfer.change_status(state, "concluded", today, "判决", today)
