"""The launcher's supervisor under a stream of commands: each kind of process is killed with
SIGKILL in turn (registry with its relay, qc, enforcement, reporting, the broker) and comes
back without a person; every answered command is applied exactly once, by every consumer."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from contracts.envelope import Role
from ohts.embedded import free_port
from ohts.launcher import System, start_system
from ohts_kit.auth import issue_token
from ohts_kit.settings import SERVICES
from services.registry.domain.uscc import make_uscc
from tests.conftest import Servers, new_namespace
from tests.faults.test_faults import CONSUMERS, log_tails, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]
VICTIMS = ("registry", "qc", "enforcement", "reporting", "broker")


@pytest.fixture
def supervised(servers: Servers, request: pytest.FixtureRequest) -> Iterator[System]:
    """The four services on the session's PostgreSQL and a broker of their own (it gets
    killed), with the supervisor of `ohts up` watching them in a thread."""
    if "KAFKA_BOOTSTRAP_SERVERS" in os.environ:
        pytest.skip("the broker is external: this test kills the embedded one")
    env = {
        "DATABASE_URL": servers.database_url,
        "OHTS_NAMESPACE": new_namespace(),
        "OHTS_KAFKA_PARTITIONS": "3",
        "OHTS_RELAY_POLL_SECONDS": "0.05",
        **{f"OHTS_{s.upper()}_PORT": str(free_port()) for s in SERVICES},
    }
    system = start_system(servers.workdir / f"faults-{request.node.name}", extra_env=env)
    stop = threading.Event()
    system.said = []  # type: ignore[attr-defined]
    watcher = threading.Thread(
        target=system.supervise,
        args=(stop.is_set, system.said.append, 0.2),  # type: ignore[attr-defined]
        daemon=True,
    )
    watcher.start()
    try:
        yield system
    finally:
        stop.set()
        watcher.join(timeout=10)
        system.stop()


class Commands(threading.Thread):
    """Registers institutions through the registry's API, one after another, retrying a
    command whose answer was lost. `answered` holds the USCCs of commands answered 201, or
    409 "already registered" on a retry (the lost attempt had been applied)."""

    def __init__(self, system: System) -> None:
        super().__init__(daemon=True)
        self.system = system
        self.answered: list[str] = []
        self.retries = 0
        self.running = True
        self.error: str | None = None

    def run(self) -> None:
        token = issue_token(
            self.system.settings, role=Role.REGISTRY_AUTHORITY, region_code="330000"
        )
        headers = {"Authorization": f"Bearer {token}"}
        serial = 0
        with httpx.Client(
            base_url=self.system.url_of("registry"), headers=headers, timeout=10
        ) as c:
            while self.running and self.error is None:
                serial += 1
                self._send(c, serial)

    def _send(self, client: httpx.Client, serial: int) -> None:
        uscc = make_uscc("330106", f"8{serial:08d}")
        body = {
            "uscc": uscc,
            "name": f"监督测试职业卫生技术服务机构{serial}号",
            "address": "杭州市西湖区",
            "legal_representative": "王",
            "nature": "企业",
            "kind": "occupational-health-service",
            "region_code": "330106",
            "contacts": [{"name": "王", "phone": "0571-88000000"}],
        }
        retried = False
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                response = client.post("/api/v1/institutions", json=body)
            except httpx.HTTPError:
                response = None
            if response is not None and response.status_code == 201:
                self.answered.append(uscc)
                return
            if response is not None and response.status_code == 409 and retried:
                self.answered.append(uscc)
                return
            if response is not None and response.status_code < 500:
                self.error = f"{serial}: {response.status_code} {response.text}"
                return
            retried = True
            self.retries += 1
            time.sleep(0.3)
        self.error = f"{serial}: no answer for 120 s"


async def registered(system: System) -> dict[str, object]:
    settings = system.settings
    conn = await asyncpg.connect(settings.database_url)
    try:
        registry = settings.schema_of("registry")
        per_uscc = await conn.fetch(
            f"SELECT payload->>'uscc' AS uscc, count(*) AS n FROM \"{registry}\".events"
            " WHERE event_type = 'registry.InstitutionRegistered' GROUP BY 1"
        )
        out: dict[str, object] = {"per_uscc": {r["uscc"]: r["n"] for r in per_uscc}}
        for service in CONSUMERS:
            out[service] = await conn.fetchval(
                f'SELECT count(*) FROM "{settings.schema_of(service)}".inbox'
                " WHERE event_type = 'registry.InstitutionRegistered'"
            )
        out["portal"] = await conn.fetchval(
            f'SELECT count(DISTINCT institution_id) FROM "{settings.schema_of("reporting")}"'
            ".rp_institutions"
        )
        return out
    finally:
        await conn.close()


def pid_of(system: System, victim: str) -> int:
    """The victim's pid now; 0 while the supervisor is between its death and its restart."""
    if victim == "broker":
        process = system.broker.process if system.broker is not None else None
    else:
        process = system.processes.get(victim)
    return process.pid if process is not None else 0


def kill_and_heal(system: System, commands: Commands, victim: str) -> None:
    """SIGKILL `victim` once commands flow; the supervisor must bring it back and commands
    must flow again."""
    mark = len(commands.answered)
    wait_for(lambda: len(commands.answered) >= mark + 30, f"commands before {victim}")
    old = pid_of(system, victim)
    os.kill(old, 9)
    wait_for(lambda: pid_of(system, victim) not in (0, old), f"{victim} restarted", timeout=60)
    system.wait_ready(SERVICES, timeout=90)
    wait_for(
        lambda: len(commands.answered) >= mark + 60 or commands.error is not None,
        f"commands after {victim}",
    )
    assert commands.error is None, commands.error


def test_kill_9_each_process_in_turn_under_a_stream_of_commands(supervised: System) -> None:
    system = supervised
    said: list[str] = system.said  # type: ignore[attr-defined]
    commands = Commands(system)
    commands.start()
    try:
        for victim in VICTIMS:
            kill_and_heal(system, commands, victim)
    finally:
        commands.running = False
        commands.join(timeout=150)
    assert commands.error is None, commands.error
    answered = set(commands.answered)
    last: dict[str, object] = {}

    def all_applied() -> bool:
        last.update(asyncio.run(registered(system)))
        stored = len(last["per_uscc"])  # type: ignore[arg-type]
        return all(last[c] == stored for c in (*CONSUMERS, "portal"))

    try:
        wait_for(all_applied, "every consumer applied every registration", timeout=300)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {last}\n{log_tails(system)}") from None
    per_uscc: dict[str, int] = last["per_uscc"]  # type: ignore[assignment]
    assert answered <= set(per_uscc), answered - set(per_uscc)
    assert set(per_uscc.values()) == {1}, {u: n for u, n in per_uscc.items() if n != 1}
    for victim in VICTIMS:
        assert any(line.startswith(f"{victim} exited with code -9") for line in said), said
    print(
        f"{len(answered)} commands answered ({commands.retries} retries), {len(per_uscc)} stored"
        f" and applied once by each of {', '.join(CONSUMERS)}; supervisor: {said}"
    )
