"""Q6 as a living conclusion, through the application layer on the in-memory store: the
year's conclusion is evaluated again when an item of that year is verified or reopened, the
public list is entered and left by events, and a look-back reopening sets a new due date."""

from datetime import date, timedelta

import pytest

from contracts.envelope import Role
from contracts.qc_v1 import AnnualQcConcluded
from ohts_kit.application import About
from ohts_kit.db import Conn
from ohts_kit.errors import InvalidCommand
from ohts_kit.memory import memory_ports
from ohts_kit.workdays import WorkCalendar
from services.qc.application import activities, rectifications
from services.qc.application.unit import Qc
from services.qc.domain import conclusion, rectification
from services.qc.domain.commands import Reopen, SubmitRectification
from tests.unit.test_qc_handlers import (
    CENTRE,
    NOW,
    an_activity,
    failed,
    known_region,
    meta,
    no_views,
    store,
)

TODAY = date(2026, 3, 2)


def living_app() -> Qc:
    """qc with an item-year look-up that folds the items in the memory store, as the SQL
    views would answer it: plan-1 of 2026, results as recorded, open items by due date."""
    app: Qc

    async def item_year(conn: Conn, item_id: str, today: date):  # type: ignore[no-untyped-def]
        ids = {e.aggregate_id for e in store(app).events("RectificationItem")}
        items = [
            rectification.fold(
                i, [s.payload for s in await app.store.load(conn, "RectificationItem", i)]
            )
            for i in sorted(ids)
        ]
        mine = [i for i in items if i.institution_id == "inst-a"]
        open_ = [i for i in mine if i.state is not rectification.State.CLOSED]
        past_due = sum(1 for i in open_ if i.due_on and i.due_on < today)
        facts = conclusion.YearFacts("inst-a", ("fail",), past_due, len(open_) - past_due)
        return "plan-1", 2026, facts

    app = Qc(memory_ports("qc", at=NOW), WorkCalendar(), known_region, no_views, item_year)
    return app


async def concluded(app: Qc, facts: conclusion.YearFacts) -> list[str]:
    """The year concluded for inst-a as conclude_year records it."""
    async with app.unit(CENTRE) as uow:
        cid = conclusion.conclusion_id("inst-a", 2026)
        state = await uow.find(conclusion, cid)
        events = conclusion.conclude(state, facts, "330000", 2026, uow.today)
        await uow.record(state, events, about=state_about())
    return [e.event_type for e in events]


def state_about() -> About:
    return About("inst-a", "330106")


def conclusion_events(app: Qc) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    return [(e.event_type, e.payload) for e in store(app).events("AnnualConclusion")]


async def test_verifying_the_last_overdue_item_takes_the_institution_off_the_list() -> None:
    app = living_app()
    activity_id = await an_activity(app)
    first, second = await activities.record_result(
        app, activity_id, failed("inst-a", date(2026, 4, 1), date(2026, 3, 20)), CENTRE
    )
    # Concluded while one item is past due: listed (Q6), with a referral.
    assert await concluded(app, conclusion.YearFacts("inst-a", ("fail",), 1, 1)) == [
        "qc.AnnualQcConcluded",
        "qc.QcPublicListEntered",
    ]
    own = meta(Role.INSTITUTION, "330106", institution_id="inst-a")
    text = SubmitRectification(text="已整改完毕")
    await rectifications.submit_rectification(app, first, text, own)
    await rectifications.verify_rectification(app, first, CENTRE)
    # The year again: no item past due now, one still open (pending).
    [(kind, revised), *rest] = conclusion_events(app)[2:]
    assert kind == "qc.AnnualQcConclusionRevised" and revised["trigger"] == "verified"
    assert revised["pending_items"] == 1 and revised["rectified"] is False
    # Listed institutions stay listed while an item is still open.
    assert revised["on_public_list"] is True and rest == []
    await rectifications.submit_rectification(app, second, text, own)
    await rectifications.verify_rectification(app, second, CENTRE)
    last = conclusion_events(app)[3:]
    assert [k for k, _ in last] == ["qc.AnnualQcConclusionRevised", "qc.QcPublicListLeft"]
    assert last[0][1]["rectified"] is True and last[0][1]["on_public_list"] is False
    assert last[1][1]["left_on"] == "2026-03-02"


