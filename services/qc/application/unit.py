"""The QC service's application object: the kit's, plus its calendar, views and the
institution region look-up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from ohts_kit.application import About, Application, Ports, Projector
from ohts_kit.db import Conn
from ohts_kit.known import institution_region
from ohts_kit.workdays import WorkCalendar
from ohts_kit.world_dates import EARLIEST
from services.qc.adapters.facts import item_year
from services.qc.adapters.views import project
from services.qc.domain.conclusion import YearFacts

# An institution's registered region, from what qc learned (422 naming institution_id).
RegionOf = Callable[[Conn, str], Awaitable[str]]
# An item's plan, year and its institution's facts of that plan (Q6 living), or None.
ItemYear = Callable[[Conn, str, date], Awaitable[tuple[str, int, YearFacts] | None]]


class Qc(Application):
    """Everything a QC handler needs, built once by bootstrap."""

    def __init__(
        self,
        ports: Ports,
        calendar: WorkCalendar,
        region_of: RegionOf = institution_region,
        project: Projector = project,
        item_year: ItemYear = item_year,
        earliest: date = EARLIEST,
    ) -> None:
        super().__init__(ports, project)
        self.calendar = calendar
        self.region_of = region_of
        self.item_year = item_year
        self.earliest = earliest  # F1: no world date of a QC fact before this one


def qc_of(rt: object) -> Qc:
    app: Qc = rt.extras["qc"]  # type: ignore[attr-defined]
    return app


def province_key(province_code: str) -> str:
    """Plans and activities are about a province, not one institution: their Kafka key."""
    return f"province-{province_code}"


def province(province_code: str) -> About:
    """The subject of a province's plan or activity (keys its events, decides jurisdiction)."""
    return About(province_key(province_code), province_code)
