"""`ohts`: run the system, run one service, issue tokens, export contracts, list dead letters,
back up and restore the event stores, republish a topic."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from contracts.envelope import Role
from ohts.progress import progress
from ohts_kit.settings import SERVICES, Settings, settings_from

app = typer.Typer(no_args_is_help=True, help="OHTS Oversight operator commands")
token_app = typer.Typer(no_args_is_help=True, help="bearer tokens")
contracts_app = typer.Typer(no_args_is_help=True, help="event contracts")
dlq_app = typer.Typer(no_args_is_help=True, help="dead letters")
app.add_typer(token_app, name="token")
app.add_typer(contracts_app, name="contracts")
app.add_typer(dlq_app, name="dlq")


def _settings() -> Settings:
    """The environment's settings; without DATABASE_URL, those of a running `ohts up`."""
    env = dict(os.environ)
    started = Path(".ohts") / "env"
    if "DATABASE_URL" not in env and started.exists():
        for line in started.read_text().splitlines():
            key, _, value = line.partition("=")
            env.setdefault(key, value)
    return settings_from(env)


from ohts.console.users import SETTINGS as _USER_SETTINGS  # noqa: E402
from ohts.console.users import user_app  # noqa: E402

_USER_SETTINGS.append(_settings)
app.add_typer(user_app, name="user")

registry_app = typer.Typer(no_args_is_help=True, help="registry operations")
app.add_typer(registry_app, name="registry")


def service_app(service: str, settings: Settings) -> Any:
    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    module = importlib.import_module(f"services.{service}.bootstrap")
    app = module.create_app(settings)
    # This process is the service: what its start-up builds lives as long as it does, and
    # the garbage collector need not walk it again (ohts_kit.gc_pauses).
    app.state.runtime.settle_on_start = settings.gc_freeze
    return app


@app.command()
def serve(service: str, port: Annotated[int | None, typer.Option()] = None) -> None:
    """Run one service (HTTP API, consumer, relay) in this process."""
    import uvicorn

    from ohts_kit.logging import configure_logging

    settings = _settings()
    configure_logging(service, settings.log_level)
    options: dict[str, Any] = {
        "host": settings.host,
        "port": port or settings.port_of(service),
        "log_config": None,
        "access_log": False,
    }
    if service == "reporting" and settings.reporting_workers > 1:
        # uvicorn's supervisor binds the port once and runs the workers (and restarts one
        # that dies); each builds its own app through the factory.
        uvicorn.run(
            "ohts.cli:reporting_worker", factory=True, workers=settings.reporting_workers, **options
        )
        return
    uvicorn.run(service_app(service, settings), **options)


def reporting_worker() -> Any:
    """The app of one reporting worker process (`serve reporting` with several workers)."""
    from ohts_kit.logging import configure_logging

    settings = _settings()
    configure_logging("reporting", settings.log_level)
    return service_app("reporting", settings)


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="load demo data into an empty system")] = True,
    data_dir: Annotated[Path, typer.Option(help="embedded PostgreSQL data and logs")] = Path(
        ".ohts"
    ),
    fresh: Annotated[
        bool, typer.Option(help="erase the data of earlier runs and start from nothing")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask before --fresh")] = False,
    replicas: Annotated[int, typer.Option(min=1, max=5, help="instances of every service")] = 1,
    keep_data: Annotated[bool, typer.Option(hidden=True, help="the default now")] = True,
) -> None:
    """Start everything (embedded PostgreSQL and broker unless configured); the data of the
    last run is kept (in DATA_DIR/pgdata); demo data goes only into an empty system; a crashed
    service or broker is restarted, PostgreSQL dying stops everything."""
    from ohts.launcher import start_system

    if fresh:
        _confirm_fresh(data_dir, yes)
    started = time.monotonic()
    typer.echo("starting PostgreSQL, the broker and the four services ...")
    system = start_system(data_dir, fresh=fresh, replicas=replicas)
    reason = None
    try:
        typer.echo(f"ready in {time.monotonic() - started:.1f}s (data and logs in {data_dir}/)")
        if demo:
            _demo_if_empty(system)
        typer.echo(f"public portal: {system.url_of('reporting')}/")
        typer.echo(f"staff console: {system.url_of('reporting')}{system.settings.console_prefix}/")
        for service in ("registry", "qc", "enforcement"):
            typer.echo(f"{service} API: {system.url_of(service)}/docs")
        if replicas > 1:
            typer.echo(f"{replicas} instances of each service: {', '.join(system.processes)}")
        typer.echo("press Ctrl-C to stop")
        stop = {"now": False}

        def on_signal(*_: object) -> None:
            stop["now"] = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        reason = system.supervise(lambda: stop["now"], lambda line: typer.echo(line, err=True))
        if reason:
            typer.echo(reason, err=True)
    finally:
        typer.echo("stopping ...")
        system.stop()
    if reason:
        raise typer.Exit(1)


