"""`ohts backup` / `ohts restore` / `ohts republish` as an operator runs them.

The demo goes through the four services; the event stores are backed up with pg_dump,
restored into an empty database, and a second system (same namespace, a new broker that
holds nothing) starts on it: the relays republish the restored history, reporting rebuilds
every read model from it, and each read model must equal the original row for row."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest

from ohts.demo import load_everything
from ohts.embedded import EmbeddedBroker
from ohts.launcher import System
from ohts_kit.eventstore import _COLUMNS
from services.reporting.projections.catalog import READ_MODELS
from tests.conftest import Servers
from tests.e2e.conftest import start_processes

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
PRODUCERS = ("registry", "qc", "enforcement")
# The expiry sweep runs at start and then on this interval: the original expires the demo's
# lapsed certificates before the backup, so the restored system has nothing left to expire.
QUICK_SWEEP = {"OHTS_SCHEDULER_INTERVAL_SECONDS": "1"}


def ohts(system: System, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **system.env}
    return subprocess.run(
        [sys.executable, "-m", "ohts", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def digests(database_url: str, namespace: str) -> dict[str, tuple[int, str]]:
    """(rows, md5 of the sorted rows) of every read model and of every event store (without
    tx_id, which a restore renumbers)."""
    conn = await asyncpg.connect(database_url)
    try:
        queries = {
            table: f'SELECT t::text AS r FROM "{namespace}reporting".{table} t'
            for table in READ_MODELS
        }
        for service in PRODUCERS:
            queries[f"{service}.events"] = (
                f'SELECT ({_COLUMNS})::text AS r FROM "{namespace}{service}".events'
            )
        out = {}
        for name, query in queries.items():
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, md5(coalesce(string_agg(r, '|' ORDER BY r), ''))"
                f" AS digest FROM ({query}) q"
            )
            assert row is not None
            out[name] = (int(row["n"]), str(row["digest"]))
        return out
    finally:
        await conn.close()


async def applied(database_url: str, namespace: str) -> tuple[int, int]:
    """(events stored by the producers, events reporting applied)."""
    conn = await asyncpg.connect(database_url)
    try:
        stored = 0
        for service in PRODUCERS:
            stored += await conn.fetchval(f'SELECT count(*) FROM "{namespace}{service}".events')
        inbox = await conn.fetchval(f'SELECT count(*) FROM "{namespace}reporting".inbox')
        return int(stored), int(inbox)
    finally:
        await conn.close()


def settle(database_url: str, namespace: str, quiet: float = 4.0) -> tuple[int, int]:
    """Wait until reporting applied every stored event and nothing moved for `quiet` s."""
    deadline = time.monotonic() + 300
    last, since = asyncio.run(applied(database_url, namespace)), time.monotonic()
    while last[0] != last[1] or time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, f"not settled: {last}"
        time.sleep(0.5)
        now = asyncio.run(applied(database_url, namespace))
        if now != last:
            last, since = now, time.monotonic()
    return last


async def create_database(url: str, name: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return url.rsplit("/", 1)[0] + f"/{name}"


def test_backup_restore_into_an_empty_database_rebuilds_equal_read_models(
    servers: Servers, tmp_path: Path
) -> None:
    original = start_processes(servers, "backup-original", **QUICK_SWEEP)
    namespace = original.settings.namespace
    try:
        load_everything(original.settings, original.url_of)
        counts = settle(original.settings.database_url, namespace)
        dump = tmp_path / "ohts.dump"
        done = ohts(original, "backup", str(dump))
        assert done.returncode == 0, done.stderr
        assert "backup:" in done.stderr  # the plain progress lines off a terminal
        before = asyncio.run(digests(original.settings.database_url, namespace))
    finally:
        original.stop()
    assert before["rp_institutions"][0] > 0 and before["registry.events"][0] > 0

    target = asyncio.run(create_database(servers.database_url, f"{namespace}restored"))
    restored_env = {"DATABASE_URL": target}
    done = ohts(original, "restore", str(dump), "--database-url", target)
    assert done.returncode == 0, done.stderr
    again = ohts(original, "restore", str(dump), "--database-url", target)
    assert again.returncode == 1 and "empty" in again.stderr, again

    broker = EmbeddedBroker(log_path=servers.workdir / "backup-broker.log")
    broker.start()  # holds nothing: the relays republish the restored stores into it
    restored = start_processes(
        servers,
        "backup-restored",
        OHTS_NAMESPACE=namespace,
        KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers,
        **restored_env,
        **QUICK_SWEEP,
    )
    try:
        assert settle(target, namespace) == counts
        after = asyncio.run(digests(target, namespace))
        assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}

        republished = ohts(restored, "republish", "registry")
        assert republished.returncode == 0, republished.stderr
        assert f"{before['registry.events'][0]} events republished" in republished.stdout
        assert settle(target, namespace) == counts  # the repeats were no-ops
        assert asyncio.run(digests(target, namespace)) == before
    finally:
        restored.stop()
        broker.stop()
