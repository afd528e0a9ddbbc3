"""Read models of the reporting service, one module per producing service."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Projecting:
    """What the projections need beyond the event: the context their handlers are bound to."""

    fine_threshold_yuan: Decimal  # P2: a warning or fine below it is minor, not published
