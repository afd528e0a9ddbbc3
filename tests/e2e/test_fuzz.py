"""Schemathesis against each service's OpenAPI, the services running as processes: no 5xx
and no response that contradicts the schema, for every operation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from contracts.envelope import Role
from ohts.launcher import System
from ohts_kit.auth import issue_token
from tests.conftest import Servers
from tests.e2e.conftest import start_processes
from tests.poison import poison

pytestmark = pytest.mark.e2e

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Each service is fuzzed with the role that may call most of it, in a province's jurisdiction.
ROLES = {
    "registry": Role.REGISTRY_AUTHORITY,
    "qc": Role.QC_CENTRE,
    "enforcement": Role.SUPERVISION_UNIT,
    "reporting": Role.SUPERVISION_UNIT,
}


@pytest.fixture(scope="module")
def fuzzed(servers: Servers) -> Iterator[System]:
    system = start_processes(servers, "fuzz", OHTS_PUBLIC_RATE_LIMIT_PER_SECOND="0")
    try:
        yield system
    finally:
        system.stop()


@pytest.mark.parametrize("service", sorted(ROLES))
def test_no_server_error_and_responses_match_the_schema(fuzzed: System, service: str) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed.url_of(service)}/openapi.json")
    token = issue_token(fuzzed.settings, role=ROLES[service], region_code="330000")
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert operations >= 5
    assert not failures, "\n\n".join(failures)


CONSUMERS = {  # which services subscribe to each producer's topic
    "registry": ("qc", "enforcement", "reporting"),
    "qc": ("registry", "enforcement", "reporting"),
    "enforcement": ("registry", "qc", "reporting"),
}


def test_random_and_truncated_messages_end_in_the_dead_letter_topic(fuzzed: System) -> None:
    import asyncio
    import time

    import httpx
    from aiokafka import AIOKafkaProducer

    from ohts_kit.deadletters import read_dead_letters

    settings = fuzzed.settings
    sent: dict[str, int] = {}

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
        await producer.start()
        try:
            for n, topic in enumerate(CONSUMERS):
                bad = poison(n)
                for value in bad:
                    await producer.send_and_wait(settings.topic_of(topic), value, key=b"fuzz")
                sent[topic] = len(bad)
        finally:
            await producer.stop()

    asyncio.run(send())
    expected = sum(sent[t] * len(c) for t, c in CONSUMERS.items())
    deadline = time.monotonic() + 60
    letters: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        letters = asyncio.run(read_dead_letters(settings, limit=10_000))
        if len(letters) >= expected:
            break
        time.sleep(0.3)
    by_consumer: dict[tuple[str, str], int] = {}
    for letter in letters:
        topic = letter["source"].split("[")[0].removeprefix(settings.namespace)
        key = (topic, letter["consumer"])
        by_consumer[key] = by_consumer.get(key, 0) + 1
    for topic, consumers in CONSUMERS.items():
        for consumer in consumers:
            assert by_consumer.get((f"ohts.{topic}.events", consumer)) == sent[topic], (
                topic,
                consumer,
                by_consumer,
            )
    # Every service is still up, and none wrote a partial effect (no inbox row for a poison).
    for service in ROLES:
        assert httpx.get(f"{fuzzed.url_of(service)}/ready", timeout=5).json()["ready"]

    async def applied_poison() -> int:
        import asyncpg

        conn = await asyncpg.connect(settings.database_url)
        try:
            total = 0
            for service in ROLES:
                total += await conn.fetchval(
                    f'SELECT count(*) FROM "{settings.schema_of(service)}".inbox'
                    " WHERE event_id::text LIKE '01900000-0000-700%'"
                )
            return int(total)
        finally:
            await conn.close()

    assert asyncio.run(applied_poison()) == 0


# Issue 18.2: the probe's malformed path and query values, sent to every operation of every
# service (the schemas' own cases are above). Each must be answered below 500.
HOSTILE_PATH = ["ab%00cd", "%FF", "ab%C3%28", "%25", "..%2F..%2Fetc", "x" * 3000, "'%20OR%201=1"]
HOSTILE_QUERY = [
    "%FF",
    "%00",
    "a%00b",
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "-1",
    "99999999999999999999",
    "true",
    "",
    "%25",
    "NaN",
    "1e309",
    "x" * 3000,
]
HOSTILE_BODIES = [
    b"[" * 1000 + b"]" * 1000,
    b'{"a": NaN}',
    b'{"a": "x\\u0000y"}',
    b'{"a": ' + b"9" * 5000 + b"}",
]


def _operations(base: str) -> list[tuple[str, str, list[str]]]:
    import httpx

    schema = httpx.get(f"{base}/openapi.json", timeout=10).json()
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            found.append((method.upper(), path, query))
    return found


def _hostile_requests(method: str, path: str, query: list[str]) -> list[dict[str, Any]]:
    import re

    plain = re.sub(r"\{[^}]+\}", "x", path)
    urls = [re.sub(r"\{[^}]+\}", bad, path) for bad in HOSTILE_PATH if "{" in path]
    urls += [f"{plain}?{name}={bad}" for name in [*query, "q"] for bad in HOSTILE_QUERY]
    body = {"json": {}} if method != "GET" else {}
    requests = [{"url": url, **body} for url in urls]
    if method in ("POST", "PUT", "PATCH"):
        for content in HOSTILE_BODIES:
            requests.append({"url": plain, "content": content})
            requests.append(
                {"url": plain, "content": content, "headers": {"Content-Type": "application/json"}}
            )
    return requests


def test_malformed_paths_queries_and_bodies_never_reach_a_500(fuzzed: System) -> None:
    import httpx

    inputs, server_errors = 0, []
    for service in sorted(ROLES):
        base = fuzzed.url_of(service)
        token = issue_token(fuzzed.settings, role=ROLES[service], region_code="330000")
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            for method, path, query in _operations(base):
                for request in _hostile_requests(method, path, query):
                    r = client.request(method, **request)
                    inputs += 1
                    if r.status_code >= 500:
                        server_errors.append(
                            f"{service} {method} {request['url'][:100]}: {r.status_code}"
                        )
    print(f"{inputs} malformed inputs, {len(server_errors)} answered 5xx")
    assert inputs > 1000
    assert not server_errors, "\n".join(server_errors[:50])
