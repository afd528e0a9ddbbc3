"""An in-process registry on the real PostgreSQL and broker, driven over its HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import httpx

from contracts.envelope import Role
from ohts.demo import staff_body
from ohts_kit.auth import issue_token
from ohts_kit.clock import FixedClock
from ohts_kit.service import ServiceRuntime
from ohts_kit.settings import Settings
from services.registry.bootstrap import create_app
from services.registry.domain.uscc import make_uscc


class RegistryClient:
    def __init__(
        self,
        client: httpx.AsyncClient,
        runtime: ServiceRuntime,
        settings: Settings,
        clock: FixedClock,
    ) -> None:
        self.http = client
        self.runtime = runtime
        self.settings = settings
        self.clock = clock
        self.authority = self.token(Role.REGISTRY_AUTHORITY, "330000")

    def token(self, role: Role, region: str, institution_id: str | None = None) -> dict[str, str]:
        t = issue_token(self.settings, role=role, region_code=region, institution_id=institution_id)
        return {"Authorization": f"Bearer {t}"}

    async def post(
        self,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        expect: int | None = None,
    ) -> httpx.Response:
        response = await self.http.post(path, json=body, headers=headers or self.authority)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    async def get(self, path: str, **params: Any) -> Any:
        response = await self.http.get(path, params=params, headers=self.authority)
        assert response.status_code == 200, response.text
        return response.json()

    async def register(self, serial: int = 1, region: str = "330106", **changes: Any) -> str:
        body = {
            "uscc": make_uscc(region, f"4700{serial:05d}"),
            "name": f"测试职业卫生技术服务机构{serial}号",
            "address": "杭州市西湖区文三路100号",
            "legal_representative": "王建国",
            "nature": "企业",
            "kind": "occupational-health-service",
            "region_code": region,
            "website": "https://www.example.cn",
            **changes,
        }
        return str((await self.post("/api/v1/institutions", body, expect=201)).json()["id"])

    async def staff_up(self, institution_id: str, serial: int, count: int = 15) -> list[str]:
        return [
            str(
                (
                    await self.post(
                        "/api/v1/staff", staff_body(institution_id, n, serial), expect=201
                    )
                ).json()["id"]
            )
            for n in range(count)
        ]

    async def qualify(
        self,
        institution_id: str,
        serial: int,
        certificate: str | None = None,
        valid_from: str = "2026-01-01",
        scopes: list[str] | None = None,
    ) -> str:
        await self.staff_up(institution_id, serial)
        qid = str(
            (
                await self.post(
                    "/api/v1/qualifications",
                    {
                        "institution_id": institution_id,
                        "kind": "occupational-health",
                        "scope_codes": scopes or ["OH-01", "OH-04"],
                    },
                    expect=201,
                )
            ).json()["id"]
        )
        await self.post(f"/api/v1/qualifications/{qid}/review", expect=204)
        await self.post(
            f"/api/v1/qualifications/{qid}/grant",
            {
                "certificate_number": certificate or f"(浙)卫职技字(2026)第{serial:04d}号",
                "valid_from": valid_from,
            },
            expect=204,
        )
        return qid

    async def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        async with self.runtime.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT event_type, payload::text AS payload FROM events"
                " WHERE $1::text IS NULL OR event_type = $1 ORDER BY position",
                event_type,
            )
        return [dict(r) for r in rows]


@asynccontextmanager
async def running_registry(
    settings: Settings, now: datetime | None = None
) -> AsyncIterator[RegistryClient]:
    clock = FixedClock(now or datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    app = create_app(settings, clock)
    runtime: ServiceRuntime = app.state.runtime
    await runtime.start()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://registry"
        ) as client:
            yield RegistryClient(client, runtime, settings, clock)
    finally:
        await runtime.stop()
