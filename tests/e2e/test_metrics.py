"""`/metrics` of the four running services: the figures move under load, and every metric the
alert rules and the dashboard in deploy/ use is one the services expose."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from contracts.envelope import Role
from ohts.demo import ok
from ohts.launcher import System
from ohts_kit.auth import issue_token
from ohts_kit.settings import SERVICES
from services.registry.domain.uscc import make_uscc
from tests.conftest import Servers
from tests.e2e.conftest import start_processes

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
Figures = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def system(servers: Servers) -> Iterator[System]:
    running = start_processes(servers, "metrics")
    try:
        yield running
    finally:
        running.stop()


def scrape(system: System, service: str) -> Figures:
    response = httpx.get(f"{system.url_of(service)}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def total(figures: Figures, name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in figures.items() if n == name and wanted <= ls)


def wait_for(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not seen within {seconds}s: {what}")


def register(client: httpx.Client, n: int) -> str:
    return ok(
        client.post(
            "/api/v1/institutions",
            json={
                "uscc": make_uscc("530102", f"5301{n:05d}"),
                "name": f"云南测度第{n}职业卫生检测有限公司",
                "address": "昆明市五华区人民中路66号",
                "legal_representative": "张丽",
                "nature": "企业",
                "kind": "occupational-health-service",
                "region_code": "530102",
                "website": "https://www.example.cn",
            },
        )
    )["id"]


async def hold_snapshot_horizon(database_url: str) -> asyncpg.Connection:
    """An open transaction with an id: every later commit stays above the relays' horizon."""
    conn = await asyncpg.connect(database_url)
    await conn.execute("BEGIN")
    await conn.fetchval("SELECT pg_current_xact_id()")
    return conn


def test_figures_move_under_load(system: System, servers: Servers) -> None:
    token = issue_token(system.settings, role=Role.REGISTRY_AUTHORITY, region_code="530000")
    registry = httpx.Client(
        base_url=system.url_of("registry"), headers={"Authorization": f"Bearer {token}"}
    )
    before = {s: scrape(system, s) for s in SERVICES}
    route = {"route": "/api/v1/institutions", "method": "POST", "status": "201"}
    loop = asyncio.new_event_loop()
    holder = loop.run_until_complete(hold_snapshot_horizon(servers.database_url))
    try:
        for n in range(5):
            register(registry, n)
        held = scrape(system, "registry")
        assert total(held, "ohts_relay_pending_events") >= 5
        assert total(held, "ohts_relay_oldest_pending_age_seconds") > 0
    finally:
        loop.run_until_complete(holder.close())  # rolls back: the horizon moves on
        loop.close()

    def relayed() -> bool:
        now = scrape(system, "registry")
        return (
            total(now, "ohts_relay_pending_events") == 0
            and total(now, "ohts_relay_published_events_total")
            >= total(before["registry"], "ohts_relay_published_events_total") + 5
        )

    wait_for(relayed, "registry relay lag back to 0 with 5 more events published")
    for consumer in ("qc", "enforcement", "reporting"):
        wait_for(
            lambda c=consumer: (
                total(scrape(system, c), "ohts_consumer_events_applied_total")
                >= total(before[c], "ohts_consumer_events_applied_total") + 5
            ),
            f"{consumer} applied the 5 registrations",
        )
        wait_for(
            lambda c=consumer: total(scrape(system, c), "ohts_consumer_lag_records") == 0,
            f"{consumer} consumer lag back to 0",
        )
    institution_id = register(registry, 5)
    assert registry.get(f"/api/v1/institutions/{institution_id}").status_code == 200
    after = scrape(system, "registry")
    count = "ohts_http_request_duration_seconds_count"
    assert total(after, count, **route) == total(before["registry"], count, **route) + 6
    routes = {v for n, ls in after for k, v in ls if n == count and k == "route"}
    assert "/api/v1/institutions/{institution_id}" in routes  # the template, not the path
    assert not any(institution_id in r for r in routes)
    reporting = scrape(system, "reporting")
    assert total(reporting, "ohts_consumer_lag_records") == 0
    assert any(n == "ohts_consumer_lag_records" for n, _ in reporting)  # partitions assigned
    assert total(reporting, "ohts_db_pool_max_connections") > 0
    assert total(reporting, "ohts_consumer_dead_letters_total") == 0
    assert total(after, "ohts_scheduler_runs_total", job="expiry", outcome="ok") >= 1


