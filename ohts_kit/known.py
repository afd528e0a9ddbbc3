"""What a consuming service learned about institutions from registry events
(its own `known_institutions` table, kept by its consumer)."""

from __future__ import annotations

from ohts_kit.db import Conn
from ohts_kit.errors import InvalidCommand


async def institution_region(conn: Conn, institution_id: str) -> str:
    """The institution's registered region; 422 naming `institution_id` when unknown."""
    region = await conn.fetchval(
        "SELECT region_code FROM known_institutions WHERE institution_id = $1", institution_id
    )
    if region is None:
        raise InvalidCommand.of(
            "institution_id", "known institution", f"no institution {institution_id}"
        )
    return str(region)
