"""Idempotent commands (issue 18.5): a command sent with an `Idempotency-Key` header is
carried out once per caller and key; a repeat with the same request gets the first answer
(status and body, marked `Idempotency-Replayed: true`) without a second effect, and the same
key with a different request is a 422. Keys are kept `idempotency_ttl_hours` (at least 24).

Only a 2xx answer is kept: any other answer changed nothing (a refusal, a timeout), so the
retry runs again. A request still in flight under the key gets 409 with Retry-After; a row
left in flight by a process that died is taken over after `STALE_SECONDS`. The key is
recorded just before the command runs and its answer just after, in separate transactions:
a crash between the command's commit and the answer's would let one retry run it again
(the event store's own checks still refuse most duplicates).
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from ohts_kit.guard import Refusal, read_body, refuse

Scope = dict[str, Any]
COMMANDS = ("POST", "PUT", "PATCH", "DELETE")
STALE_SECONDS = 60
_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, as UUIDs and ULIDs are


class Idempotency:
    def __init__(self, app: Any, ttl_hours: float = 48) -> None:
        self.app = app
        self.ttl = timedelta(hours=max(24.0, ttl_hours))

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        key = dict(scope.get("headers", [])).get(b"idempotency-key")
        if scope["type"] != "http" or scope.get("method") not in COMMANDS or key is None:
            return await self.app(scope, receive, send)
        text = key.decode("latin-1")
        if not _KEY.match(text):
            return await refuse(send, _bad_key("1 到 200 个可打印 ASCII 字符，例如 UUID"))
        caller = _caller(scope)
        if caller is None:  # no valid token: the app answers 401 and nothing is kept
            return await self.app(scope, receive, send)
        messages, body = await read_body(receive)
        digest = _request_hash(scope, body)
        pool = scope["app"].state.runtime.pool
        state = await _claim(pool, caller, text, digest, self.ttl)
        if state == "mismatch":
            return await refuse(
                send, _bad_key("同一幂等键只能用于同一请求（方法、路径和请求体相同）")
            )
        if state == "in-flight":
            return await _reply(
                send,
                409,
                {"detail": "a request with this Idempotency-Key is still in progress; retry later"},
                retry=True,
            )
        if isinstance(state, tuple):
            return await _replay(send, state)
        await self._run(scope, messages, receive, send, pool, caller, text)

    async def _run(
        self,
        scope: Scope,
        messages: list[Any],
        receive: Any,
        send: Any,
        pool: Any,
        caller: str,
        key: str,
    ) -> None:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay, capture)
        finally:
            status = int(start.get("status", 500))
            async with pool.acquire() as conn:
                if 200 <= status < 300:
                    content_type = dict(start.get("headers", [])).get(b"content-type", b"")
                    await conn.execute(
                        "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5"
                        " WHERE caller = $1 AND key = $2",
                        caller,
                        key,
                        status,
                        content_type.decode("latin-1"),
                        b"".join(chunks),
                    )
                else:  # nothing was changed: the key is free for the retry
                    await conn.execute(
                        "DELETE FROM idempotency_keys WHERE caller = $1 AND key = $2", caller, key
                    )


def _bad_key(message: str) -> Refusal:
    return Refusal(422, "header idempotency-key", "idempotency key", message)


def _caller(scope: Scope) -> str | None:
    """Who sent it, from the verified token: keys are per caller, never shared."""
    from fastapi import HTTPException

    from ohts_kit.auth import verify_token

    auth = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        actor = verify_token(scope["app"].state.settings, token.strip())
    except HTTPException:
        return None
    return f"{actor.role.value}|{actor.subject}|{actor.region_code}|{actor.institution_id or ''}"


def _request_hash(scope: Scope, body: bytes) -> str:
    h = hashlib.sha256()
    for part in (
        scope["method"].encode(),
        scope.get("raw_path") or scope["path"].encode(),
        scope.get("query_string", b""),
        body,
    ):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


async def forget_expired(conn: Any, ttl: timedelta) -> int:
    deleted = await conn.execute(
        "DELETE FROM idempotency_keys WHERE created_at < $1", datetime.now(UTC) - ttl
    )
    return int(deleted.split()[-1])


async def _claim(pool: Any, caller: str, key: str, digest: str, ttl: timedelta) -> Any:
    """ "new" (this request runs), "mismatch", "in-flight", or the kept (status, type, body)."""
    now = datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        if random.random() < 0.01:  # forget keys past their time, now and then
            await forget_expired(conn, ttl)
        inserted = await conn.fetchval(
            "INSERT INTO idempotency_keys (caller, key, request_hash) VALUES ($1, $2, $3)"
            " ON CONFLICT (caller, key) DO NOTHING RETURNING true",
            caller,
            key,
            digest,
        )
        if inserted:
            return "new"
        row = await conn.fetchrow(
            "SELECT * FROM idempotency_keys WHERE caller = $1 AND key = $2 FOR UPDATE",
            caller,
            key,
        )
        if row is None:  # deleted between the two statements: a failed first attempt
            return "in-flight"
        if row["request_hash"] != digest:
            return "mismatch"
        if row["status"] is not None:
            return (row["status"], row["content_type"], row["body"])
        if row["created_at"] < now - timedelta(seconds=STALE_SECONDS):
            await conn.execute(
                "UPDATE idempotency_keys SET created_at = $3 WHERE caller = $1 AND key = $2",
                caller,
                key,
                now,
            )
            return "new"  # its first request died with its process
        return "in-flight"


async def _replay(send: Any, kept: tuple[int, str, bytes]) -> None:
    status, content_type, body = kept
    headers = [(b"idempotency-replayed", b"true")]
    if content_type:
        headers.append((b"content-type", content_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body or b""})


async def _reply(send: Any, status: int, payload: dict[str, Any], retry: bool = False) -> None:
    headers = [(b"content-type", b"application/json")]
    if retry:
        headers.append((b"retry-after", b"1"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})
