"""Figures that need the four services running as processes on a dataset: propagation
latency and throughput (2), rebuild on the dataset's history (3), portal latency from a second
process (4) and peak memory per service (5), each against a baseline from the same run."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx

from contracts.enforcement_v1 import CaseOpened, PenaltyDecided
from contracts.envelope import Actor, Role
from contracts.qc_v1 import ViolationClueReferred
from ohts.embedded import free_port
from ohts.launcher import System, start_system
from ohts.national import Scale, generate
from ohts_kit.db import Conn
from ohts_kit.deferred import DeferredWrites
from ohts_kit.eventstore import EventStore, Metadata, NewEvent
from ohts_kit.ids import uuid7
from ohts_kit.settings import SERVICES

TICK = 0.005  # the feeder writes what is due every 5 ms, one transaction per producer


@dataclass
class Latency:
    p50: float
    p99: float
    count: int

    @classmethod
    def of(cls, rows: list[asyncpg.Record]) -> Latency:
        """From rows with a latency in milliseconds as `ms`."""
        values = [float(r["ms"]) for r in rows]
        return cls(_pct(values, 50), _pct(values, 99), len(values))


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else 0.0


def start(work: Path, env: dict[str, str]) -> System:
    extra = {
        **env,
        "OHTS_NAMESPACE": f"n{uuid.uuid4().hex[:8]}_",
        "OHTS_PUBLIC_RATE_LIMIT_PER_SECOND": "0",  # one client at 300 req/s is the point
        "OHTS_RELAY_POLL_SECONDS": "0.05",
        "OHTS_REPORTING_WORKERS": env.get("OHTS_REPORTING_WORKERS", "1"),  # 2 cores: see RESULTS
        **{f"OHTS_{s.upper()}_PORT": str(free_port()) for s in SERVICES},
    }
    return start_system(work / "system", extra_env=extra)


async def inbox_counts(system: System) -> dict[str, int]:
    conn = await asyncpg.connect(system.settings.database_url)
    try:
        return {
            s: await conn.fetchval(f'SELECT count(*) FROM "{system.settings.schema_of(s)}".inbox')
            for s in SERVICES
        }
    finally:
        await conn.close()


async def wait_quiet(system: System, seconds: float = 5, timeout: float = 7200) -> bool:
    """Until no consumer applied anything for `seconds`: the backlog is applied. False: still
    not quiet after `timeout`."""
    last: dict[str, int] = {}
    since = deadline = time.monotonic()
    deadline += timeout
    while time.monotonic() - since < seconds and time.monotonic() < deadline:
        now = await inbox_counts(system)
        if now != last:
            last, since = now, time.monotonic()
        await asyncio.sleep(0.5)
    return time.monotonic() - since >= seconds


async def load_dataset(system: System, scale: Scale) -> dict[str, Any]:
    started = time.monotonic()
    written = await generate(system.settings, scale, lambda line: print("  ", line, flush=True))
    generated = time.monotonic() - started
    await wait_quiet(system)
    return {
        "written": written,
        "generate_s": generated,
        "applied_s": time.monotonic() - started,
        "inbox": await inbox_counts(system),
    }


# --- figure 2: propagation -------------------------------------------------------------------


class Feeder:
    """Appends referrals (qc → enforcement) and penalty decisions (enforcement → reporting)
    through the services' event stores, as their commands would."""

    def __init__(self, system: System, institutions: list[tuple[str, str]]) -> None:
        self.system = system
        self.institutions = institutions
        self.referrals: list[str] = []
        self.penalties: list[str] = []
        self.n = 0

    async def open(self) -> None:
        s = self.system.settings
        self.qc = await asyncpg.connect(
            s.database_url, server_settings={"search_path": s.schema_of("qc")}
        )
        self.enf = await asyncpg.connect(
            s.database_url, server_settings={"search_path": s.schema_of("enforcement")}
        )

    async def close(self) -> None:
        await self.qc.close()
        await self.enf.close()

    async def write(self, events: int) -> None:
        """`events` events: alternately one referral and one case with its decision."""
        referrals, cases = [], []
        while events > 0:
            self.n += 1
            institution_id, region = self.institutions[self.n % len(self.institutions)]
            if self.n % 2:
                referrals.append(_referral(institution_id, region))
                events -= 1
            else:
                cases.append(_penalty_case(institution_id, region, self.n))
                events -= 2
        meta = Metadata(
            actor=Actor(subject="bench", role=Role.SYSTEM, region_code="000000"),
            correlation_id="bench-propagation",
        )
        if referrals:
            async with self.qc.transaction():
                qc = DeferredWrites(self.qc)
                for aggregate_id, new in referrals:
                    written = await EventStore("qc").append(
                        cast(Conn, qc), "Referral", aggregate_id, 0, [new], meta
                    )
                    self.referrals.append(str(written[0].event_id))
                await qc.flush()
        if cases:
            await self.write_cases(cases, meta)

    async def write_cases(self, cases: list[tuple[str, list[NewEvent]]], meta: Metadata) -> None:
        """One transaction whose appends after the first go as one statement, as the minimal
        pipeline's writer sends its rows (the feeder shares the machine it measures)."""
        async with self.enf.transaction():
            enf = DeferredWrites(self.enf)
            for aggregate_id, news in cases:
                written = await EventStore("enforcement").append(
                    cast(Conn, enf), "Case", aggregate_id, 0, news, meta
                )
                self.penalties.append(str(written[1].event_id))
            await enf.flush()


