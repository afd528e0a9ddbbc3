"""The demo loader (`ohts.national`) against the real PostgreSQL: it appends its penalty
decisions directly, and reviews each penalised institution's credit class as the penalty
command does (E7), so the daily sweep need not find them."""

from __future__ import annotations

import asyncpg
import pytest

from ohts.national import Scale, generate
from ohts_kit.settings import Settings

pytestmark = pytest.mark.integration


async def test_the_loader_reviews_the_class_of_each_institution_it_penalises(
    settings: Settings,
) -> None:
    # six penalties (a warning and a fine each) over four institutions, by (7 p) mod 4:
    # institutions 0 and 3 get two, 1 and 2 one
    written = await generate(settings, Scale(4, 8, 8, 10, 6), progress=lambda _: None)
    conn = await asyncpg.connect(settings.database_url)
    try:
        schema = settings.schema_of("enforcement")
        classes = await conn.fetch(
            f'SELECT c.institution_id, c.credit_class FROM "{schema}".credit_classes c'
        )
        fines = await conn.fetch(
            f'SELECT institution_id, count(*) AS n FROM "{schema}".penalties'
            " GROUP BY institution_id"
        )
        due = await conn.fetchval(
            f'SELECT count(*) FROM "{schema}".credit_review_due WHERE due_on IS NOT NULL'
        )
    finally:
        await conn.close()
    expected = {r["institution_id"]: "D" if r["n"] >= 2 else "C" for r in fines}
    assert sorted(expected.values()) == ["C", "C", "D", "D"]
    assert {r["institution_id"]: r["credit_class"] for r in classes} == expected
    assert due == 4  # each reviewed class is due again when its first fact ends
    assert written["enforcement"] == 2 * 6 + 4  # cases, decisions, four class changes
