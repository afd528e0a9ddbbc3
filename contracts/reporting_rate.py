"""P5 / R8: the one definition of the reporting rate (上报率), used by the registry's
report-card status and by the reporting dashboard alike.

    reporting rate = cards filed on time / all known projects
    all known projects = cards filed on time + cards filed late (迟报)
                         + projects found without a card that still have none (不报)

Late cards are reported, but not on time: they are shown next to the rate, never counted in
its numerator. A project found unreported and carded afterwards counts once, as a late card.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFINITION = "上报率 = 按时报送的信息报送卡数 / 已知项目数（按时报送 + 迟报 + 不报）"


@dataclass(frozen=True)
class ReportingCounts:
    on_time: int
    late: int
    unreported: int

    @property
    def known(self) -> int:
        return self.on_time + self.late + self.unreported

    @property
    def rate(self) -> float | None:
        """A fraction rounded to 4 places; None when no project is known."""
        return round(self.on_time / self.known, 4) if self.known else None