def _referral(institution_id: str, region: str) -> tuple[str, NewEvent]:
    rid = str(uuid7())
    now = datetime.now(UTC)
    return rid, NewEvent(
        ViolationClueReferred(
            referral_id=rid,
            institution_id=institution_id,
            category="report-quality",
            description="基准测试移交的违法线索",
            evidence_refs=["bench"],
            supervision_region_code=region,
            reason="finding",
            referred_on=now.date(),
        ),
        institution_id,
        region,
        now,
    )


def _penalty_case(institution_id: str, region: str, n: int) -> tuple[str, list[NewEvent]]:
    cid = str(uuid7())
    now = datetime.now(UTC)
    events = [
        CaseOpened(
            case_id=cid,
            institution_id=institution_id,
            violation="未按规定报送职业卫生技术服务相关信息",
            opened_on=now.date() - timedelta(days=20),
        ),
        PenaltyDecided(
            case_id=cid,
            institution_id=institution_id,
            decision_number=f"卫职罚〔基准〕B{n:07d}号",
            decided_on=now.date(),
            authority="基准卫生健康局",
            violation="未按规定报送职业卫生技术服务相关信息",
            legal_basis="《职业卫生技术服务机构管理办法》第四十五条",
            penalties=["warning", "fine"],
            fine_yuan=Decimal(20_000),
            range_confirmed=True,
        ),
    ]
    return cid, [NewEvent(e, institution_id, region, now) for e in events]


async def paced(rate: float, seconds: float, write: Any) -> None:
    """Open loop: every tick, write what is due at `rate` events/s."""
    started = time.perf_counter()
    sent = 0
    while (elapsed := time.perf_counter() - started) < seconds:
        due = int(rate * elapsed) - sent
        if due > 0:
            await write(due)
            sent += due
        await asyncio.sleep(max(0.0, TICK - (time.perf_counter() - started - elapsed)))


async def hop_latency(
    system: System, producer: str, consumer: str, event_ids: list[str]
) -> Latency:
    s = system.settings
    conn = await asyncpg.connect(s.database_url)
    try:
        rows = await conn.fetch(
            "SELECT extract(epoch FROM i.applied_at - e.recorded_at) * 1000 AS ms"
            f' FROM "{s.schema_of(producer)}".events e'
            f' JOIN "{s.schema_of(consumer)}".inbox i ON i.event_id = e.event_id'
            " WHERE e.event_id = ANY($1::uuid[])",
            event_ids,
        )
    finally:
        await conn.close()
    return Latency.of(rows)


async def institutions_of(system: System, limit: int = 500) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(system.settings.database_url)
    try:
        rows = await conn.fetch(
            "SELECT institution_id, region_code FROM"
            f' "{system.settings.schema_of("enforcement")}".known_institutions LIMIT $1',
            limit,
        )
    finally:
        await conn.close()
    return [(r["institution_id"], r["region_code"]) for r in rows]


async def ours_at(system: System, rate: float, seconds: float) -> dict[str, Latency]:
    feeder = Feeder(system, await institutions_of(system))
    await feeder.open()
    try:
        await paced(rate, seconds, feeder.write)
    finally:
        await feeder.close()
    await wait_quiet(system, seconds=3)
    return {
        "qc→enforcement": await hop_latency(system, "qc", "enforcement", feeder.referrals),
        "enforcement→reporting": await hop_latency(
            system, "enforcement", "reporting", feeder.penalties
        ),
    }


