"""The open-data feed: a whole list as JSON, with a version a harvester can ask about.

The version is that of the read models (how many events they hold, and when the last one was
applied) at the moment's day: a list changes only when an event arrives or, for publicity
periods, when the day changes. So `ETag` and `Last-Modified` are exact without reading the
list itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from fastapi import Request

from ohts_kit.db import Conn
from ohts_kit.workdays import china_midnight
from services.reporting.adapters import downloads
from services.reporting.application.moment import Moment
from services.reporting.domain import disclosure as D


@dataclass(frozen=True)
class Version:
    etag: str
    last_modified: datetime

    def headers(self) -> dict[str, str]:
        return {
            "ETag": self.etag,
            "Last-Modified": format_datetime(self.last_modified, usegmt=True),
            "Cache-Control": "public, no-cache",
        }


async def version(conn: Conn, name: str, query: str, m: Moment) -> Version:
    row = await conn.fetchrow("SELECT count(*) AS n, max(applied_at) AS last FROM inbox")
    assert row is not None  # an aggregate always has its row
    day_start = china_midnight(m.day)
    last = max(row["last"] or day_start, day_start)
    if m.as_of is not None:
        last = min(last, m.at)
    last = last.astimezone(UTC).replace(microsecond=0)
    key = f"{name}|{query}|{m.day}|{m.as_of}|{row['n']}|{row['last']}"
    return Version(f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"', last)


def unchanged(request: Request, v: Version) -> bool:
    """If-None-Match decides when given (RFC 9110 13.1.3); else If-Modified-Since."""
    tags = request.headers.get("if-none-match")
    if tags is not None:
        given = {t.strip().removeprefix("W/") for t in tags.split(",")}
        return "*" in given or v.etag in given
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC says
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return v.last_modified <= when


async def json_items(name: str, m: Moment, items: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    head: dict[str, Any] = {
        "list": name,
        "title": downloads.TITLES[name],
        "as_of": m.day.isoformat(),
        "fields": dict(downloads.FIELDS[name]),
    }
    if name == "penalties":
        head["standard_codes"] = D.PENALTY_CODES
    yield json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "items": ['
    first = True
    async for item in items:
        yield (b"" if first else b",") + item.model_dump_json().encode()
        first = False
    yield b"]}"
