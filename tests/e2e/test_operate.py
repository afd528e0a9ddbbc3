"""`ohts up` as an operator runs it: data kept across a restart, the demo only into an empty
system, `--fresh` refused off a terminal without `--yes`, crashed processes restarted by the
supervisor, and PostgreSQL dying stopping the whole stack with a clear message."""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from ohts.embedded import free_port
from ohts_kit.settings import SERVICES

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]


class Up:
    """One `ohts up` process and its output lines."""

    def __init__(self, data_dir: Path, ports: dict[str, int], *args: str) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
        }
        env.update({f"OHTS_{s.upper()}_PORT": str(p) for s, p in ports.items()})
        # The expiry sweep runs at start and then on this interval: a short one lets the first
        # run expire the demo's lapsed certificates before its snapshot, not the second run.
        env["OHTS_SCHEDULER_INTERVAL_SECONDS"] = "1"
        self.data_dir, self.ports = data_dir, ports
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ohts", "up", "--data-dir", str(data_dir), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            self._new.put(line)

    def wait_for(self, text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            if time.monotonic() > deadline or (
                self.process.poll() is not None and self._new.empty()
            ):
                raise AssertionError(f"no {text!r} in the output:\n" + "\n".join(self.lines))
            with contextlib.suppress(queue.Empty):
                self._new.get(timeout=0.5)

    def pids(self) -> dict[str, int]:
        rows = (self.data_dir / "pids").read_text().split("\n")
        return {name: int(pid) for name, pid in (r.split() for r in rows if r)}

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=90)

    def database_url(self) -> str:
        env = dict(line.split("=", 1) for line in (self.data_dir / "env").read_text().split())
        return env["DATABASE_URL"]


def snapshot(up: Up) -> dict[str, int]:
    """What a person would see: stored events per producer and the portal's institutions."""

    async def stored() -> dict[str, int]:
        conn = await asyncpg.connect(up.database_url())
        try:
            return {
                s: int(await conn.fetchval(f"SELECT count(*) FROM {s}.events"))
                for s in ("registry", "qc", "enforcement")
            }
        finally:
            await conn.close()

    portal = f"http://127.0.0.1:{up.ports['reporting']}/api/v1/public/institutions"
    return {**asyncio.run(stored()), "portal": httpx.get(portal, timeout=10).json()["total"]}


def settled(up: Up, quiet: float = 4.0, timeout: float = 120) -> dict[str, int]:
    """The snapshot once nothing changed for `quiet` seconds (reactions to events, such as
    a revocation after a penalty, go on for a moment after the demo's last command)."""
    deadline = time.monotonic() + timeout
    last, since = snapshot(up), time.monotonic()
    while time.monotonic() - since < quiet:
        assert time.monotonic() < deadline, f"never settled: {last}"
        time.sleep(0.5)
        now = snapshot(up)
        if now != last:
            last, since = now, time.monotonic()
    return last


def wait_ready(up: Up, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    for service, port in up.ports.items():
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{service} not ready\n" + "\n".join(up.lines)
            time.sleep(0.3)


def test_data_survives_a_restart_crashes_heal_and_postgres_dying_stops_all(tmp_path: Path) -> None:
    ports = {s: free_port() for s in SERVICES}
    data_dir = tmp_path / "ohts"
    first = Up(data_dir, ports)
    try:
        first.wait_for("press Ctrl-C")
        assert any("demo data:" in line for line in first.lines)
        before = settled(first)
        assert before["registry"] > 0 and before["portal"] > 0, before
    finally:
        assert first.stop() == 0, "\n".join(first.lines)

    refused = subprocess.run(
        [sys.executable, "-m", "ohts", "up", "--fresh", "--data-dir", str(data_dir)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "--yes" in refused.stderr, refused
    assert (data_dir / "pgdata" / "PG_VERSION").exists()

    second = Up(data_dir, ports)
    try:
        second.wait_for("press Ctrl-C")
        assert any("no demo loaded" in line for line in second.lines), second.lines
        assert settled(second) == before
        for victim in ("registry", "reporting", "broker"):
            os.kill(second.pids()[victim], signal.SIGKILL)
            second.wait_for(f"{victim} exited with code -9")
            if victim != "broker":
                second.wait_for(f"{victim} restarted")
            time.sleep(1)
            wait_ready(second)
        assert second.process.poll() is None, "\n".join(second.lines)
        assert settled(second) == before
        os.kill(second.pids()["postgres"], signal.SIGKILL)
        second.wait_for("PostgreSQL exited with code -9")
        assert second.process.wait(timeout=60) == 1
        assert any("stopping" in line for line in second.lines)
        for name, pid in second.pids().items():
            if name != "postgres":
                with pytest.raises(ProcessLookupError):
                    os.kill(pid, 0)  # every other process of the stack is gone
    finally:
        second.stop()

    third = Up(data_dir, ports, "--fresh", "--yes", "--no-demo")
    try:
        third.wait_for("press Ctrl-C")
        assert snapshot(third) == {"registry": 0, "qc": 0, "enforcement": 0, "portal": 0}
    finally:
        assert third.stop() == 0
