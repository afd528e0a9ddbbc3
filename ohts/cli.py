"""`ohts`: run the system, run one service, issue tokens, export contracts, list dead letters."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import signal
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from contracts.envelope import Role
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


registry_app = typer.Typer(no_args_is_help=True, help="registry operations")
app.add_typer(registry_app, name="registry")


def service_app(service: str, settings: Settings) -> Any:
    if service not in SERVICES:
        raise typer.BadParameter(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    module = importlib.import_module(f"services.{service}.bootstrap")
    return module.create_app(settings)


@app.command()
def serve(service: str, port: Annotated[int | None, typer.Option()] = None) -> None:
    """Run one service (HTTP API, consumer, relay) in this process."""
    import uvicorn

    from ohts_kit.logging import configure_logging

    settings = _settings()
    configure_logging(service, settings.log_level)
    uvicorn.run(
        service_app(service, settings),
        host=settings.host,
        port=port or settings.port_of(service),
        log_config=None,
        access_log=False,
    )


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="load demo data")] = True,
    data_dir: Annotated[Path, typer.Option(help="embedded PostgreSQL data and logs")] = Path(
        ".ohts"
    ),
    keep_data: Annotated[bool, typer.Option(help="reuse the data of the last run")] = False,
) -> None:
    """Start everything (embedded PostgreSQL and broker unless configured), load demo data."""
    from ohts.demo import load_demo, load_enforcement_demo, load_qc_demo, load_reporting_demo
    from ohts.launcher import start_system

    started = time.monotonic()
    typer.echo("starting PostgreSQL, the broker and the four services ...")
    system = start_system(data_dir, fresh=not keep_data)
    ready = time.monotonic() - started
    try:
        typer.echo(f"ready in {ready:.1f}s (logs in {data_dir}/)")
        if demo:
            ids = load_demo(system.settings, system.url_of("registry"))
            typer.echo(f"demo data: {len(ids)} institutions registered through the registry API")
            plan_id = load_qc_demo(system.settings, system.url_of("qc"), ids)
            typer.echo(f"demo data: QC plan {plan_id} with findings, rectifications and referrals")
            draw_id = load_enforcement_demo(system.settings, system.url_of("enforcement"), ids)
            typer.echo(f"demo data: draw {draw_id}, inspections, cases and penalties of every kind")
            campaign_id = load_reporting_demo(system.settings, system.url_of("registry"), ids)
            typer.echo(f"demo data: self-inspection campaign {campaign_id} with two reports")
        typer.echo(f"public portal: {system.url_of('reporting')}/")
        for service in ("registry", "qc", "enforcement"):
            typer.echo(f"{service} API: {system.url_of(service)}/docs")
        typer.echo("press Ctrl-C to stop")
        stop = {"now": False}

        def on_signal(*_: object) -> None:
            stop["now"] = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        while not stop["now"]:
            for name, process in system.processes.items():
                if process.poll() is not None:
                    typer.echo(f"{name} exited with code {process.returncode}; stopping", err=True)
                    stop["now"] = True
            time.sleep(0.5)
    finally:
        typer.echo("stopping ...")
        system.stop()


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
    written = asyncio.run(generate(_settings(), SCALES[scale], typer.echo))
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


@registry_app.command("import")
def registry_import(
    file: Annotated[Path, typer.Argument(exists=True, readable=True, help="legacy CSV")],
    region: Annotated[str, typer.Option(help="the importing authority's jurisdiction")] = "330000",
    url: Annotated[str | None, typer.Option(help="registry URL")] = None,
) -> None:
    """Import institutions and certificates from the old system (R1, R5), idempotently."""
    import httpx

    from ohts_kit.auth import issue_token

    settings = _settings()
    token = issue_token(
        settings, role=Role.REGISTRY_AUTHORITY, region_code=region, subject="cli-import"
    )
    base = url or f"http://{settings.host}:{settings.registry_port}"
    response = httpx.post(
        f"{base}/api/v1/imports/legacy",
        content=file.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
        timeout=600,
    )
    if response.status_code != 200:
        typer.echo(f"import refused: {response.status_code} {response.text}", err=True)
        raise typer.Exit(1)
    report = response.json()
    for error in report["errors"]:
        typer.echo(f"line {error['line']}: {error['field']}: {error['reason']}", err=True)
    typer.echo(
        f"imported {report['imported']}, already imported {report['already_imported']},"
        f" rejected {len({e['line'] for e in report['errors']})} row(s)"
    )


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

    report = asyncio.run(rebuild(_settings(), replace=replace))
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


def main() -> None:
    app(prog_name="ohts")


if __name__ == "__main__":
    main()
