"""The enforcement service's application object: the kit's, plus its calendar, the
publicity threshold and where it learns an institution's region."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal

from ohts_kit.application import About, Application, Ports, Projector, UnitOfWork
from ohts_kit.db import Conn
from ohts_kit.known import institution_region
from ohts_kit.workdays import WorkCalendar
from services.enforcement.adapters.views import project
from services.enforcement.domain.dates import EARLIEST, When

RegionOf = Callable[[Conn, str], Awaitable[str]]


class Enforcement(Application):
    """Everything an enforcement handler needs, built once by bootstrap."""

    def __init__(
        self,
        ports: Ports,
        calendar: WorkCalendar,
        fine_threshold_yuan: Decimal = Decimal(0),
        *,
        project: Projector = project,
        region_of: RegionOf = institution_region,
        earliest: date = EARLIEST,
    ) -> None:
        super().__init__(ports, project)
        self.calendar = calendar
        self.fine_threshold_yuan = fine_threshold_yuan  # P2: fines publicised from this sum
        self.region_of = region_of  # from registry events (422 for an unknown institution)
        self.earliest = earliest  # F1: no world date before this one is accepted

    def when(self, uow: UnitOfWork, given: date | None) -> When:
        """F1: the date a person gave, with today (Asia/Shanghai) and the earliest date."""
        return When(given, uow.today, self.earliest)

    async def holder(self, uow: UnitOfWork, institution_id: str) -> About:
        """The institution as the subject of what is decided about it, checked to lie in
        the caller's jurisdiction (institutions' regions come from registry events)."""
        about = About(institution_id, await self.region_of(uow.conn, institution_id))
        uow.allow(about)
        return about


def enforcement_of(rt: object) -> Enforcement:
    app: Enforcement = rt.extras["enforcement"]  # type: ignore[attr-defined]
    return app
