"""Open-loop HTTP load from a second process: `python -m bench.load BASE RATE SECONDS < PATHS`
(one path per line on stdin).

Requests leave on a fixed schedule (RATE per second, paths taken in turn) whether or not the
earlier ones have answered, so a slow server shows up as latency, not as a lower rate; each
latency counts from the request's scheduled time. The client is a few lines of HTTP/1.1 over
keep-alive asyncio streams: a general client (httpx) spends more CPU per request than the
server under test, and on a small machine the figure would then measure the client.
Prints one JSON object: per path kind, count, errors and latency percentiles in ms.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import quote, urlsplit


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def get(self, host: str, path: str) -> int:
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status


class Pool:
    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.idle: list[Connection] = []

    async def get(self, path: str) -> int:
        if self.idle:
            conn = self.idle.pop()
            try:
                return await self._send(conn, path)
            except (OSError, asyncio.IncompleteReadError):
                # The server closed a keep-alive connection that sat idle past its timeout;
                # like any HTTP client, send the GET again on a new one.
                conn.writer.close()
        return await self._send(
            Connection(*await asyncio.open_connection(self.host, self.port)), path
        )

    async def _send(self, conn: Connection, path: str) -> int:
        status = await conn.get(f"{self.host}:{self.port}", path)
        self.idle.append(conn)  # only a connection that answered in full is reused
        return status


async def run(base: str, rate: float, seconds: float, paths: list[str]) -> dict[str, object]:
    latencies: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    why: dict[str, int] = {}  # what the errors were: a status code or an exception
    pool = Pool(base)
    quoted = [quote(p, safe="/?=&") for p in paths]

    async def one(path: str, due: float) -> None:
        kind = path.split("?")[0].rsplit("/", 1)[0] or path
        try:
            status = str(await pool.get(path))
        except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
            status = type(exc).__name__
        if status == "200":
            latencies.setdefault(kind, []).append((time.perf_counter() - due) * 1000)
        else:
            errors[kind] = errors.get(kind, 0) + 1
            why[status] = why.get(status, 0) + 1

    for path in quoted[:20]:  # warm a connection and the server's caches, not measured
        await pool.get(path)
    total = int(rate * seconds)
    start = time.perf_counter()
    tasks = []
    for i in range(total):
        due = start + i / rate
        if (delay := due - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(quoted[i % len(quoted)], due)))
    await asyncio.gather(*tasks)
    achieved = total / (time.perf_counter() - start)
    return {
        "rate": achieved,
        "connections": len(pool.idle),
        "kinds": {
            kind: {
                "count": len(values),
                "errors": errors.get(kind, 0),
                "p50": percentile(values, 50),
                "p99": percentile(values, 99),
            }
            for kind, values in latencies.items()
        },
        "errors": sum(errors.values()),
        "why": why,
    }


def main() -> None:
    base, rate, seconds = sys.argv[1:4]
    paths = [line for line in sys.stdin.read().splitlines() if line]
    print(json.dumps(asyncio.run(run(base, float(rate), float(seconds), paths))))


if __name__ == "__main__":
    main()