async def ours_saturated(system: System, events: int) -> float:
    """Penalty cases written as fast as one writer can; events/s until reporting has all."""
    feeder = Feeder(system, await institutions_of(system))
    feeder.n = 1  # cases only: every unit is CaseOpened + PenaltyDecided
    await feeder.open()
    started = time.perf_counter()
    try:
        for _ in range(events // 100):
            feeder.n = 1
            cases = [
                _penalty_case(*feeder.institutions[i % len(feeder.institutions)], i)
                for i in range(50)
            ]
            meta = Metadata(
                actor=Actor(subject="bench", role=Role.SYSTEM, region_code="000000"),
                correlation_id="bench-saturated",
            )
            await feeder.write_cases(cases, meta)
    finally:
        await feeder.close()
    s = system.settings
    conn = await asyncpg.connect(s.database_url)
    try:
        while await conn.fetchval(
            f'SELECT count(*) FROM "{s.schema_of("reporting")}".inbox'
            " WHERE event_id = ANY($1::uuid[])",
            feeder.penalties,
        ) < len(feeder.penalties):
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    return 2 * len(feeder.penalties) / (time.perf_counter() - started)


class Minimal:
    """The hand-written pipeline (bench/minimal.py) in its own process."""

    def __init__(self, database_url: str, bootstrap: str) -> None:
        self.database_url = database_url
        self.schema = f"min_{uuid.uuid4().hex[:8]}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.minimal", database_url, bootstrap, self.schema]
        )

    async def ready(self) -> None:
        for _ in range(100):
            conn = await asyncpg.connect(self.database_url)
            try:
                if await conn.fetchval("SELECT to_regclass($1)", f"{self.schema}.min_inbox"):
                    return
            finally:
                await conn.close()
            await asyncio.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    async def write_paced(self, rate: float, seconds: float) -> Latency:
        conn = await asyncpg.connect(
            self.database_url, server_settings={"search_path": self.schema}
        )
        first = await conn.fetchval("SELECT coalesce(max(id), 0) FROM min_events")
        payload = "x" * 900  # about the size of an envelope

        async def write(n: int) -> None:
            async with conn.transaction():
                await conn.executemany(
                    "INSERT INTO min_events (payload) VALUES ($1)", [(payload,)] * n
                )

        try:
            await paced(rate, seconds, write)
            last = await conn.fetchval("SELECT max(id) FROM min_events")
            while await conn.fetchval("SELECT count(*) FROM min_inbox WHERE id > $1", first) < (
                last - first
            ):
                await asyncio.sleep(0.05)
            rows = await conn.fetch(
                "SELECT extract(epoch FROM i.applied_at - e.recorded_at) * 1000 AS ms"
                " FROM min_events e JOIN min_inbox i USING (id) WHERE e.id > $1",
                first,
            )
        finally:
            await conn.close()
        return Latency.of(rows)

    async def saturated(self, events: int) -> float:
        conn = await asyncpg.connect(
            self.database_url, server_settings={"search_path": self.schema}
        )
        payload = "x" * 900
        try:
            first = await conn.fetchval("SELECT coalesce(max(id), 0) FROM min_events")
            started = time.perf_counter()
            for _ in range(events // 100):
                async with conn.transaction():
                    await conn.executemany(
                        "INSERT INTO min_events (payload) VALUES ($1)", [(payload,)] * 100
                    )
            while await conn.fetchval("SELECT count(*) FROM min_inbox WHERE id > $1", first) < (
                events // 100 * 100
            ):
                await asyncio.sleep(0.05)
            return events // 100 * 100 / (time.perf_counter() - started)
        finally:
            await conn.close()


# --- figure 4: portal -----------------------------------------------------------------------


def load(base: str, rate: float, seconds: float, paths: list[str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.load", base, str(rate), str(seconds)],
        input="\n".join(paths),
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def portal_paths(system: System) -> list[str]:
    """A search by name and the page of each of up to 100 institutions, in turn."""
    with httpx.Client(base_url=system.url_of("reporting"), timeout=30) as client:
        page = client.get("/api/v1/public/institutions", params={"limit": 100}).json()
    paths = []
    for item in page["items"]:
        paths.append(f"/api/v1/public/institutions?q={item['name'][:4]}")
        paths.append(f"/institutions/{item['institution_id']}")
    return paths


def portal_answers(system: System) -> dict[str, float]:
    """The reporting process's answers so far by outcome (hit, miss, uncached), from
    /metrics: whether a round was served from the answer cache; with them, as `applied`
    and `gc`, the events its consumer applied or skipped and the seconds its garbage
    collector paused: what else the process did while it answered."""
    with httpx.Client(base_url=system.url_of("reporting"), timeout=30) as client:
        text = client.get("/metrics").text
    found = re.findall(
        r'^ohts_portal_answers_total\{outcome="(\w+)",service="reporting"\} (\S+)$', text, re.M
    )
    answers = {outcome: float(value) for outcome, value in found}
    answers["applied"] = sum(
        float(v)
        for v in re.findall(
            r'^ohts_consumer_events_(?:applied|ignored)_total\{service="reporting"\} (\S+)$',
            text,
            re.M,
        )
    )
    answers["gc"] = sum(
        float(v) for v in re.findall(r"^ohts_gc_pause_seconds_sum\{[^}]*\} (\S+)$", text, re.M)
    )
    return answers


# --- figure 5: memory -----------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (a supervisor's workers)."""
    out = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in children:
            out += process_tree(int(child))
    return out


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def import_only_mb(service: str) -> float:
    """A process that imports the service and builds its app, then reports its own peak."""
    code = (
        "import os\n"
        f"from services.{service}.bootstrap import create_app\n"
        "from ohts_kit.settings import Settings\n"
        "create_app(Settings())\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    return int(out.stdout.strip()) / 1024
