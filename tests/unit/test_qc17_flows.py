"""qc's side of the flows, through the application layer on the in-memory store: a result on
an institution from another province is sent to its home licensing authority with its
findings; 瞒报 and 谎报 are violation clues, referred like a false report."""

from datetime import date

from services.qc.application import activities
from services.qc.application.unit import Qc
from services.qc.domain.commands import FindingIn, RecordResult
from tests.unit.test_qc_handlers import CENTRE, an_activity, app, store  # noqa: F401


def concealed(institution_id: str) -> RecordResult:
    return RecordResult(
        institution_id=institution_id,
        result="fail",
        findings=[
            FindingIn(
                category="concealed-information",
                description="少报技术服务项目",
                due_on=date(2026, 4, 1),
            ),
            FindingIn(
                category="falsified-information",
                description="信息报送卡内容与报告不符",
                due_on=date(2026, 4, 1),
            ),
        ],
    )


async def test_a_result_on_an_out_of_province_institution_goes_to_its_home(app: Qc) -> None:  # noqa: F811
    activity_id = await an_activity(app)
    await activities.record_result(app, activity_id, concealed("inst-oop"), CENTRE)
    sent = [e for e in store(app).events("QcActivity") if e.event_type.endswith("HomeAuthority")]
    [notice] = sent
    assert notice.payload["home_province_code"] == "530000"
    assert notice.payload["qc_province_code"] == "330000"
    assert notice.payload["result"] == "fail"
    assert notice.payload["finding_categories"] == [
        "concealed-information",
        "falsified-information",
    ]
    assert (notice.institution_id, notice.region_code) == ("inst-oop", "530102")
    # 瞒报 and 谎报 are clues by their category: each is referred to supervision.
    referred = [e.payload["category"] for e in store(app).events("Referral")]
    assert referred == ["concealed-information", "falsified-information"]


async def test_a_local_result_is_not_sent_anywhere(app: Qc) -> None:  # noqa: F811
    activity_id = await an_activity(app)
    await activities.record_result(app, activity_id, concealed("inst-a"), CENTRE)
    types = [e.event_type for e in store(app).events("QcActivity")]
    assert "qc.QcResultSentToHomeAuthority" not in types
    assert "qc.QcResultRecorded" in types


def test_the_stale_alarm_counts_from_receipt_to_acknowledgement() -> None:
    from ohts_kit.workdays import WorkCalendar
    from services.qc.application.queries import referral_dashboard

    def row(rid: str, received: date | None, acknowledged: date | None = None) -> dict:  # type: ignore[type-arg]
        return {
            "referral_id": rid,
            "institution_id": "inst-a",
            "supervision_region_code": "330106",
            "referred_on": date(2026, 3, 2),  # Monday
            "received_on": received,
            "acknowledged_on": acknowledged,
        }

    rows = [
        row("late-receipt", date(2026, 3, 9)),  # received a week later: 3 working days waiting
        row("never-received", None),  # counts from the referral: 8 working days
        row("done", date(2026, 3, 2), date(2026, 3, 3)),
    ]
    board = referral_dashboard(rows, date(2026, 3, 12), WorkCalendar())
    assert (board["acknowledged"], board["received"], board["waiting"]) == (1, 1, 2)
    assert [(s["referral_id"], s["working_days_waiting"]) for s in board["stale"]] == [
        ("never-received", 8)
    ]
    later = referral_dashboard(rows, date(2026, 3, 17), WorkCalendar())
    waiting = {s["referral_id"]: s["working_days_waiting"] for s in later["stale"]}
    assert waiting == {"late-receipt": 6, "never-received": 11}
