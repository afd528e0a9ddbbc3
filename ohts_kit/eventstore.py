"""The event store: append with an expected version, read a stream, read the global log.

Appends must be the first write of their transaction: the relay orders by transaction id,
which is assigned at a transaction's first write, so an append that came after another
write could overtake an earlier version of the same stream (see README, "Relay order").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from contracts.envelope import Actor, Envelope, EventPayload, decode_payload
from ohts_kit.db import Conn
from ohts_kit.errors import ConcurrencyConflict
from ohts_kit.ids import uuid7


@dataclass(frozen=True)
class Metadata:
    """Per-command context stamped on every event the command produces."""

    actor: Actor
    correlation_id: str
    causation_id: str | None = None


@dataclass(frozen=True)
class NewEvent:
    payload: EventPayload
    institution_id: str
    region_code: str
    occurred_at: datetime


@dataclass(frozen=True)
class StoredEvent:
    position: int
    envelope: Envelope

    @property
    def payload(self) -> EventPayload:
        env = self.envelope
        return decode_payload(env.event_type, env.schema_version, env.payload)


# Appends made in this context (task): a consumer learns whether a handler appended without
# asking the database.
_APPENDS: ContextVar[int] = ContextVar("ohts_appends", default=0)


def appends_so_far() -> int:
    return _APPENDS.get()


class AppendOrderError(RuntimeError):
    """An append was not the first write of its transaction."""


_COLUMNS = (
    "position, event_id, aggregate_type, aggregate_id, aggregate_version, event_type,"
    " schema_version, institution_id, region_code, occurred_at, recorded_at, correlation_id,"
    " causation_id, actor, payload"
)


def row_to_envelope(row: asyncpg.Record, producer: str) -> Envelope:
    return Envelope(
        event_id=row["event_id"],
        event_type=row["event_type"],
        schema_version=row["schema_version"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        producer=producer,
        aggregate_type=row["aggregate_type"],
        aggregate_id=row["aggregate_id"],
        aggregate_version=row["aggregate_version"],
        institution_id=row["institution_id"],
        region_code=row["region_code"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        actor=Actor.model_validate_json(row["actor"]),
        payload=json.loads(row["payload"]),
    )


def stream_beside(facts: str) -> str:
    """One statement for a command's reads: `facts` (a SELECT of one row; its parameters
    from $3 on) and, beside it on every row, the stream of aggregate type $1, id $2 in
    version order; a stream without events gives one row with the facts alone."""
    return (
        f"WITH f AS ({facts}) SELECT f.*, e.* FROM f LEFT JOIN LATERAL"
        f" (SELECT {_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2) e"
        " ON true ORDER BY e.aggregate_version"
    )


def stored_events(rows: Sequence[asyncpg.Record], producer: str) -> list[StoredEvent]:
    """The stream's events out of `stream_beside` rows."""
    return [
        StoredEvent(r["position"], row_to_envelope(r, producer))
        for r in rows
        if r["position"] is not None
    ]


async def _why_not_appended(
    conn: Conn, aggregate_type: str, aggregate_id: str, version: int
) -> None:
    """Raise the reason an append wrote nothing (rare: looked up only then)."""
    ours = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM events WHERE tx_id = pg_current_xact_id_if_assigned())"
    )
    if ours:  # a later append of a multi-append transaction, overtaken on its stream
        raise ConcurrencyConflict(f"{aggregate_type}-{aggregate_id}", version)
    raise AppendOrderError("append must be the first write of its transaction")


# A consumer run's later appends, all streams in one statement (ohts_kit.deferred). The
# run's first append made the transaction's first write, so only the overtaking check is
# left: no newer transaction wrote the stream since. A row it filters out is missing from
# the count, and the run is applied again one event at a time.
APPEND_ROWS = (
    "INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version,"
    " event_type, schema_version, institution_id, region_code, occurred_at, recorded_at,"
    " correlation_id, causation_id, actor, payload)"
    " SELECT u.event_id, u.aggregate_type, u.aggregate_id, u.aggregate_version, u.event_type,"
    " u.schema_version, u.institution_id, u.region_code, u.occurred_at, u.recorded_at,"
    " u.correlation_id, u.causation_id, u.actor::jsonb, u.payload::jsonb"
    " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[],"
    " $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[],"
    " $13::text[], $14::text[]) WITH ORDINALITY AS u(event_id, aggregate_type, aggregate_id,"
    " aggregate_version, event_type, schema_version, institution_id, region_code, occurred_at,"
    " recorded_at, correlation_id, causation_id, actor, payload, n)"
)
APPEND_MANY = (
    APPEND_ROWS
    + " WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.aggregate_type = u.aggregate_type"
    " AND e.aggregate_id = u.aggregate_id AND e.tx_id > pg_current_xact_id())"
    " ORDER BY u.n"
)


def _utc(moment: datetime) -> datetime:
    """As PostgreSQL gives a timestamptz back: in UTC (asyncpg sends a naive datetime as the
    machine's local time, and so does `astimezone`)."""
    return moment.astimezone(UTC)


