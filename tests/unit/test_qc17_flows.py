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
