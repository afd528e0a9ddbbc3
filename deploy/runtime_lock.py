"""Print requirements-runtime.lock: the pins of requirements.lock that the services need at run
time, i.e. pyproject's [project.dependencies] and what they require, without the `dev` and
`embedded` extras (tests, linters, Playwright, schemathesis, the embedded PostgreSQL and
broker wheels). The production image installs only this (deploy/Dockerfile).

    .venv/bin/python deploy/runtime_lock.py > requirements-runtime.lock

The dependency graph is read from the installed distributions' metadata (the lock pins the
versions); tests/unit/test_deployment.py fails when the file is stale.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "# Runtime dependencies only (no dev or embedded extras): what deploy/Dockerfile installs.\n"
    "# Generated from requirements.lock by: python deploy/runtime_lock.py\n"
)


def locked(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.split(";")[0].strip()
    return pins


def _applies(req: Requirement, extras: set[str]) -> bool:
    if req.marker is None:
        return True
    return any(req.marker.evaluate({"extra": e}) for e in extras | {""})


def runtime_closure(pins: dict[str, str]) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    todo = [Requirement(r) for r in project["dependencies"]]
    done: set[tuple[str, frozenset[str]]] = set()
    out: dict[str, str] = {}
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if not _applies(req, set()) or (name, frozenset(req.extras)) in done:
            continue
        done.add((name, frozenset(req.extras)))
        if name not in pins:
            raise SystemExit(f"{name} is required at run time but not pinned in requirements.lock")
        out[name] = pins[name]
        for spec in metadata.requires(name) or []:
            dep = Requirement(spec)
            if _applies(dep, set(req.extras)):
                todo.append(dep)
    return dict(sorted(out.items()))


def render() -> str:
    pins = locked((ROOT / "requirements.lock").read_text())
    return HEADER + "".join(f"{n}=={v}\n" for n, v in runtime_closure(pins).items())


if __name__ == "__main__":
    sys.stdout.write(render())
