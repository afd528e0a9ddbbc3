"""`make bench`: figures with ratios against a baseline measured in the same run, on the same
PostgreSQL and broker (embedded unless DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS are set).

1. the command path against a raw asyncpg insert loop (in this process);
then the four services start as processes and `ohts.national.generate` writes the dataset
(`--scale`, provincial by default so `make bench` takes minutes; `--scale national` is the
issue's 1,000,000-card history), and on it:
2. propagation qc→enforcement and enforcement→reporting at 200 and 1,000 events/s, and
   saturated throughput, against the hand-written pipeline of bench/minimal.py;
3. the reporting rebuild from the dataset's topics against COPY of the same rows into the
   same tables with their indexes (and, for reference, the old narrow COPY baseline);
4. portal search and institution pages at 300 requests/s from a second process (bench/load.py)
   against /health on the same server at the same rate, first with a cold answer cache, then
   warm (the target's figure), reporting served by OHTS_REPORTING_WORKERS processes (1);
5. each service's peak resident memory (VmHWM) against a process that only builds its app.

Every row shows the figure, its baseline, the ratio and a verdict against its target of issue
22; after the table comes one line per target, met or missed by how much (bench/verdicts.py),
and the machine's load average before and after the run (the cores are shared).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench import system_figures as sf
from bench.verdicts import Target, number, summary, verdict
from contracts.envelope import Actor, Role
from ohts.embedded import EmbeddedBroker, EmbeddedPostgres
from ohts.national import SCALES
from ohts_kit.eventstore import Metadata
from ohts_kit.settings import SERVICES, Settings
from services.registry.application.filings import file_report_card
from services.registry.application.qualifications import register_institution
from services.registry.application.unit import registry_of
from services.registry.bootstrap import create_app as registry_app
from services.registry.domain.commands import FileReportCard, RegisterInstitution
from services.registry.domain.uscc import make_uscc
from services.reporting.application.rebuild import drop_schemas, fresh_schema, replay
from services.reporting.projections.catalog import READ_MODELS

RESULTS = Path(__file__).parent / "RESULTS.md"
META = Metadata(
    actor=Actor(subject="bench", role=Role.REGISTRY_AUTHORITY, region_code="330000"),
    correlation_id="bench",
)


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline: float
    target: Target | None  # None: shown for reference (its target is measured elsewhere)

    lower_is_better: bool = False

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else 0.0

    def shown(self, value: float) -> str:
        return number(value)


# The targets of issue 22 ("Done when"), on the same machine and run.
COMMAND_PATH = Target("command path >= 0.6 of the raw insert transaction", 0.6, on_ratio=True)
SATURATED = Target("saturated propagation >= 0.75 of the minimal pipeline", 0.75, on_ratio=True)
HOP_P99 = Target("p99 <= 60 ms for both hops at 1,000 events/s", 60, at_most=True, unit="ms")
REBUILD = Target("rebuild >= 0.25 of the fair COPY baseline", 0.25, on_ratio=True)
PORTAL_P99 = Target("portal p99 <= 30 ms at 300 req/s", 30, at_most=True, unit="ms")
MEMORY = Target("peak memory <= 150 MB per service", 150, at_most=True, unit="MB")


async def timed(n: int, step: Callable[[int], Coroutine[Any, Any, Any]]) -> float:
    """Operations per second of `step` run n times one after another."""
    started = time.perf_counter()
    for i in range(n):
        await step(i)
    return n / (time.perf_counter() - started)


async def command_path(settings: Settings, n: int) -> Figure:
    """Filing report cards: load the institution's stream, decide, append with the outbox
    row, in one transaction, against a raw single-row insert transaction loop."""
    app = registry_app(settings)
    rt = app.state.runtime
    await rt.start()
    try:
        reg = registry_of(rt)
        cmd = RegisterInstitution(
            uscc=make_uscc("330106", "590000001"),
            name="基准测试职业卫生技术服务有限公司",
            address="杭州市西湖区",
            legal_representative="法定代表人",
            nature="企业",
            kind="occupational-health-service",
            region_code="330106",
        )
        iid = await register_institution(reg, cmd, META)

        async def file(i: int) -> None:
            await file_report_card(
                reg,
                FileReportCard(
                    institution_id=iid,
                    report_number=f"B-{i}",
                    service_kind="detection",
                    client_name="某企业",
                    client_uscc=make_uscc("330106", f"{i:09d}", "91"),
                    client_region_code="330106",
                    completion_date=date(2026, 3, 1),
                ),
                META,
            )

        commands = await timed(n, file)
        async with rt.pool.acquire() as conn:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS bench_raw (id uuid PRIMARY KEY, payload jsonb)"
            )

            async def insert(i: int) -> None:
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO bench_raw VALUES ($1, $2)", uuid.uuid4(), f'{{"n": {i}}}'
                    )

            raw = await timed(n, insert)
        # Let the relay publish everything for the rebuild benchmark.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            async with rt.pool.acquire() as conn:
                stored = await conn.fetchval("SELECT count(*) FROM events")
                published = await conn.fetchval("SELECT published FROM relay_cursor")
            if published >= stored:
                break
            await asyncio.sleep(0.2)
    finally:
        await rt.stop()
    return Figure(
        "command path (file report card)",
        commands,
        "commands/s",
        "raw asyncpg insert transaction",
        raw,
        COMMAND_PATH,
    )


async def rebuild_speed(settings: Settings) -> list[Figure]:
    """Replaying the topics into fresh read models, against COPY of the same rows into the
    same tables with their indexes (the fair baseline, issue 22.4), and, for reference,
    against COPY of as many narrow rows into an unindexed table (the old baseline)."""
    schema = f"{settings.schema_of('reporting')}_bench"
    await fresh_schema(settings, schema)
    started = time.perf_counter()
    events, _ = await replay(settings, schema)
    seconds = time.perf_counter() - started
    rows, copy_seconds = await _copy_same_rows(settings, schema, f"{schema}_copy")
    narrow = await _copy_narrow_rows(settings, schema, events)
    # The scratch copies (twice the dataset's rows) gone before the portal is measured:
    # production has no such tables for autovacuum to work through beside the portal.
    await drop_schemas(settings, schema, f"{schema}_copy")
    return [
        Figure(
            f"reporting rebuild ({events} events into {rows} rows)",
            events / seconds,
            "events/s",
            "COPY of the same rows into the same tables",
            events / copy_seconds,
            REBUILD,
        ),
        Figure(
            "reporting rebuild, old baseline",
            events / seconds,
            "events/s",
            "COPY of as many narrow rows, no index",
            narrow,
            None,
        ),
    ]


async def _copy_same_rows(settings: Settings, source: str, target: str) -> tuple[int, float]:
    """Every row the rebuild wrote (read models and inbox), read back, then copied into a
    second fresh schema in one transaction; returns (rows, seconds of the copy)."""
    await fresh_schema(settings, target)
    conn = await asyncpg.connect(settings.database_url)
    try:
        tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
        for table in (*READ_MODELS, "inbox"):
            columns = [
                r["attname"]
                for r in await conn.fetch(
                    "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass"
                    " AND attnum > 0 AND NOT attisdropped AND attgenerated = ''"
                    " AND attidentity = '' ORDER BY attnum",
                    f'"{source}".{table}',
                )
            ]
            names = ", ".join(f'"{c}"' for c in columns)
            fetched = await conn.fetch(f'SELECT {names} FROM "{source}".{table}')
            tables[table] = (columns, [tuple(r) for r in fetched])
        started = time.perf_counter()
        async with conn.transaction():
            for table, (columns, records) in tables.items():
                if records:
                    await conn.copy_records_to_table(
                        table, schema_name=target, columns=columns, records=records
                    )
        return sum(len(r) for _, r in tables.values()), time.perf_counter() - started
    finally:
        await conn.close()


async def _copy_narrow_rows(settings: Settings, schema: str, events: int) -> float:
    conn = await asyncpg.connect(settings.database_url, server_settings={"search_path": schema})
    try:
        await conn.execute("CREATE TABLE copy_target (LIKE rp_report_cards)")
        rows = [
            (
                f"c{i}",
                "inst",
                "detection",
                "330106",
                date(2026, 3, 1),
                date(2026, 3, 2),
                False,
                datetime.now(UTC),
                f"R-{i}",  # report_number, since reporting's migration 0010
            )
            for i in range(events)
        ]
        started = time.perf_counter()
        await conn.copy_records_to_table("copy_target", records=rows)
        return events / (time.perf_counter() - started)
    finally:
        await conn.close()


HEADER = (
    "| figure | value | baseline | baseline value | ratio | target | verdict |\n"
    "|---|---:|---|---:|---:|---|---|"
)


def row(f: Figure) -> str:
    target = f.target.text() if f.target else "(reference)"
    return (
        f"| {f.name} | {f.shown(f.value)} {f.unit} | {f.baseline_name} |"
        f" {f.shown(f.baseline)} | {f.ratio:.2f} | {target} | {verdict(f)} |"
    )


def table(figures: list[Figure]) -> str:
    return "\n".join([HEADER, *map(row, figures)])


def verdicts(figures: list[Figure]) -> str:
    """One line per target of the issue, after the table."""
    return "\n".join(f"- {line}" for line in summary(figures))


def shown(figures: list[Figure]) -> list[Figure]:
    """Printed as soon as measured: a long run shows its figures while it goes on."""
    for f in figures:
        print(row(f), flush=True)
    return figures


async def run(
    settings: Settings, n: int, scale: str, env: dict[str, str], work: Path
) -> tuple[list[Figure], str]:
    print(HEADER, flush=True)
    figures = shown([await command_path(settings, n)])
    system = await asyncio.to_thread(sf.start, work, env)
    try:
        print(f"dataset ({scale}) ...", flush=True)
        dataset = await sf.load_dataset(system, SCALES[scale])
        note = (
            f"dataset {scale}: {sum(dataset['written'].values()):,} events written in"
            f" {dataset['generate_s']:.0f} s, all applied by every consumer after"
            f" {dataset['applied_s']:.0f} s"
        )
        print(note, flush=True)
        figures += shown(await propagation(system))
        figures += shown(await rebuild_speed(system.settings))
        figures += shown(await portal(system))
        figures += shown(memory(system))
    finally:
        await asyncio.to_thread(system.stop)
    return figures, note


async def propagation(system: sf.System) -> list[Figure]:
    minimal = sf.Minimal(system.settings.database_url, system.settings.kafka_bootstrap_servers)
    figures = []
    try:
        await minimal.ready()
        await minimal.write_paced(200, 2)  # warm: topic, group join, first fetch; not counted
        for rate in (200, 1000):
            base = await minimal.write_paced(rate, 10)
            ours = await sf.ours_at(system, rate, 10)
            for hop, lat in ours.items():
                figures.append(
                    Figure(
                        f"propagation {hop} at {rate} events/s, p50 {lat.p50:.0f} ms"
                        f" (minimal {base.p50:.0f} ms), {lat.count} events",
                        lat.p99,
                        "ms p99",
                        "minimal pipeline p99",
                        base.p99,
                        HOP_P99 if rate == 1000 else None,
                        lower_is_better=True,
                    )
                )
        base_rate = await minimal.saturated(10_000)
        ours_rate = await sf.ours_saturated(system, 10_000)
        figures.append(
            Figure(
                "saturated throughput enforcement→reporting",
                ours_rate,
                "events/s",
                "minimal pipeline",
                base_rate,
                SATURATED,
            )
        )
    finally:
        minimal.stop()
    return figures


FED = 2.0  # events/s written during the portal's round under change (see `portal`)


async def portal(system: sf.System) -> list[Figure]:
    """Each path's first answer is made from the database (a cold cache, shown for
    reference); the same load again is the portal as it runs while nothing changes, its
    answers kept until an event is applied (the target's figure); a third round has
    referrals and penalty cases written meanwhile at `FED` events/s (above a country's
    working-day rate: a million report cards a year are about one every 8 s), across the
    dataset's institutions, so it shows what the portal keeps while the data moves."""
    base = system.url_of("reporting")
    # Quiet for longer than a scheduler interval: the sweeps after the earlier phases (their
    # events empty every kept answer) have run, and "warm" is the portal while nothing changes.
    if not await sf.wait_quiet(system, system.settings.scheduler_interval_seconds + 5, 600):
        print("not quiet after 600 s: events applied during the portal rounds", flush=True)
    paths = sf.portal_paths(system)
    baseline = sf.load(base, 300, 10, ["/health"])
    b = next(iter(baseline["kinds"].values()))
    figures = []
    rounds = [("cold", False), ("warm", False), (f"under change ({FED:.0f} events/s fed)", True)]
    for cache, fed in rounds:
        before = sf.portal_answers(system)
        if fed:
            measured = await _fed_while(system, lambda: sf.load(base, 300, 20, paths))
        else:
            measured = sf.load(base, 300, 20, paths)
        answers = {k: v - before.get(k, 0) for k, v in sf.portal_answers(system).items()}
        applied, paused = answers.pop("applied"), answers.pop("gc")
        from_cache = ", ".join(f"{int(v)} {k}" for k, v in sorted(answers.items()) if v)
        meanwhile = f"; meanwhile {applied:.0f} events applied, {paused * 1000:.0f} ms in gc"
        for kind, k in sorted(measured["kinds"].items()):
            figures.append(
                Figure(
                    f"portal {kind} at {measured['rate']:.0f} req/s, {cache} cache"
                    f" ({len(set(paths))} paths; answers: {from_cache or 'none counted'}"
                    f"{meanwhile}),"
                    f" p50 {k['p50']:.1f} ms, {k['count']} ok,"
                    f" {k['errors']} errors {measured['why'] or ''}",
                    k["p99"],
                    "ms p99",
                    f"/health at the same rate (p50 {b['p50']:.1f} ms)",
                    b["p99"],
                    PORTAL_P99 if cache == "warm" else None,
                    lower_is_better=True,
                )
            )
    return figures


async def _fed_while(system: sf.System, measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`measure` (in a thread) while referrals and penalty cases are written at `FED`."""
    feeder = sf.Feeder(system, await sf.institutions_of(system))
    await feeder.open()
    try:
        feeding = asyncio.create_task(sf.paced(FED, 20, feeder.write))
        measured = await asyncio.to_thread(measure)
        await feeding
    finally:
        await feeder.close()
    return measured


def memory(system: sf.System) -> list[Figure]:
    figures = []
    for service in SERVICES:
        process = system.processes[service]
        figures.append(
            Figure(
                f"peak memory of {service} (its largest process)",
                max(sf.peak_mb(pid) for pid in sf.process_tree(process.pid)),
                "MB",
                "same app built, idle",
                sf.import_only_mb(service),
                MEMORY,
                lower_is_better=True,
            )
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--commands", type=int, default=3000)
    parser.add_argument("--scale", choices=sorted(SCALES), default="provincial")
    parser.add_argument("--no-record", action="store_true", help="do not append RESULTS.md")
    args = parser.parse_args()
    postgres = broker = None
    env = dict(os.environ)
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="ohts-bench-"))
    try:
        if "DATABASE_URL" not in env:
            postgres = EmbeddedPostgres(work / "pgdata")
            postgres.start()
            env["DATABASE_URL"] = postgres.url
        if "KAFKA_BOOTSTRAP_SERVERS" not in env:
            broker = EmbeddedBroker(log_path=work / "broker.log")
            broker.start()
            env["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap_servers
        settings = Settings(
            database_url=env["DATABASE_URL"],
            kafka_bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"],
            namespace=f"b{uuid.uuid4().hex[:8]}_",
            relay_poll_seconds=0.05,
        )
        figures, note = asyncio.run(run(settings, args.commands, args.scale, env, work))
    finally:
        if broker:
            broker.stop()
        if postgres:
            postgres.remove()
    load = f"load average (1/5/15 min) before {_load(load_before)}, after {_load(os.getloadavg())}"
    report = f"{table(figures)}\n\n{verdicts(figures)}\n\n{note}\n\n{load}"
    print(report)
    if not args.no_record:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write(
                f"\n## {stamp} — {machine}, {args.commands} commands, scale {args.scale}\n\n"
                f"{report}\n"
            )


def _load(averages: tuple[float, float, float]) -> str:
    return " / ".join(f"{a:.2f}" for a in averages)


if __name__ == "__main__":
    main()
