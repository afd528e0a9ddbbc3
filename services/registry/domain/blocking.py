"""R4 (Yunnan §二(四)3): no renewal, cancellation or change while the institution has an
unverified rectification item or an open case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ohts_kit.errors import Conflict


@dataclass(frozen=True)
class BlockingItem:
    """An unverified rectification item or an open case (R4)."""

    kind: str  # rectification | case
    item_id: str


def not_blocked(action: str, blocking: Sequence[BlockingItem]) -> None:
    if blocking:
        raise Conflict(
            f"{action} refused while the institution has "
            + ", ".join(f"{b.kind} {b.item_id}" for b in blocking)
            + " (unverified rectification or open case)",
            rule="R4 no renewal, cancellation or change while rectification or case is open",
            details={"blocking_items": [{"kind": b.kind, "id": b.item_id} for b in blocking]},
        )
