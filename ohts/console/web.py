"""The console's templates, static files and page helpers (one layout for every page)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ohts.console import navigation
from ohts.console.accounts import ROLE_NAMES
from ohts.console.session import Staff, set_cookies
from ohts_kit import regions
from services.reporting.domain import labels

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=str(HERE / "templates"))


def chinese_date(value: Any) -> str:
    """2026年3月2日, from a date, a datetime or an ISO string (anything else as it is)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime | date):
        return f"{value.year}年{value.month}月{value.day}日"
    return "" if value is None else str(value)


templates.env.filters["cndate"] = chinese_date
templates.env.globals["labels"] = labels
templates.env.globals["role_names"] = ROLE_NAMES
templates.env.globals["region_name"] = regions.name_of


def prefix(request: Request) -> str:
    return str(request.app.state.settings.console_prefix)


def page(
    request: Request,
    name: str,
    staff: Staff | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A console page in the shared layout; with a session, its token cookie is renewed."""
    base = prefix(request)
    nav = (
        [(label, base + path) for label, path in navigation.entries(staff.account)] if staff else []
    )
    response = templates.TemplateResponse(
        request,
        name,
        {"p": base, "staff": staff, "nav": nav, **context},
        status_code=status,
    )
    if staff is not None:
        set_cookies(response, request.app.state.settings, staff.token, None)
    return response