class EventStore:
    def __init__(self, producer: str) -> None:
        self.producer = producer

    async def load(self, conn: Conn, aggregate_type: str, aggregate_id: str) -> list[StoredEvent]:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE aggregate_type = $1 AND aggregate_id = $2"
            " ORDER BY aggregate_version",
            aggregate_type,
            aggregate_id,
        )
        return [StoredEvent(r["position"], row_to_envelope(r, self.producer)) for r in rows]

    async def append(
        self,
        conn: Conn,
        aggregate_type: str,
        aggregate_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        meta: Metadata,
    ) -> list[Envelope]:
        """Append in the caller's transaction; raises ConcurrencyConflict on a version clash."""
        if not events:
            return []
        ids = [uuid7() for _ in events]
        actor = meta.actor.model_dump_json()
        # A one-statement command's connection takes the rows for its closing statement.
        one = getattr(conn, "one_statement", None)
        if one is not None:
            _APPENDS.set(_APPENDS.get() + 1)
            return self._waiting(
                one(), ids, aggregate_type, aggregate_id, expected_version, events, meta, actor
            )
        if not conn.is_in_transaction():
            raise AppendOrderError("append needs an open transaction")
        # A consumer run's connection may let the append wait for the run's end.
        later = getattr(conn, "waiting_appends", lambda: None)()
        if later is not None:
            _APPENDS.set(_APPENDS.get() + 1)
            return self._waiting(
                later, ids, aggregate_type, aggregate_id, expected_version, events, meta, actor
            )
        # A consumer run's connection lets its waiting inserts wait (ohts_kit.deferred).
        fetch = getattr(conn, "fetch_from_events", conn.fetch)
        try:
            rows = await fetch(
                "INSERT INTO events (event_id, aggregate_type, aggregate_id, aggregate_version,"
                " event_type, schema_version, institution_id, region_code, occurred_at,"
                " correlation_id, causation_id, actor, payload)"
                " SELECT u.event_id, $2, $3, $4 + u.n, u.event_type, u.schema_version,"
                " u.institution_id, u.region_code, u.occurred_at, $5, $6, $7::jsonb,"
                " u.payload::jsonb"
                " FROM unnest($1::uuid[], $8::text[], $9::int[], $10::text[], $11::text[],"
                " $12::timestamptz[], $13::text[]) WITH ORDINALITY AS"
                " u(event_id, event_type, schema_version, institution_id, region_code,"
                " occurred_at, payload, n)"
                # The first-write check rides along (evaluated once, before the first row is
                # written): no transaction id yet, or one this transaction got from events
                # and no newer transaction wrote this stream since (README, "Several appends
                # in one transaction": the relay orders by transaction id).
                " WHERE (SELECT CASE WHEN x IS NULL THEN true"
                " ELSE EXISTS (SELECT 1 FROM events WHERE tx_id = x) AND NOT EXISTS"
                " (SELECT 1 FROM events WHERE aggregate_type = $2 AND aggregate_id = $3"
                " AND tx_id > x) END FROM (SELECT pg_current_xact_id_if_assigned() AS x) s)"
                f" ORDER BY u.n RETURNING {_COLUMNS}",
                ids,
                aggregate_type,
                aggregate_id,
                expected_version,
                meta.correlation_id,
                meta.causation_id,
                actor,
                [e.payload.event_type for e in events],
                [e.payload.schema_version for e in events],
                [e.institution_id for e in events],
                [e.region_code for e in events],
                [e.occurred_at for e in events],
                [e.payload.model_dump_json() for e in events],
            )
        except asyncpg.UniqueViolationError as exc:
            raise ConcurrencyConflict(f"{aggregate_type}-{aggregate_id}", expected_version) from exc
        if not rows:
            await _why_not_appended(conn, aggregate_type, aggregate_id, expected_version)
        _APPENDS.set(_APPENDS.get() + 1)
        return [
            row_to_envelope(r, self.producer) for r in sorted(rows, key=lambda r: r["position"])
        ]

    def _waiting(
        self,
        later: Any,
        ids: list[Any],
        aggregate_type: str,
        aggregate_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        meta: Metadata,
        actor: str,
    ) -> list[Envelope]:
        """An append that waits for the run's flush: its envelopes are built here, as the
        statement would return them (the ids, versions and recording time are known)."""
        recorded_at = later.recorded_now()
        envelopes, rows = [], []
        for n, (event_id, e) in enumerate(zip(ids, events, strict=True), start=1):
            payload = e.payload.model_dump_json()
            occurred_at = _utc(e.occurred_at)
            envelope = Envelope(
                event_id=event_id,
                event_type=e.payload.event_type,
                schema_version=e.payload.schema_version,
                occurred_at=occurred_at,
                recorded_at=recorded_at,
                producer=self.producer,
                aggregate_type=aggregate_type,
                aggregate_id=aggregate_id,
                aggregate_version=expected_version + n,
                institution_id=e.institution_id,
                region_code=e.region_code,
                correlation_id=meta.correlation_id,
                causation_id=meta.causation_id,
                actor=meta.actor,
                payload=json.loads(payload),
            )
            envelopes.append(envelope)
            rows.append(
                (
                    event_id,
                    aggregate_type,
                    aggregate_id,
                    envelope.aggregate_version,
                    envelope.event_type,
                    envelope.schema_version,
                    e.institution_id,
                    e.region_code,
                    occurred_at,
                    recorded_at,
                    meta.correlation_id,
                    meta.causation_id,
                    actor,
                    payload,
                )
            )
        later.add(APPEND_MANY, rows)
        return envelopes

    async def read_log(
        self, conn: Conn, after_position: int = 0, limit: int = 1000
    ) -> list[StoredEvent]:
        """The global log in position order (for rebuilds and audits)."""
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2",
            after_position,
            limit,
        )
        return [StoredEvent(r["position"], row_to_envelope(r, self.producer)) for r in rows]
