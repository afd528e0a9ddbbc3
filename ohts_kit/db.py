"""PostgreSQL pools and versioned migrations, one schema per service."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import asyncpg

from ohts_kit.settings import Settings

# What handlers receive: a plain connection or one borrowed from a pool.
Conn = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy

PLATFORM_MIGRATIONS = Path(str(resources.files("ohts_kit") / "migrations"))


def lock_key(name: str) -> int:
    """A stable advisory-lock key for a name (signed 32 bits fits bigint)."""
    return zlib.crc32(name.encode()) - 2**31


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Pool connections carry no session state (no SET, no LISTEN, no advisory lock left
    behind: the relay, the one user of those, undoes them itself), so a released connection
    needs only what asyncpg always does (roll back an open transaction), not the reset query
    that would cost every command and every consumed batch one more round trip."""


async def create_pool(settings: Settings, schema: str) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        settings.database_url,
        reset=_keep_session,
        min_size=1,
        max_size=settings.db_pool_max,
        command_timeout=settings.db_command_timeout_seconds,
        server_settings={
            "search_path": schema,
            # A forgotten open transaction would pause every relay (xmin horizon).
            "idle_in_transaction_session_timeout": "60000",
            "application_name": f"ohts-{schema}",
        },
    )
    assert pool is not None
    return pool


async def migrate(settings: Settings, schema: str, folders: Sequence[Path]) -> list[str]:
    """Apply every `NNNN_name.sql` not yet applied, in name order, each in a transaction.

    Folders are applied in the order given (platform first). Concurrent starts of the same
    service serialise on an advisory lock, so running twice is safe.
    """
    conn = await asyncpg.connect(settings.database_url)
    applied: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", lock_key(f"migrate:{schema}"))
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        await conn.execute(f'SET search_path TO "{schema}"')
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM schema_migrations")}
        for folder in folders:
            for path in sorted(folder.glob("*.sql")):
                name = f"{folder.parent.name}/{path.name}"
                if name in done:
                    continue
                async with conn.transaction():
                    await conn.execute(path.read_text(encoding="utf-8"))
                    await conn.execute("INSERT INTO schema_migrations (name) VALUES ($1)", name)
                applied.append(name)
    finally:
        await conn.close()
    return applied
