"""CPU per process under the bench's propagation load, for comparing two versions of the
code on the same machine back to back (bench/RESULTS.md, issue 22):

    .venv/bin/python -m bench.cpu_window            # the county dataset, then the windows
    PROFILE=enforcement,qc .venv/bin/python -m bench.cpu_window   # also py-spy, 10 s each

First 8 s idle (what the system costs doing nothing: fetch polls, heartbeats, relay polls);
then the feeder writes at 1,000 events/s for 8 s until everything is applied, then 4,000
penalty events as fast as one writer can. Each window prints the CPU seconds every process
used (from /proc/<pid>/stat): the services', PostgreSQL's, the broker's and this process's.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import system_figures as sf
from ohts.launcher import System
from ohts.national import SCALES

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # ended meanwhile
        total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return total


def processes(system: System) -> dict[str, list[int]]:
    out = {name: sf.process_tree(p.pid) for name, p in system.processes.items()}
    for name, server in (("postgres", system.postgres), ("broker", system.broker)):
        if server is not None and server.process is not None:
            out[name] = sf.process_tree(server.process.pid)
    out["feeder (this process)"] = [os.getpid()]
    return out


async def window(system: System, label: str, work: Callable[[], Awaitable[Any]]) -> None:
    tree = processes(system)
    before = {name: cpu_seconds(pids) for name, pids in tree.items()}
    started = time.monotonic()
    result = await work()
    wall = time.monotonic() - started
    used = {name: cpu_seconds(pids) - before[name] for name, pids in tree.items()}
    print(f"\n{label}: {wall:.1f} s wall, {sum(used.values()):.1f} s CPU; {result}")
    for name, seconds in sorted(used.items(), key=lambda kv: -kv[1]):
        print(f"  {name:24} {seconds:6.2f} s")


def spies(system: System, names: list[str], out: Path) -> list[subprocess.Popen[bytes]]:
    spy = shutil.which("py-spy")
    if spy is None or not names:
        return []
    print(f"py-spy profiles in {out}")
    record = [spy, "record", "-d", "10", "-r", "100", "-f", "raw", "--subprocesses"]
    return [
        subprocess.Popen(
            [*record, "-o", str(out / f"{name}.raw"), "-p", str(system.processes[name].pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in names
    ]


async def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="cpu-window-"))
    system = await asyncio.to_thread(sf.start, work, dict(os.environ))
    try:
        await sf.load_dataset(system, SCALES["county"])
        await sf.wait_quiet(system, seconds=3)

        async def paced() -> dict[str, tuple[int, int]]:
            hops = await sf.ours_at(system, 1000, 8)
            return {hop: (round(lat.p50), round(lat.p99)) for hop, lat in hops.items()}

        async def idle() -> str:
            await asyncio.sleep(8)
            return "nothing written (what waiting costs: polls, heartbeats, fetches)"

        await window(system, "idle for 8 s", idle)
        named = os.environ.get("PROFILE", "").split(",")
        profiling = spies(system, [n for n in named if n in system.processes], work)
        await window(system, "1,000 events/s for 8 s (p50, p99 ms per hop)", paced)
        for spy in profiling:
            spy.wait()
        await sf.wait_quiet(system, seconds=3)

        async def saturated() -> str:
            return f"{await sf.ours_saturated(system, 4000):.0f} events/s"

        await window(system, "saturated, 4,000 events", saturated)
    finally:
        system.stop()


if __name__ == "__main__":
    asyncio.run(main())
