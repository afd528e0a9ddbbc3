"""Accounts, sessions and audit rows in the console's own schema (asyncpg)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from typing import Any

import asyncpg

from contracts.envelope import Role
from ohts.console import passwords
from ohts.console.accounts import Account, Lockout, is_locked
from ohts_kit import regions

COLUMNS = (
    "login, person_name, unit_name, role, region_code, institution_id, admin, disabled,"
    " failed_attempts, locked_until"
)


class AccountExists(ValueError):
    pass


class NoSuchAccount(LookupError):
    pass


def _account(row: Any) -> Account:
    values = dict(row)
    values.pop("password_hash", None)
    values["role"] = Role(values["role"])
    return Account(**values)


async def audit(
    conn: Any, login: str, action: str, by: str | None = None, client: str = "", detail: str = ""
) -> None:
    await conn.execute(
        "INSERT INTO audit (login, action, by_login, client, detail) VALUES ($1,$2,$3,$4,$5)",
        login, action, by, client, detail,
    )  # fmt: skip


async def add(pool: asyncpg.Pool, account: Account, password: str, by: str) -> None:
    digest = await asyncio.to_thread(passwords.hash_password, password)
    async with pool.acquire() as conn, conn.transaction():
        try:
            await conn.execute(
                "INSERT INTO accounts (login, person_name, unit_name, role, region_code,"
                " institution_id, admin, password_hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                account.login, account.person_name, account.unit_name, account.role.value,
                account.region_code, account.institution_id, account.admin, digest,
            )  # fmt: skip
        except asyncpg.UniqueViolationError as exc:
            raise AccountExists(account.login) from exc
        await audit(conn, account.login, "created", by, detail=account.role.value)


async def get(pool: asyncpg.Pool, login: str) -> Account | None:
    row = await pool.fetchrow(f"SELECT {COLUMNS} FROM accounts WHERE login = $1", login)
    return _account(row) if row else None


async def within(pool: asyncpg.Pool, region_code: str) -> list[Account]:
    """The accounts whose region lies in this jurisdiction, by login."""
    rows = await pool.fetch(
        f"SELECT {COLUMNS} FROM accounts WHERE region_code LIKE $1 ORDER BY login",
        regions.like(region_code),
    )
    return [_account(r) for r in rows]


async def set_disabled(pool: asyncpg.Pool, login: str, disabled: bool, by: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        done = await conn.execute(
            "UPDATE accounts SET disabled = $2 WHERE login = $1", login, disabled
        )
        if done.endswith(" 0"):
            raise NoSuchAccount(login)
        if disabled:  # a disabled person's open sessions end now
            await conn.execute(
                "UPDATE sessions SET ended_at = now() WHERE login = $1 AND ended_at IS NULL", login
            )
        await audit(conn, login, "disabled" if disabled else "enabled", by)


async def reset_password(pool: asyncpg.Pool, login: str, password: str, by: str) -> None:
    """A new password; it also lifts a lock and ends the person's sessions."""
    digest = await asyncio.to_thread(passwords.hash_password, password)
    async with pool.acquire() as conn, conn.transaction():
        done = await conn.execute(
            "UPDATE accounts SET password_hash = $2, failed_attempts = 0, locked_until = NULL"
            " WHERE login = $1",
            login,
            digest,
        )
        if done.endswith(" 0"):
            raise NoSuchAccount(login)
        await conn.execute(
            "UPDATE sessions SET ended_at = now() WHERE login = $1 AND ended_at IS NULL", login
        )
        await audit(conn, login, "password-reset", by)


async def authenticate(
    pool: asyncpg.Pool, login: str, password: str, lockout: Lockout, client: str
) -> tuple[Account | None, str]:
    """(account, "ok") or (None, why): "wrong" (unknown login or wrong password: the
    person is not told which), "locked" or "disabled". Every outcome is audited."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            f"SELECT {COLUMNS}, password_hash FROM accounts WHERE login = $1 FOR UPDATE", login
        )
        now = datetime.now(UTC)
        digest = row["password_hash"] if row is not None else None
        right = await asyncio.to_thread(passwords.verify, digest, password)
        if row is None:
            await audit(conn, login[:64], "failed", client=client, detail="unknown login")
            return None, "wrong"
        account = _account(row)
        if account.disabled:
            await audit(conn, login, "refused", client=client, detail="disabled")
            return None, "disabled"
        if is_locked(account, now):
            await audit(conn, login, "refused", client=client, detail="locked")
            return None, "locked"
        if not right:
            failed, until = lockout.after_failure(account.failed_attempts, now)
            await conn.execute(
                "UPDATE accounts SET failed_attempts = $2, locked_until = $3 WHERE login = $1",
                login, failed, until,
            )  # fmt: skip
            await audit(conn, login, "locked" if until else "failed", client=client)
            return None, "locked" if until else "wrong"
        await conn.execute(
            "UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE login = $1", login
        )
        await audit(conn, login, "login", client=client)
        return account, "ok"


async def open_session(pool: asyncpg.Pool, login: str) -> tuple[str, str]:
    sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    await pool.execute(
        "INSERT INTO sessions (sid, login, csrf) VALUES ($1, $2, $3)", sid, login, csrf
    )
    return sid, csrf


async def live_session(pool: asyncpg.Pool, sid: str) -> tuple[Account, str] | None:
    """The account and CSRF token of an open session of an enabled account, touched."""
    row = await pool.fetchrow(
        "UPDATE sessions s SET seen_at = now() FROM accounts a"
        " WHERE s.sid = $1 AND s.ended_at IS NULL AND a.login = s.login AND NOT a.disabled"
        f" RETURNING s.csrf, {', '.join('a.' + c.strip() for c in COLUMNS.split(','))}",
        sid,
    )
    if row is None:
        return None
    values = dict(row)
    csrf = values.pop("csrf")
    return _account(values), csrf


async def end_session(pool: asyncpg.Pool, sid: str, why: str, client: str = "") -> None:
    async with pool.acquire() as conn, conn.transaction():
        login = await conn.fetchval(
            "UPDATE sessions SET ended_at = now() WHERE sid = $1 AND ended_at IS NULL"
            " RETURNING login",
            sid,
        )
        if login:
            await audit(conn, login, why, client=client)


async def audit_of(pool: asyncpg.Pool, login: str, limit: int = 50) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT at, action, by_login, client, detail FROM audit WHERE login = $1"
        " ORDER BY id DESC LIMIT $2",
        login,
        limit,
    )
    return [dict(r) for r in rows]