async def test_a_look_back_reopening_sets_a_new_due_date_and_the_year_follows() -> None:
    app = living_app()
    activity_id = await an_activity(app)
    first, second = await activities.record_result(
        app, activity_id, failed("inst-a", date(2026, 4, 1), date(2026, 3, 20)), CENTRE
    )
    own = meta(Role.INSTITUTION, "330106", institution_id="inst-a")
    for item in (first, second):
        await rectifications.submit_rectification(
            app, item, SubmitRectification(text="已整改"), own
        )
        await rectifications.verify_rectification(app, item, CENTRE)
    # Concluded with everything closed: rectified, not listed.
    assert await concluded(app, conclusion.YearFacts("inst-a", ("fail",), 0, 0)) == [
        "qc.AnnualQcConcluded"
    ]
    with pytest.raises(InvalidCommand) as past:
        await rectifications.reopen_rectification(
            app, first, Reopen(reason="回头看发现问题复发", due_on=TODAY), CENTRE
        )
    assert past.value.violations[0].field == "due_on"
    await rectifications.reopen_rectification(
        app, first, Reopen(reason="回头看发现问题复发"), CENTRE
    )
    reopened = store(app).events("RectificationItem")[-1].payload
    # The default new term: the rule's days from the reopening, not the old 1 April.
    assert reopened["due_on"] == str(TODAY + timedelta(days=rectification.LOOK_BACK_TERM_DAYS))
    [(kind, revised)] = conclusion_events(app)[1:]
    assert kind == "qc.AnnualQcConclusionRevised" and revised["trigger"] == "reopened"
    # Pending again, not rectified, and not listed: the item is not past its new date.
    assert (revised["pending_items"], revised["overdue_items"]) == (1, 0)
    assert revised["rectified"] is False and revised["on_public_list"] is False
    # A date of the centre's choice is kept.
    await rectifications.reopen_rectification(
        app, second, Reopen(reason="回头看", due_on=date(2026, 5, 1)), CENTRE
    )
    async with app.unit(CENTRE) as uow:
        state = await uow.get(rectification, second)
    assert state.due_on == date(2026, 5, 1) and state.state is rectification.State.OPEN
    assert conclusion_events(app)[-1][1]["pending_items"] == 2


async def test_items_of_an_unconcluded_year_change_no_conclusion() -> None:
    app = living_app()
    activity_id = await an_activity(app)
    first, _ = await activities.record_result(
        app, activity_id, failed("inst-a", date(2026, 4, 1)), CENTRE
    )
    own = meta(Role.INSTITUTION, "330106", institution_id="inst-a")
    await rectifications.submit_rectification(app, first, SubmitRectification(text="已整改"), own)
    await rectifications.verify_rectification(app, first, CENTRE)
    assert conclusion_events(app) == []  # the conclusion will count the item


def test_pending_items_are_pending_not_rectified() -> None:
    events = conclusion.conclude(
        conclusion.Conclusion("inst-a:2026"),
        conclusion.YearFacts("inst-a", ("fail",), 0, 2),
        "330000",
        2026,
        TODAY,
    )
    [done] = events
    assert isinstance(done, AnnualQcConcluded)
    assert (done.rectified, done.pending_items, done.on_public_list) == (False, 2, False)


def test_the_listing_rule() -> None:
    assert conclusion.listed("refused", 0)  # refused is listed, items or not
    assert conclusion.listed("fail", 1)  # failed and not rectified by the deadline
    assert not conclusion.listed("fail", 0, pending=3)  # not yet due: not listed
    assert conclusion.listed("fail", 0, pending=1, was_listed=True)  # leaves when all closed
    assert not conclusion.listed("fail", 0, pending=0, was_listed=True)
    assert not conclusion.listed("pass", 2)
