"""Two instances of every service on the same PostgreSQL and broker (what `ohts up
--replicas 2` starts): both answer HTTP, the two consumers of a service share its group's
partitions, exactly one relay per service publishes (the advisory lock) and the other takes
over when it dies; under a stream of events one instance of each service is killed with
SIGKILL, and every event is still applied exactly once by every consumer.
`make test` streams 2,000 events, `make faults` 20,000 (OHTS_FAULT_EVENTS)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from contracts.envelope import Role
from ohts.embedded import free_port_run
from ohts.launcher import REPLICA_PORT_STEP, System, start_system
from ohts_kit.auth import issue_token
from ohts_kit.kafka import client_options
from ohts_kit.settings import SERVICES
from services.registry.domain.uscc import make_uscc
from tests.conftest import Servers, new_namespace
from tests.faults.test_faults import EVENTS, Feed, applied_by, finish_and_check, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.timeout(1500)]
PUBLISHERS = ("registry", "qc", "enforcement")


@pytest.fixture
def replicated(servers: Servers, request: pytest.FixtureRequest) -> Iterator[System]:
    env = {
        "DATABASE_URL": servers.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": servers.bootstrap_servers,
        "OHTS_NAMESPACE": new_namespace(),
        "OHTS_KAFKA_PARTITIONS": "3",
        "OHTS_RELAY_POLL_SECONDS": "0.05",
        "OHTS_KAFKA_SESSION_TIMEOUT_MS": "2000",
        "OHTS_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
        # Replica ports are the service's + 10: free ones whose + 10 is free too (once the
        # second registry's port was PostgreSQL's).
        **{f"OHTS_{s.upper()}_PORT": str(free_port_run(REPLICA_PORT_STEP, 2)) for s in SERVICES},
    }
    system = start_system(
        servers.workdir / f"faults-{request.node.name}", extra_env=env, replicas=2
    )
    try:
        yield system
    finally:
        system.stop()


def relay_starts(system: System, instance: str) -> int:
    """How often this instance's relay took the lock and started publishing."""
    log = Path(system.log_dir or ".") / f"{instance}.log"
    return sum(
        1
        for line in log.read_text(errors="replace").splitlines()
        if line.startswith("{") and json.loads(line).get("event") == "relay.started"
    )


def group_members(system: System) -> dict[str, int]:
    settings = system.settings

    async def describe() -> dict[str, int]:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers, **client_options(settings)
        )
        await admin.start()
        try:
            out = {}
            for service in SERVICES:  # one group per request: Tansu answers those right
                group_id = f"{settings.namespace}ohts.{service}"
                for response in await admin.describe_consumer_groups([group_id]):
                    out[service] = sum(len(g[5]) for g in response.groups)
            return out
        finally:
            await admin.close()

    return asyncio.run(describe())


def serve_http_on_both(system: System) -> None:
    """Every instance answers; a command sent to the second registry is applied."""
    for instance in system.instances():
        assert httpx.get(f"{system.url_of(instance)}/health", timeout=5).status_code == 200
    for instance in ("reporting", "reporting-2"):
        page = httpx.get(f"{system.url_of(instance)}/api/v1/public/institutions", timeout=10)
        assert page.status_code == 200, page.text
    token = issue_token(system.settings, role=Role.REGISTRY_AUTHORITY, region_code="330000")
    response = httpx.post(
        f"{system.url_of('registry-2')}/api/v1/institutions",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "uscc": make_uscc("330106", "977000001"),
            "name": "副本测试职业卫生技术服务机构",
            "address": "杭州市西湖区",
            "legal_representative": "王",
            "nature": "企业",
            "kind": "occupational-health-service",
            "region_code": "330106",
            "contacts": [{"name": "王", "phone": "0571-88000000"}],
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text


def active_relay(system: System, service: str) -> str:
    starts = {i: relay_starts(system, i) for i in (service, f"{service}-2")}
    assert sorted(starts.values()) == [0, 1], starts  # exactly one relay took the lock
    return max(starts, key=starts.__getitem__)


def test_two_instances_of_every_service_one_of_each_killed_mid_stream(
    replicated: System,
) -> None:
    system = replicated
    serve_http_on_both(system)
    members: dict[str, int] = {}
    wait_for(
        lambda: members.update(group_members(system)) or members == dict.fromkeys(SERVICES, 2),
        "two members in every consumer group",
        timeout=60,
    )
    active = {s: active_relay(system, s) for s in PUBLISHERS}
    feed = Feed(system, EVENTS)
    feed.start()
    wait_for(lambda: applied_by(system, "reporting") > EVENTS // 4, "under way")
    for service in PUBLISHERS:
        system.stop_service(active[service], kill=True)  # the publishing one
    system.stop_service("reporting-2", kill=True)
    standby = {s: f"{s}-2" if active[s] == s else s for s in PUBLISHERS}
    wait_for(
        lambda: all(relay_starts(system, standby[s]) == 1 for s in PUBLISHERS),
        "the standby relays took over",
        timeout=60,
    )
    # The feed's event plus the one registered through registry-2 above.
    seen = finish_and_check(system, feed, extra=1)
    survivors = [i for i in system.instances() if i in system.processes]
    assert len(survivors) == 4, survivors
    system.wait_ready(survivors, timeout=30)
    print(f"two replicas, one of each killed: {seen}; active relays were {active}")
