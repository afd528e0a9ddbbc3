"""The registry's HTTP commands against the real PostgreSQL: status codes and no partial writes."""

from collections.abc import AsyncIterator

import httpx
import pytest

from contracts.envelope import Role
from ohts_kit.auth import issue_token
from services.registry.bootstrap import create_app
from services.registry.domain.uscc import make_uscc

pytestmark = pytest.mark.integration


@pytest.fixture
async def api(settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    runtime = app.state.runtime
    await runtime.start()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://registry"
        ) as client:
            client.app = app  # type: ignore[attr-defined]
            yield client
    finally:
        await runtime.stop()


def auth(settings, role: Role = Role.REGISTRY_AUTHORITY, region: str = "330000") -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(settings, role=role, region_code=region)}"}


def institution(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "uscc": make_uscc("330106", "470000001"),
        "name": "浙江省职业病防治研究院检测中心",
        "address": "杭州市西湖区文三路100号",
        "legal_representative": "王建国",
        "nature": "事业单位",
        "kind": "occupational-health-service",
        "region_code": "330106",
    }
    body.update(changes)
    return body


async def event_count(api: httpx.AsyncClient) -> int:
    async with api.app.state.runtime.pool.acquire() as conn:  # type: ignore[attr-defined]
        return await conn.fetchval("SELECT count(*) FROM events")  # type: ignore[no-any-return]


async def test_register_apply_review_grant(api, settings) -> None:
    from tests.integration.registry_client import RegistryClient

    created = await api.post(
        "/api/v1/institutions", json=institution(website="https://a.cn"), headers=auth(settings)
    )
    assert created.status_code == 201, created.text
    client = RegistryClient(api, api.app.state.runtime, settings, None)  # type: ignore[arg-type, attr-defined]
    await client.qualify(created.json()["id"], serial=1)
    types = [e["event_type"] for e in await client.events()]
    assert types.count("registry.StaffRegistered") == 15
    assert types[-3:] == [
        "registry.QualificationApplied",
        "registry.QualificationReviewStarted",
        "registry.QualificationGranted",
    ]
    assert created.headers["x-correlation-id"]


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"uscc": "91110000600037341M"}, "uscc", "GB 32100-2015 check character"),
        ({"region_code": "339999"}, "region_code", "GB/T 2260"),
        ({"kind": "laboratory"}, "kind", "enum"),
        ({"name": ""}, "name", "string_too_short"),
    ],
)
async def test_invalid_commands_get_422_naming_field_and_rule(
    api, settings, changes, field, rule
) -> None:
    response = await api.post(
        "/api/v1/institutions", json=institution(**changes), headers=auth(settings)
    )
    assert response.status_code == 422
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in response.json()["errors"]
    ]
    assert await event_count(api) == 0


async def test_duplicate_uscc_is_409_and_writes_nothing(api, settings) -> None:
    assert (
        await api.post("/api/v1/institutions", json=institution(), headers=auth(settings))
    ).status_code == 201
    again = await api.post(
        "/api/v1/institutions", json=institution(name="另一家机构"), headers=auth(settings)
    )
    assert again.status_code == 409
    assert "already registered" in again.json()["detail"]
    assert await event_count(api) == 1


async def test_tokens_roles_and_jurisdiction(api, settings) -> None:
    assert (await api.post("/api/v1/institutions", json=institution())).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (
        await api.post("/api/v1/institutions", json=institution(), headers=bad)
    ).status_code == 401
    qc = auth(settings, Role.QC_CENTRE)
    assert (
        await api.post("/api/v1/institutions", json=institution(), headers=qc)
    ).status_code == 403
    yunnan = auth(settings, region="530000")
    response = await api.post("/api/v1/institutions", json=institution(), headers=yunnan)
    assert response.status_code == 403 and "jurisdiction" in response.json()["detail"]
    assert await event_count(api) == 0


async def test_health_and_ready(api) -> None:
    assert (await api.get("/health")).json()["status"] == "up"
    ready = (await api.get("/ready")).json()
    assert ready["checks"]["database"] and ready["checks"]["broker"]


async def test_log_lines_of_a_command_carry_service_and_correlation_id(api, settings) -> None:
    import io
    import json
    import logging

    import structlog

    from ohts_kit.logging import configure_logging

    stream = io.StringIO()
    configure_logging("registry", "INFO", stream=stream)
    try:
        response = await api.post(
            "/api/v1/institutions",
            json=institution(),
            headers={**auth(settings), "X-Correlation-ID": "corr-42"},
        )
    finally:
        structlog.reset_defaults()
        logging.getLogger().handlers = []
    assert response.headers["x-correlation-id"] == "corr-42"
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line["event"] == "http.request"]
    assert request_lines, lines
    assert all(line["correlation_id"] == "corr-42" for line in request_lines)
    assert all(line["service"] == "registry" for line in request_lines)