def _confirm_fresh(data_dir: Path, yes: bool) -> None:
    """--fresh erases everything: asked on a terminal, refused elsewhere without --yes."""
    if yes or not (data_dir / "pgdata").exists():
        return
    if not sys.stdin.isatty():
        typer.echo(f"--fresh erases {data_dir}/pgdata: add --yes to confirm", err=True)
        raise typer.Exit(2)
    typer.confirm(f"erase every record in {data_dir}/pgdata and start from nothing?", abort=True)


def _demo_if_empty(system: Any) -> None:
    from ohts.demo import load_demo, load_enforcement_demo, load_qc_demo, load_reporting_demo

    stored = asyncio.run(_registry_events(system.settings))
    if stored:
        typer.echo(f"data kept from the last run ({stored} registry events): no demo loaded")
        return
    with progress("demo data", 4, "steps", out=sys.stdout) as step:
        ids = load_demo(system.settings, system.url_of("registry"))
        typer.echo(f"demo data: {len(ids)} institutions registered through the registry API")
        step.advance()
        plan_id = load_qc_demo(system.settings, system.url_of("qc"), ids)
        typer.echo(f"demo data: QC plan {plan_id} with findings, rectifications and referrals")
        step.advance()
        draw_id = load_enforcement_demo(system.settings, system.url_of("enforcement"), ids)
        typer.echo(f"demo data: draw {draw_id}, inspections, cases and penalties of every kind")
        step.advance()
        campaign_id = load_reporting_demo(system.settings, system.url_of("registry"), ids)
        typer.echo(f"demo data: self-inspection campaign {campaign_id} with two reports")
        step.advance()
    from ohts.console.demo import print_demo_accounts

    typer.echo("staff console accounts (passwords shown only now):")
    print_demo_accounts(system.settings, ids[0], typer.echo)


async def _registry_events(settings: Settings) -> int:
    import asyncpg

    conn = await asyncpg.connect(settings.database_url)
    try:
        table = f'"{settings.schema_of("registry")}".events'
        exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table)
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}")) if exists else 0
    finally:
        await conn.close()