def referenced_metrics() -> set[str]:
    """Every ohts_* series named by an alert expression or a dashboard query."""
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    exprs = [r["expr"] for g in rules["groups"] for r in g["rules"]]
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/ohts.json").read_text())
    exprs += [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    names = {m for e in exprs for m in re.findall(r"\bohts_[a-z_]+\b", e)}
    assert len(names) >= 10, names
    return names


def test_rules_and_dashboard_use_only_exposed_metrics(system: System) -> None:
    # Consumer lag has a series per assigned partition, once a fetch answered for it.
    wait_for(
        lambda: any(n == "ohts_consumer_lag_records" for n, _ in scrape(system, "reporting")),
        "reporting's partitions assigned",
    )
    exposed = {name for s in SERVICES for name, _ in scrape(system, s)}
    missing = referenced_metrics() - exposed
    assert not missing, f"deploy/ refers to metrics no service exposes: {sorted(missing)}"


def test_overdue_publication_gauge(system: System) -> None:
    """An inspection ended long ago and not published is overdue (E2) until published."""
    authority = issue_token(system.settings, role=Role.REGISTRY_AUTHORITY, region_code="530000")
    supervisor = issue_token(system.settings, role=Role.SUPERVISION_UNIT, region_code="530000")
    registry = httpx.Client(
        base_url=system.url_of("registry"), headers={"Authorization": f"Bearer {authority}"}
    )
    enforcement = httpx.Client(
        base_url=system.url_of("enforcement"), headers={"Authorization": f"Bearer {supervisor}"}
    )
    overdue = "ohts_decision_publications_overdue"
    before = total(scrape(system, "enforcement"), overdue, kind="inspection")
    institution_id = register(registry, 70)
    ended_on = date.today() - timedelta(days=60)  # past 20 working days, whatever the holidays
    body = {
        "institution_id": institution_id,
        "kind": "extended",
        "period": str(ended_on.year),
        "inspectors": ["YN-执法-01", "YN-执法-02"],
        "employer_name": "昆明某化工有限公司",
        "report_number": "YN-2026-070",
    }
    scheduled: list[httpx.Response] = []
    wait_for(  # enforcement learns of the institution through its consumer
        lambda: (
            scheduled.append(enforcement.post("/api/v1/inspections", json=body))
            or scheduled[-1].status_code == 201
        ),
        "the inspection scheduled",
    )
    inspection_id = scheduled[-1].json()["id"]
    ok(
        enforcement.post(
            f"/api/v1/inspections/{inspection_id}/completion",
            json={"result": "compliant", "ended_on": ended_on.isoformat()},
        )
    )
    assert total(scrape(system, "enforcement"), overdue, kind="inspection") == before + 1
    assert enforcement.post(f"/api/v1/inspections/{inspection_id}/publication").status_code == 204
    assert total(scrape(system, "enforcement"), overdue, kind="inspection") == before
    assert total(scrape(system, "registry"), overdue, kind="qualification") == 0


def test_served_processes_settle_and_count_collector_pauses(system: System) -> None:
    """`ohts serve` froze what start-up built (ohts_kit.gc_pauses), and every collection's
    pause is counted by generation."""
    for service in SERVICES:
        figures = scrape(system, service)
        assert total(figures, "ohts_gc_frozen_objects") > 10_000, service
        young = total(figures, "ohts_gc_pause_seconds_count", generation="0")
        assert young > 0, service
        assert total(figures, "ohts_gc_pause_seconds_bucket", generation="0", le="+Inf") == young
