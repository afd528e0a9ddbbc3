"""The access matrix (docs/access_matrix.csv) as data, and how to observe one cell."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

from contracts.envelope import Role
from ohts_kit.settings import Settings
from tests.integration.helpers import Service, token

MATRIX = Path(__file__).resolve().parents[2] / "docs" / "access_matrix.csv"
ROLES = ("registry-authority", "qc-centre", "supervision-unit", "institution")
SERVICES = ("registry", "qc", "enforcement", "reporting")
OPERATIONS = {"/health", "/ready", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def load() -> dict[tuple[str, str, str], dict[str, str]]:
    with MATRIX.open(encoding="utf-8") as f:
        return {(r["service"], r["method"], r["path"]): r for r in csv.DictReader(f)}


def operations(svc: Service, service: str) -> list[tuple[str, str]]:
    """Every (method, path) the service's OpenAPI document lists, operations endpoints aside."""
    schema = svc.app.openapi()
    return sorted(
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in item
        if path not in OPERATIONS
    )


async def observe(
    svc: Service, settings: Settings, method: str, path: str, role: str | None, region: str
) -> int:
    """The status of a call with a placeholder body: 401/403 come from authorisation, which
    runs before the body is validated; anything else means the caller was let through."""
    concrete = re.sub(r"\{[^}]+\}", "x", path)
    headers: dict[str, str] = {}
    if role is not None:
        headers = token(settings, Role(role), region, "x" if role == "institution" else None)
    kwargs: dict[str, Any] = {"headers": headers}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {}
    response = await svc.http.request(method, concrete, **kwargs)
    return response.status_code


def verdict(status: int) -> str:
    return {401: "401", 403: "403"}.get(status, "ok")