@app.command()
def demo(
    scale: Annotated[str, typer.Option(help="national | provincial | county")] = "national",
) -> None:
    """Write a benchmark-sized history into the running system (start it with `ohts up`):
    national = 2,000 institutions, 50,000 staff, 1,000,000 report cards, 20,000 QC findings,
    3,000 penalties. The services' relays and consumers take it from there."""
    from ohts.national import SCALES, generate

    if scale not in SCALES:
        raise typer.BadParameter(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    with progress(f"demo {scale}", SCALES[scale].events, "events") as bar:
        written = asyncio.run(generate(_settings(), SCALES[scale], typer.echo, bar.advance))
    typer.echo(f"written: {written}")


@token_app.command("issue")
def token_issue(
    role: Annotated[Role, typer.Option()],
    region: Annotated[str, typer.Option(help="jurisdiction, e.g. 330100")],
    subject: Annotated[str | None, typer.Option()] = None,
    institution: Annotated[
        str | None, typer.Option(help="institution id (role institution)")
    ] = None,
    minutes: Annotated[int | None, typer.Option(help="lifetime")] = None,
) -> None:
    """Print a signed bearer token (a known user role and a real region code only)."""
    from datetime import timedelta

    from ohts_kit.auth import InvalidClaims, issue_token

    try:
        token = issue_token(
            _settings(),
            role=role,
            region_code=region,
            subject=subject,
            institution_id=institution,
            ttl=timedelta(minutes=minutes) if minutes else None,
        )
    except InvalidClaims as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(token)


@contracts_app.command("export")
def contracts_export(
    out: Annotated[Path, typer.Option()] = Path("contracts/schemas"),
    check: Annotated[bool, typer.Option(help="fail if the files differ")] = False,
) -> None:
    """Write JSON Schema for every event and the AsyncAPI document of each service."""
    from ohts.schemas import render_all

    stale = []
    for name, text in render_all().items():
        path = out / name
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if check and stale:
        typer.echo(f"stale: {', '.join(stale)}; run `ohts contracts export`", err=True)
        raise typer.Exit(1)
    typer.echo(f"{'checked' if check else 'wrote'} schemas in {out} ({len(stale)} changed)")


@dlq_app.command("list")
def dlq_list(limit: Annotated[int, typer.Option()] = 100) -> None:
    """List dead letters from the dead-letter topic, as JSON lines."""
    from ohts_kit.deadletters import read_dead_letters

    letters = asyncio.run(read_dead_letters(_settings(), limit))
    for letter in letters:
        typer.echo(json.dumps(letter, ensure_ascii=False))
    typer.echo(f"{len(letters)} dead letter(s)", err=True)


IMPORT_CHUNK_ROWS = 200


@registry_app.command("import")
def registry_import(
    file: Annotated[Path, typer.Argument(exists=True, readable=True, help="legacy CSV")],
    region: Annotated[str, typer.Option(help="the importing authority's jurisdiction")] = "330000",
    url: Annotated[str | None, typer.Option(help="registry URL")] = None,
) -> None:
    """Import institutions and certificates from the old system (R1, R5), idempotently.
    The file goes in chunks of rows (each row is idempotent), so progress can be shown."""
    import httpx

    from ohts_kit.auth import issue_token

    settings = _settings()
    token = issue_token(
        settings, role=Role.REGISTRY_AUTHORITY, region_code=region, subject="cli-import"
    )
    base = url or f"http://{settings.host}:{settings.registry_port}"
    header, rows = _csv_records(file.read_text(encoding="utf-8-sig"))
    totals = {"imported": 0, "already_imported": 0}
    errors: list[dict[str, Any]] = []
    with progress("import", len(rows), "rows") as bar:
        for start in range(0, max(len(rows), 1), IMPORT_CHUNK_ROWS):
            chunk = rows[start : start + IMPORT_CHUNK_ROWS]
            response = httpx.post(
                f"{base}/api/v1/imports/legacy",
                content=_csv_text(header, chunk).encode(),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
                timeout=600,
            )
            if response.status_code != 200:
                typer.echo(f"import refused: {response.status_code} {response.text}", err=True)
                raise typer.Exit(1)
            report = response.json()
            for key in totals:
                totals[key] += report[key]
            # The service numbers lines from 2 within the chunk; the file's are further on.
            errors += [{**e, "line": e["line"] + start} for e in report["errors"]]
            bar.advance(len(chunk))
    for error in errors:
        typer.echo(f"line {error['line']}: {error['field']}: {error['reason']}", err=True)
    typer.echo(
        f"imported {totals['imported']}, already imported {totals['already_imported']},"
        f" rejected {len({e['line'] for e in errors})} row(s)"
    )


def _csv_records(text: str) -> tuple[list[str], list[list[str]]]:
    import csv
    import io

    records = list(csv.reader(io.StringIO(text)))
    return (records[0] if records else []), records[1:]


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


qc_app = typer.Typer(no_args_is_help=True, help="quality control")
app.add_typer(qc_app, name="qc")


def _verify(base: str, path: str) -> None:
    """Ask a service to recompute a plan or draw from its recorded inputs; exit 1 on mismatch."""
    import httpx

    response = httpx.get(f"{base}{path}", timeout=60)
    if response.status_code != 200:
        typer.echo(f"{response.status_code} {response.text}", err=True)
        raise typer.Exit(2)
    result = response.json()
    for difference in result["differences"]:
        typer.echo(difference)
    typer.echo("match" if result["matches"] else "MISMATCH")
    if not result["matches"]:
        raise typer.Exit(1)


@qc_app.command("verify-plan")
def qc_verify_plan(
    plan_id: str, url: Annotated[str | None, typer.Option(help="qc URL")] = None
) -> None:
    """Recompute a QC plan from its recorded inputs and seed."""
    settings = _settings()
    _verify(
        url or f"http://{settings.host}:{settings.qc_port}", f"/api/v1/plans/{plan_id}/verification"
    )


enforcement_app = typer.Typer(no_args_is_help=True, help="enforcement")
app.add_typer(enforcement_app, name="enforcement")


@enforcement_app.command("verify-draw")
def enforcement_verify_draw(
    draw_id: str, url: Annotated[str | None, typer.Option(help="enforcement URL")] = None
) -> None:
    """Recompute a double-random draw from its recorded inputs and seed."""
    settings = _settings()
    _verify(
        url or f"http://{settings.host}:{settings.enforcement_port}",
        f"/api/v1/draws/{draw_id}/verification",
    )


reporting_app = typer.Typer(no_args_is_help=True, help="reporting read models")
app.add_typer(reporting_app, name="reporting")


@reporting_app.command("rebuild")
def reporting_rebuild(
    replace: Annotated[
        bool, typer.Option(help="swap the rebuilt models in (stop the reporting service first)")
    ] = False,
) -> None:
    """Rebuild every reporting read model from the producers' topics and compare with live."""
    import asyncio

    from services.reporting.application.rebuild import rebuild

    with progress("rebuild", None, "events") as bar:
        report = asyncio.run(rebuild(_settings(), replace=replace, progress=bar))
    for t in report.tables:
        mark = "equal" if t.equal else "DIFFERENT"
        typer.echo(f"{t.table:32} live {t.live_rows:>9} rebuilt {t.rebuilt_rows:>9}  {mark}")
    rate = report.events / report.seconds if report.seconds else 0.0
    typer.echo(
        f"{report.events} events replayed ({report.skipped} skipped) in {report.seconds:.1f}s"
        f" ({rate:.0f} events/s) into {report.schema}"
    )
    if not report.equal and not replace:
        raise typer.Exit(1)


@app.command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="the dump to write (pg_dump custom format)")],
) -> None:
    """Back up the event stores (the registry, qc and enforcement schemas) with pg_dump."""
    from ohts.backup import backup

    schemas = asyncio.run(backup(_settings(), file))
    typer.echo(f"backed up {', '.join(schemas)} into {file} ({file.stat().st_size} bytes)")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(exists=True, readable=True, help="a dump of ohts backup")],
    database_url: Annotated[
        str | None, typer.Option(help="the empty database to restore into (default: configured)")
    ] = None,
) -> None:
    """Restore a backup into an empty database with pg_restore; the relays then republish
    every event, and reporting rebuilds its read models from them as it consumes."""
    from ohts.backup import restore

    settings = _settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    try:
        schemas = asyncio.run(restore(settings, file))
    except RuntimeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"restored {', '.join(schemas)}; start the services: their relays republish")


