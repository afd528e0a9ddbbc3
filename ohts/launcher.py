"""Start the whole system: embedded servers (unless external ones are configured), the four
services as separate processes (optionally several instances of each), readiness checks, a
supervisor that restarts what crashed, clean stop."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ohts.embedded import EmbeddedBroker, EmbeddedPostgres
from ohts_kit.settings import SERVICES, Settings, settings_from

# Replica k (k >= 2) of a service listens on the service's port + REPLICA_PORT_STEP * (k - 1).
REPLICA_PORT_STEP = 10
# A restarted process that stays up this long starts its backoff from the beginning again.
STABLE_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 30.0


def instance_name(service: str, replica: int) -> str:
    return service if replica == 1 else f"{service}-{replica}"


def service_of(instance: str) -> str:
    return instance.split("-", 1)[0]


@dataclass
class Restart:
    """A crashed process's restart plan: exponential backoff, reset once it ran stably."""

    failures: int = 0
    due: float | None = None
    started: float = field(default_factory=time.monotonic)

    def schedule(self, now: float) -> float:
        if now - self.started > STABLE_SECONDS:
            self.failures = 0
        delay = min(MAX_BACKOFF_SECONDS, 0.5 * 2**self.failures)
        self.failures += 1
        self.due = now + delay
        return delay


@dataclass
class System:
    """The running system: what it started, so it can stop exactly that."""

    settings: Settings
    env: dict[str, str]
    postgres: EmbeddedPostgres | None = None
    broker: EmbeddedBroker | None = None
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    log_dir: Path | None = None
    replicas: int = 1
    restarts: dict[str, Restart] = field(default_factory=dict)

    def port_of(self, instance: str) -> int:
        name, _, replica = instance.partition("-")
        return self.settings.port_of(name) + REPLICA_PORT_STEP * (int(replica or 1) - 1)

    def url_of(self, instance: str) -> str:
        return f"http://{self.settings.host}:{self.port_of(instance)}"

    def instances(self, services: tuple[str, ...] = SERVICES) -> list[str]:
        return [instance_name(s, r) for r in range(1, self.replicas + 1) for s in services]

    def start_service(self, instance: str, log_dir: Path | None = None) -> None:
        log_dir = log_dir or self.log_dir
        out = open(log_dir / f"{instance}.log", "ab") if log_dir else None  # noqa: SIM115
        env = {**self.env, f"OHTS_{service_of(instance).upper()}_PORT": str(self.port_of(instance))}
        self.processes[instance] = subprocess.Popen(
            [sys.executable, "-m", "ohts", "serve", service_of(instance)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
        )
        self.restarts.setdefault(instance, Restart()).started = time.monotonic()
        self.write_pids()

    def write_pids(self) -> None:
        """`<data dir>/pids`: one `name pid` line per process, for an operator (or a test)."""
        if self.log_dir is None:
            return
        lines = [f"{name} {p.pid}" for name, p in self.processes.items()]
        for name, server in (("postgres", self.postgres), ("broker", self.broker)):
            if server is not None and server.process is not None:
                lines.append(f"{name} {server.process.pid}")
        partial = self.log_dir / "pids.new"  # renamed into place: a reader never sees half
        partial.write_text("".join(f"{line}\n" for line in lines))
        partial.replace(self.log_dir / "pids")

    def wait_ready(
        self, services: tuple[str, ...] | list[str] = SERVICES, timeout: float = 120
    ) -> None:
        deadline = time.monotonic() + timeout
        pending = set(services)
        with httpx.Client(timeout=2) as client:
            while pending:
                for instance in sorted(pending):
                    process = self.processes.get(instance)
                    if process is not None and process.poll() is not None:
                        raise RuntimeError(f"{instance} exited with code {process.returncode}")
                    try:
                        if client.get(f"{self.url_of(instance)}/ready").status_code == 200:
                            pending.discard(instance)
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    raise TimeoutError(f"not ready after {timeout}s: {', '.join(sorted(pending))}")
                time.sleep(0.2)

    def stop_service(self, instance: str, *, kill: bool = False) -> None:
        process = self.processes.pop(instance, None)
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

    def supervise_once(self, say: Callable[[str], None]) -> str | None:
        """One look at every process: schedule or perform restarts. Returns why the whole
        system must stop (PostgreSQL gone), or None."""
        now = time.monotonic()
        if self.postgres is not None and self.postgres.process is not None:
            code = self.postgres.process.poll()
            if code is not None:
                return (
                    f"PostgreSQL exited with code {code}: every service needs it, so the system"
                    f" stops (its log: {self.postgres.data_dir / 'server.log'}); the data stays"
                    " in place, start again with `ohts up`"
                )
        if self.broker is not None:
            self._keep_broker(say)
        for instance, process in list(self.processes.items()):
            code = process.poll()
            plan = self.restarts.setdefault(instance, Restart())
            if code is None:
                continue
            if plan.due is None:
                delay = plan.schedule(now)
                say(
                    f"{instance} exited with code {code}; restarting in {delay:.1f}s"
                    f" (restart {plan.failures}); the others keep running"
                )
            elif now >= plan.due:
                plan.due = None
                self.start_service(instance)
                say(f"{instance} restarted (pid {self.processes[instance].pid})")
        return None

    def _keep_broker(self, say: Callable[[str], None]) -> None:
        """Start the embedded broker again if it died (or a restart of it failed)."""
        assert self.broker is not None
        process = self.broker.process
        if process is not None:
            code = process.poll()
            if code is None:
                return
            say(f"broker exited with code {code}; restarting it (relays republish into it)")
            self.broker.process = None
        try:
            self.broker.start()
        except (RuntimeError, TimeoutError, OSError) as exc:
            say(f"broker did not start again ({exc}); retrying")
            self.broker.stop(kill=True)  # leaves process None: tried again on the next look
        self.write_pids()

    def supervise(
        self, stopping: Callable[[], bool], say: Callable[[str], None], interval: float = 0.5
    ) -> str | None:
        """Watch until `stopping()` or PostgreSQL died; returns the reason to stop, if any."""
        while not stopping():
            reason = self.supervise_once(say)
            if reason is not None:
                return reason
            time.sleep(interval)
        return None

    def stop(self) -> None:
        for instance in list(self.processes):
            self.stop_service(instance)
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
    replicas: int = 1,
) -> System:
    """Start servers and services; external servers are used when their URLs are set.
    `fresh` erases the embedded PostgreSQL's data first; otherwise it is kept."""
    env = {**os.environ, **(extra_env or {})}
    data_dir.mkdir(parents=True, exist_ok=True)
    if fresh:
        for old_log in data_dir.glob("*.log"):
            old_log.unlink()
    system = System(settings=settings_from(env), env=env, log_dir=data_dir, replicas=replicas)
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
        instances = system.instances(services)
        for instance in instances:
            system.start_service(instance, data_dir)
        system.wait_ready(instances)
    except BaseException:
        system.stop()
        raise
    return system
