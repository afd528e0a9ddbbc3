"""Issue 18.5: a retried create with the same Idempotency-Key has one effect and the first
answer; the same key with another body is 422; keys belong to their caller."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from contracts.envelope import Role
from ohts.demo import staff_body
from ohts_kit.idempotency import forget_expired
from ohts_kit.settings import Settings
from tests.integration.registry_client import running_registry


async def test_a_retried_create_has_one_effect_and_the_first_answer(settings: Settings) -> None:
    async with running_registry(settings) as reg:
        a = await reg.register(1)
        part_time = {**staff_body(a, 5, 1), "full_time": False}
        # Without a key, a retry after a timeout used to register the person twice; R6 (one
        # registration per person and institution) now refuses the repeat, the key replays it.
        await reg.post("/api/v1/staff", part_time, expect=201)
        await reg.post("/api/v1/staff", part_time, expect=409)
        assert len(await reg.events("registry.StaffRegistered")) == 1

        keyed = {**reg.authority, "Idempotency-Key": "3f0e7a52-retry-1"}
        other = {**staff_body(a, 6, 1), "full_time": False}
        first = await reg.post("/api/v1/staff", other, keyed, expect=201)
        again = await reg.post("/api/v1/staff", other, keyed, expect=201)
        assert again.json() == first.json() and again.headers["idempotency-replayed"] == "true"
        assert len(await reg.events("registry.StaffRegistered")) == 2

        changed = await reg.post("/api/v1/staff", {**other, "specialty": "检测检验"}, keyed)
        assert changed.status_code == 422, changed.text
        assert changed.json()["errors"][0]["field"] == "header idempotency-key"
        assert len(await reg.events("registry.StaffRegistered")) == 2

        # Another caller's key of the same text is its own.
        institution = {
            **reg.token(Role.INSTITUTION, "330106", a),
            "Idempotency-Key": "3f0e7a52-retry-1",
        }
        own = {**staff_body(a, 9, 1), "full_time": False}
        mine = await reg.post("/api/v1/staff", own, institution, expect=201)
        assert mine.json() != first.json()

        # Parallel duplicates: one effect, both answered with the same id or told to retry.
        body = {**staff_body(a, 7, 1), "full_time": False}
        parallel = {**reg.authority, "Idempotency-Key": "parallel-1"}
        answers = await asyncio.gather(
            *(reg.post("/api/v1/staff", body, parallel) for _ in range(5))
        )
        created = {r.json()["id"] for r in answers if r.status_code == 201}
        assert len(created) == 1 and {r.status_code for r in answers} <= {201, 409}
        assert len(await reg.events("registry.StaffRegistered")) == 4

        # A refusal is not kept: the corrected retry with the same key runs.
        bad = {**staff_body(a, 8, 1), "full_time": False, "id_number": "123"}
        fix = {**reg.authority, "Idempotency-Key": "fix-1"}
        assert (await reg.post("/api/v1/staff", bad, fix)).status_code == 422
        assert (await reg.post("/api/v1/staff", bad, fix)).status_code == 422
        fixed = {**bad, "id_number": staff_body(a, 8, 1)["id_number"]}
        await reg.post("/api/v1/staff", fixed, fix, expect=201)

        # Kept at least 24 hours: a day-old answer is still replayed; past the TTL, forgotten.
        async with reg.runtime.pool.acquire() as conn:
            await conn.execute(
                "UPDATE idempotency_keys SET created_at = $1 WHERE key = 'parallel-1'",
                datetime.now(UTC) - timedelta(hours=47),
            )
            await conn.execute(
                "UPDATE idempotency_keys SET created_at = $1 WHERE key = 'fix-1'",
                datetime.now(UTC) - timedelta(hours=49),
            )
            assert await forget_expired(conn, timedelta(hours=48)) == 1
        late = await reg.post("/api/v1/staff", body, parallel, expect=201)
        assert late.json()["id"] in created and late.headers["idempotency-replayed"] == "true"
        r = await reg.post("/api/v1/staff", other, {**reg.authority, "Idempotency-Key": "x" * 201})
        assert r.status_code == 422


async def test_any_services_create_is_idempotent_too(settings: Settings) -> None:
    """The key is the kit's: the enforcement plan (a create of another service) runs once."""
    from services.enforcement.bootstrap import create_app
    from tests.integration.helpers import running, token

    plan = {
        "jurisdiction_region_code": "330100",
        "year": 2026,
        "sampling_ratio": "1/2",
        "roster": [{"inspector_id": "i1"}, {"inspector_id": "i2"}],
    }
    async with running(create_app, settings) as svc:
        keyed = {**token(settings, Role.SUPERVISION_UNIT, "330000"), "Idempotency-Key": "plan-1"}
        first = await svc.call("POST", "/api/v1/plans", keyed, plan, 201)
        again = await svc.call("POST", "/api/v1/plans", keyed, plan, 201)
        assert again.json() == first.json()
        other = await svc.call("POST", "/api/v1/plans", keyed, {**plan, "year": 2027})
        assert other.status_code == 422
        async with svc.runtime.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(DISTINCT aggregate_id) FROM events") == 1