@app.command("republish")
def republish_command(
    service: Annotated[str, typer.Argument(help="registry | qc | enforcement")],
    wait: Annotated[bool, typer.Option(help="follow the relay until it has sent all")] = True,
    timeout: Annotated[float, typer.Option(help="give up waiting after seconds idle")] = 60,
) -> None:
    """Publish every event of a service's event store to its topic again (the running relay
    does it; consumers' inboxes skip what they applied)."""
    from ohts.backup import published_count, republish

    if service not in ("registry", "qc", "enforcement"):
        raise typer.BadParameter(f"{service!r} publishes no events; registry, qc or enforcement")
    settings = _settings()
    stored, before = asyncio.run(republish(settings, service))
    typer.echo(f"{service}: {stored} events to republish")
    if not wait:
        return
    with progress(f"republish {service}", stored, "events") as bar:
        idle_since = time.monotonic()
        while bar.done < stored:
            sent = min(stored, asyncio.run(published_count(settings, service)) - before)
            if sent > bar.done:
                bar.advance(sent - bar.done)
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > timeout:
                typer.echo(f"no progress for {timeout:.0f}s: is {service} running?", err=True)
                raise typer.Exit(1)
            time.sleep(0.5)
    typer.echo(f"{service}: {stored} events republished")


def main() -> None:
    app(prog_name="ohts")


if __name__ == "__main__":
    main()
