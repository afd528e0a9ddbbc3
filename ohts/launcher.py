"""Start the whole system: embedded servers (unless external ones are configured), the four
services as separate processes, readiness checks, demo data, clean stop."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ohts.embedded import EmbeddedBroker, EmbeddedPostgres
from ohts_kit.settings import SERVICES, Settings, settings_from


@dataclass
class System:
    """The running system: what it started, so it can stop exactly that."""

    settings: Settings
    env: dict[str, str]
    postgres: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url_of(self, service: str) -> str:
        return f"http://{self.settings.host}:{self.settings.port_of(service)}"

    def start_service(self, service: str, log_dir: Path | None = None) -> None:
        out = open(log_dir / f"{service}.log", "ab") if log_dir else None  # noqa: SIM115
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", "ohts", "serve", service],
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
        )

    def wait_ready(self, services: tuple[str, ...] = SERVICES, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        pending = set(services)
        with httpx.Client(timeout=2) as client:
            while pending:
                for service in sorted(pending):
                    process = self.processes.get(service)
                    if process is not None and process.poll() is not None:
                        raise RuntimeError(f"{service} exited with code {process.returncode}")
                    try:
                        if client.get(f"{self.url_of(service)}/ready").status_code == 200:
                            pending.discard(service)
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    raise TimeoutError(f"not ready after {timeout}s: {', '.join(sorted(pending))}")
                time.sleep(0.2)

    def stop_service(self, service: str, *, kill: bool = False) -> None:
        process = self.processes.pop(service, None)
        if process is None or process.poll() is not None:
            return
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        for service in list(self.processes):
            self.stop_service(service)
        if self.broker:
            self.broker.stop()
        if self.postgres:
            self.postgres.stop()


def start_system(
    data_dir: Path,
    *,
    fresh: bool = True,
    fast_postgres: bool = False,
    extra_env: dict[str, str] | None = None,
    services: tuple[str, ...] = SERVICES,
) -> System:
    """Start servers and services; external servers are used when their URLs are set."""
    env = {**os.environ, **(extra_env or {})}
    data_dir.mkdir(parents=True, exist_ok=True)
    if fresh:
        for old_log in data_dir.glob("*.log"):
            old_log.unlink()
    system = System(settings=settings_from(env), env=env)
    try:
        if "DATABASE_URL" not in env:
            pgdata = data_dir / "pgdata"
            if fresh and pgdata.exists():
                shutil.rmtree(pgdata)
            system.postgres = EmbeddedPostgres(pgdata, fast=fast_postgres)
            system.postgres.start()
            env["DATABASE_URL"] = system.postgres.url
        if "KAFKA_BOOTSTRAP_SERVERS" not in env:
            system.broker = EmbeddedBroker(log_path=data_dir / "broker.log")
            system.broker.start()
            env["KAFKA_BOOTSTRAP_SERVERS"] = system.broker.bootstrap_servers
            # One machine, one broker: a shorter session makes consumers join in ~3 s.
            env.setdefault("OHTS_KAFKA_SESSION_TIMEOUT_MS", "6000")
            env.setdefault("OHTS_KAFKA_HEARTBEAT_INTERVAL_MS", "2000")
        system.settings = settings_from(env)
        # Operator commands in another terminal find the embedded servers through this file.
        (data_dir / "env").write_text(
            "".join(f"{k}={env[k]}\n" for k in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"))
        )
        for service in services:
            system.start_service(service, data_dir)
        system.wait_ready(services)
    except BaseException:
        system.stop()
        raise
    return system
