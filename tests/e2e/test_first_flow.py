"""The four services as processes: registry → relay → Kafka → reporting → public API."""

import asyncio
import json
import time
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from contracts.envelope import Role
from ohts.demo import INSTITUTIONS, load_everything, ok, staff_body, staff_name
from ohts.launcher import System
from ohts_kit.auth import issue_token
from ohts_kit.settings import SERVICES
from services.registry.domain.people import id_number_problem
from services.registry.domain.uscc import make_uscc
from tests.conftest import ID_LIKE, Servers
from tests.e2e.conftest import start_processes

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def system(servers: Servers) -> Iterator[System]:
    running = start_processes(servers, "e2e")
    try:
        yield running
    finally:
        running.stop()


def test_granted_qualification_appears_on_the_public_api(system: System) -> None:
    token = issue_token(system.settings, role=Role.REGISTRY_AUTHORITY, region_code="530000")
    headers = {"Authorization": f"Bearer {token}"}
    registry = httpx.Client(base_url=system.url_of("registry"), headers=headers, timeout=10)
    public = httpx.Client(base_url=system.url_of("reporting"), timeout=10)
    institution_id = ok(
        registry.post(
            "/api/v1/institutions",
            json={
                "uscc": make_uscc("530102", "530000077"),
                "name": "云南滇康职业卫生检测评价有限公司",
                "address": "昆明市五华区人民中路66号",
                "legal_representative": "张丽",
                "nature": "企业",
                "kind": "occupational-health-service",
                "region_code": "530102",
                "website": "https://www.example.cn",
            },
        )
    )["id"]
    for n in range(15):
        ok(registry.post("/api/v1/staff", json=staff_body(institution_id, n, 77)))
    qualification_id = ok(
        registry.post(
            "/api/v1/qualifications",
            json={
                "institution_id": institution_id,
                "kind": "occupational-health",
                "scope_codes": ["OH-01", "OH-02"],
            },
        )
    )["id"]
    ok(registry.post(f"/api/v1/qualifications/{qualification_id}/review"))
    granted_at = time.monotonic()
    ok(
        registry.post(
            f"/api/v1/qualifications/{qualification_id}/grant",
            json={"certificate_number": "(滇)卫职技字(2026)第0077号", "valid_from": "2026-01-01"},
        )
    )

    deadline = time.monotonic() + 30
    found = None
    while time.monotonic() < deadline:
        page = public.get("/api/v1/public/institutions", params={"q": "(滇)卫职技字(2026)第0077号"})
        items = page.json()["items"]
        if items and items[0]["qualifications"]:
            found = items[0]
            break
        time.sleep(0.02)
    lag = time.monotonic() - granted_at
    assert found is not None, "the grant never reached the public API"
    print(f"\ngrant → public API: {lag * 1000:.0f} ms")
    assert found["name"] == "云南滇康职业卫生检测评价有限公司"
    assert found["region_name"] == "五华区"
    assert found["qualifications"][0]["scope_codes"] == ["OH-01", "OH-02"]

    page = public.get("/", params={"q": "滇康"})
    assert page.status_code == 200
    assert "云南滇康职业卫生检测评价有限公司" in page.text and "有效期" in page.text

    for service in SERVICES:
        ready = httpx.get(f"{system.url_of(service)}/ready", timeout=5).json()
        assert ready["ready"] is True, ready


def test_invalid_public_query_is_422(system: System) -> None:
    response = httpx.get(
        f"{system.url_of('reporting')}/api/v1/public/institutions", params={"limit": 100000}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


def _applied_everything(system: System) -> bool:
    """Reporting's inbox holds every event the three producers stored."""

    async def counts() -> tuple[int, int]:
        conn = await asyncpg.connect(system.settings.database_url)
        try:
            produced = 0
            for service in ("registry", "qc", "enforcement"):
                schema = system.settings.schema_of(service)
                produced += await conn.fetchval(f'SELECT count(*) FROM "{schema}".events')
            schema = system.settings.schema_of("reporting")
            applied = await conn.fetchval(f'SELECT count(*) FROM "{schema}".inbox')
            return produced, applied
        finally:
            await conn.close()

    produced, applied = asyncio.run(counts())
    return produced == applied


async def topic_texts(system: System) -> dict[str, str]:
    """Every message of the event topics and the dead-letter topic, from the beginning."""
    from aiokafka import AIOKafkaConsumer

    from ohts_kit.kafka import drain

    settings = system.settings
    topics = [settings.topic_of(s) for s in ("registry", "qc", "enforcement")]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False
    )
    await consumer.start()
    texts: dict[str, list[str]] = {t: [] for t in [*topics, settings.dlq_topic]}
    try:
        async for records in drain(consumer, list(texts)):
            for r in records:
                texts[r.topic].append(r.value.decode("utf-8", "replace"))
    finally:
        await consumer.stop()
    return {t: "\n".join(v) for t, v in texts.items()}


def test_no_public_output_message_or_log_of_the_demo_holds_an_id_number_or_a_clear_name(
    system: System, servers: Servers
) -> None:
    ids = load_everything(system.settings, system.url_of)
    deadline = time.monotonic() + 60
    while not _applied_everything(system):
        assert time.monotonic() < deadline, "reporting did not catch up with the demo"
        time.sleep(0.2)
    public = httpx.Client(base_url=system.url_of("reporting"), timeout=10)
    outputs: dict[str, str] = {}
    for path in (
        "/",
        "/lists",
        "/api/v1/public/penalties",
        "/api/v1/public/qc-list",
        "/api/v1/public/revoked",
        "/api/v1/public/institutions?limit=100",
        "/openapi.json",
    ):
        outputs[path] = public.get(path).text
    listed = json.loads(outputs["/api/v1/public/institutions?limit=100"])["items"]
    assert {i["institution_id"] for i in listed} >= set(ids)
    for item in listed:
        for path in (
            f"/api/v1/public/institutions/{item['institution_id']}",
            f"/institutions/{item['institution_id']}",
        ):
            response = public.get(path)
            assert response.status_code == 200, path
            outputs[path] = response.text
    staff_seen = sum(
        len(json.loads(v)["staff"])
        for k, v in outputs.items()
        if k.startswith("/api/v1/public/institutions/")
    )
    assert staff_seen >= 15 * len(ids) - 15  # the staff are there, masked
    penalties = json.loads(outputs["/api/v1/public/penalties"])["items"]
    assert penalties, "the demo's penalties are public"

    # Every Kafka message and every log line of the four processes, too (issue 8).
    for topic, text in asyncio.run(topic_texts(system)).items():
        outputs[f"kafka:{topic}"] = text
    assert "registry.StaffRegistered" in outputs[f"kafka:{system.settings.topic_of('registry')}"]
    for log in sorted((servers.workdir / "e2e").glob("*.log")):
        outputs[f"log:{log.name}"] = log.read_text(errors="replace")
    assert any(k.startswith("log:registry") for k in outputs)

    # Every name the demo and this module gave a staff member (serials 1..n and 77).
    clear_names = {
        staff_name(n, serial)
        for serial in [*range(1, len(INSTITUTIONS) + 1), 77]
        for n in range(15)
    }
    for path, text in outputs.items():
        for candidate in ID_LIKE.findall(text):
            assert id_number_problem(candidate) is not None, f"ID number in {path}: {candidate}"
        hits = [n for n in clear_names if n in text]
        assert not hits, f"clear staff names in {path}: {hits[:5]}"
