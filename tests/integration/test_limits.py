"""Limits: body size, pagination caps, the public rate limit, database timeouts."""

from __future__ import annotations

import asyncio

import pytest

from contracts.envelope import Role
from ohts_kit.db import create_pool
from ohts_kit.settings import Settings
from services.registry.bootstrap import create_app as registry_app
from services.reporting.bootstrap import create_app as reporting_app
from tests.integration.helpers import running, token


async def test_an_oversized_body_is_refused_before_anything_changes(settings: Settings) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2_000})
    async with running(registry_app, small) as svc:
        authority = token(small, Role.REGISTRY_AUTHORITY, "330000")
        body = {
            "name": "某" * 3_000,
            "uscc": "x",
            "address": "a",
            "legal_representative": "b",
            "nature": "企业",
            "kind": "occupational-health-service",
            "region_code": "330106",
        }
        r = await svc.call("POST", "/api/v1/institutions", authority, body, expect=413)
        assert "2000 bytes" in r.json()["detail"]
        async with svc.runtime.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM events") == 0

        # Streamed without a Content-Length, it is cut off as it arrives.
        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(10):
                yield b"x" * 500

        r = await svc.http.post("/api/v1/institutions", content=chunks(), headers=authority)
        assert r.status_code == 413


async def test_public_lists_are_capped_and_rate_limited(settings: Settings) -> None:
    limited = settings.model_copy(
        update={"public_rate_limit_per_second": 1.0, "public_rate_limit_burst": 5}
    )
    async with running(reporting_app, limited) as svc:
        r = await svc.call("GET", "/api/v1/public/institutions?limit=101", {}, expect=422)
        assert r.json()["errors"][0]["field"] == "limit"
        statuses = [(await svc.http.get("/api/v1/public/penalties")).status_code for _ in range(8)]
        assert statuses[:4] == [200] * 4 and statuses[-1] == 429
        refused = await svc.http.get("/api/v1/public/penalties")
        assert int(refused.headers["retry-after"]) >= 1
        # Health and supervision endpoints are not the public API: not limited.
        assert (await svc.http.get("/health")).status_code == 200
        await asyncio.sleep(1.1)
        assert (await svc.http.get("/api/v1/public/penalties")).status_code == 200


async def test_database_calls_time_out_and_the_api_says_so(settings: Settings) -> None:
    quick = settings.model_copy(update={"db_command_timeout_seconds": 0.2})
    pool = await create_pool(quick, "public")
    try:
        with pytest.raises(TimeoutError):
            await pool.fetchval("SELECT pg_sleep(2)")
    finally:
        await pool.close()
    async with running(reporting_app, settings) as svc:
        router = svc.app.router

        # Under /api/: the portal's pages answer people with a Chinese page instead.
        @router.get("/api/test-timeout")
        async def slow() -> None:
            raise TimeoutError("simulated")

        r = await svc.http.get("/api/test-timeout")
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        assert "nothing was changed" in r.json()["detail"]


async def test_text_no_column_can_hold_is_refused_with_its_field(settings: Settings) -> None:
    """Found by the fuzzer: NUL characters and unpaired surrogates reached PostgreSQL (500)."""
    async with running(registry_app, settings) as svc:
        authority = token(settings, Role.REGISTRY_AUTHORITY, "330000")
        body = {
            "name": "杭州\u0000检测",
            "uscc": "x",
            "address": "a",
            "legal_representative": "b",
            "nature": "企业",
            "kind": "occupational-health-service",
            "region_code": "330106",
        }
        r = await svc.call("POST", "/api/v1/institutions", authority, body, expect=422)
        assert r.json()["errors"][0] == {
            "field": "body.name",
            "rule": "storable text",
            "message": "text may not contain NUL characters or unpaired surrogates",
        }
        raw = b'{"name": "\\udad6", "contacts": []}'
        r = await svc.http.post(
            "/api/v1/institutions",
            content=raw,
            headers={**authority, "content-type": "application/json"},
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.name"
        async with svc.runtime.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM events") == 0
    async with running(reporting_app, settings) as svc:
        r = await svc.call("GET", "/api/v1/public/institutions?q=%00x", {}, expect=422)
        assert r.json()["errors"][0]["field"] == "q"


async def test_a_year_outside_any_plan_is_refused(settings: Settings) -> None:
    """Found by the fuzzer: year=788135712237731 overflowed the database integer (500)."""
    from services.qc.bootstrap import create_app as qc_app

    async with running(qc_app, settings) as svc:
        r = await svc.call("GET", "/api/v1/public-list?year=788135712237731", {}, expect=422)
        assert r.json()["errors"][0]["field"] == "year"
