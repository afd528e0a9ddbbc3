"""Issue 18.2: each reproduction that was an unhandled 500 is now a 400/422 naming the
parameter, and changes nothing. Run against the services on the real PostgreSQL."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from contracts.envelope import Role
from ohts_kit.settings import Settings
from tests.integration.helpers import Service, running, token

SERVICES = ("registry", "qc", "enforcement", "reporting")


def _app(service: str) -> Any:
    return importlib.import_module(f"services.{service}.bootstrap").create_app


def _error(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, (response.status_code, response.text)
    first: dict[str, str] = response.json()["errors"][0]
    return first


async def _events(svc: Service) -> int:
    async with svc.runtime.pool.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM events"))


@pytest.mark.parametrize("service", SERVICES)
async def test_an_undecodable_query_escape_is_400_on_every_service(
    settings: Settings, service: str
) -> None:
    async with running(_app(service), settings) as svc:
        for path in ("/health", "/ready", "/api/v1/scope-codes", "/"):
            for query in ("q=%FF", "q=%C3%28", "%FF=1", "as_of=%E9"):
                r = await svc.http.get(f"{path}?{query}")
                error = _error(r, 400)
                assert error["rule"] == "utf-8"
                assert error["field"] in ("q", "as_of") or "\ufffd" in error["field"]
        # A NUL in a query value is the storable-text rule, naming the parameter.
        assert _error(await svc.http.get("/health?region=33%00"), 422)["field"] == "region"


async def test_a_nul_in_a_path_id_is_422_and_reads_nothing(settings: Settings) -> None:
    async with running(_app("registry"), settings) as svc:
        authority = token(settings, Role.REGISTRY_AUTHORITY, "330000")
        for path in (
            "/api/v1/institutions/ab%00cd",
            "/api/v1/institutions/ab%00cd/exemptions",
            "/api/v1/institutions/ab%FFcd",
        ):
            r = await svc.http.get(path, headers=authority)
            assert r.status_code in (400, 422), (path, r.text)
            assert r.json()["errors"][0]["field"] == "path"
    async with running(_app("enforcement"), settings) as svc:
        supervisor = token(settings, Role.SUPERVISION_UNIT, "330000")
        r = await svc.http.get("/api/v1/draws/ab%00cd/verification", headers=supervisor)
        assert _error(r, 422)["field"] == "path"


async def test_deep_json_nan_and_huge_numbers_are_refused_before_any_handler(
    settings: Settings,
) -> None:
    async with running(_app("registry"), settings) as svc:
        authority = token(settings, Role.REGISTRY_AUTHORITY, "330000")
        headers = {**authority, "content-type": "application/json"}
        for body, rule in (
            (b"[" * 1000 + b"]" * 1000, "nesting"),  # was a RecursionError
            (b'{"name": ' + b"[" * 40 + b"]" * 40 + b"}", "nesting"),
            (b'{"name": NaN}', "finite number"),
            (b'{"name": 123456789012345678901234567890}', "number range"),
            (b'{"name": ' + b"9" * 5000 + b"}", "number range"),
        ):
            r = await svc.http.post("/api/v1/institutions", content=body, headers=headers)
            assert _error(r, 422)["rule"] == rule, body[:40]
        assert await _events(svc) == 0


async def test_two_content_types_cannot_carry_a_nul_past_the_text_check(
    settings: Settings,
) -> None:
    async with running(_app("registry"), settings) as svc:
        authority = token(settings, Role.REGISTRY_AUTHORITY, "330000")
        body = (
            '{"uscc": "x", "name": "杭州\\u0000检测", "address": "a", "legal_representative":'
            ' "b", "nature": "企业", "kind": "occupational-health-service", "region_code":'
            ' "330106"}'
        ).encode()
        twice = [
            *authority.items(),
            ("content-type", "application/json"),
            ("content-type", "text/plain"),
        ]
        r = await svc.http.post("/api/v1/institutions", content=body, headers=twice)
        error = _error(r, 400)
        assert (error["field"], error["rule"]) == ("header content-type", "single header")
        # Without any Content-Type FastAPI still reads JSON: the guard reads it too.
        r = await svc.http.post("/api/v1/institutions", content=body, headers=authority)
        assert _error(r, 422)["field"] == "body.name"
        assert await _events(svc) == 0


async def test_a_date_beyond_the_calendar_is_422_naming_it(settings: Settings) -> None:
    """`as_of=9999-12-31` was `year 10000 is out of range` (500)."""
    async with running(_app("registry"), settings) as svc:
        authority = token(settings, Role.REGISTRY_AUTHORITY, "330000")
        for value in ("9999-12-31", "0001-01-01"):
            r = await svc.http.get(
                f"/api/v1/filings/summaries/outstanding?as_of={value}", headers=authority
            )
            error = _error(r, 422)
            assert (error["field"], error["rule"]) == ("as_of", "date range")
        ok = await svc.http.get(
            "/api/v1/filings/summaries/outstanding?as_of=2026-03-01", headers=authority
        )
        assert ok.status_code == 200, ok.text


@pytest.mark.parametrize("ratio", ["1/0", "0/0", "5/3", "0/5", "12345678901234567890/3", "1/-2"])
async def test_a_sampling_ratio_outside_0_to_1_is_refused(settings: Settings, ratio: str) -> None:
    """A plan with 1/0, 0/0 or 5/3 was accepted; every draw on it was a ZeroDivisionError."""
    plan = {
        "jurisdiction_region_code": "330100",
        "year": 2026,
        "sampling_ratio": ratio,
        "roster": [{"inspector_id": "i1"}, {"inspector_id": "i2"}],
    }
    async with running(_app("enforcement"), settings) as svc:
        supervisor = token(settings, Role.SUPERVISION_UNIT, "330000")
        r = await svc.call("POST", "/api/v1/plans", supervisor, plan)
        assert _error(r, 422)["field"] == "sampling_ratio"
        assert await _events(svc) == 0
        r = await svc.call("POST", "/api/v1/plans", supervisor, {**plan, "sampling_ratio": "1/1"})
        assert r.status_code == 201, r.text


async def test_a_value_the_database_cannot_hold_is_a_422_not_a_500(settings: Settings) -> None:
    """The last net behind the gate: a DataError (or date overflow) from a handler."""
    async with running(_app("registry"), settings) as svc:

        @svc.app.router.get("/test-overflow")
        async def overflow(kind: str) -> None:
            async with svc.runtime.pool.acquire() as conn:
                if kind == "db":
                    await conn.fetchval("SELECT $1::int", 2**40)  # numeric value out of range
                raise OverflowError("date value out of range")

        for kind in ("db", "date"):
            r = await svc.http.get(f"/test-overflow?kind={kind}")
            assert _error(r, 422)["rule"] == "value range"
