"""The staff console (工作台, issue 19): a presentation layer mounted by the reporting process
at `Settings.console_prefix`. It keeps its own accounts in its own schema and calls the
services' JSON APIs with the logged-in person's token; it never reads a service's tables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from ohts_kit.db import create_pool, migrate
from ohts_kit.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"


class Console:
    """The console's state in the app: its pool, once the process has started."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.schema = settings.schema_of("console")
        self._pool: asyncpg.Pool | None = None

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the console is not started")
        return self._pool

    async def start(self, _runtime: Any = None) -> Callable[[], Awaitable[None]]:
        await migrate(self.settings, self.schema, [MIGRATIONS])
        self._pool = await create_pool(self.settings, self.schema)
        return self.stop

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


def mount(app: FastAPI, settings: Settings) -> Console:
    """Add the console's pages to a service app; the caller starts `Console.start` with its
    runtime (ServiceSpec.on_start) so accounts are migrated before the first request."""
    from ohts.console import admin, router, session, web

    console = app.state.console = Console(settings)
    app.include_router(router.build_router(settings))
    app.include_router(admin.build_router(settings))
    for pages in _extensions():
        app.include_router(pages(settings))

    async def login_required(request: Request, exc: Exception) -> Response:
        why = getattr(exc, "why", "") or "ended"
        response = RedirectResponse(f"{settings.console_prefix}/login?why={why}", 303)
        session.clear_cookies(response, settings)
        return response

    async def bad_csrf(request: Request, _: Exception) -> Response:
        return web.page(request, "refused.html", status=403, error=_csrf_refusal())

    app.add_exception_handler(session.LoginRequired, login_required)
    app.add_exception_handler(session.BadCsrf, bad_csrf)
    return console


def _csrf_refusal() -> Any:
    from ohts.console.client import ApiError

    return ApiError(403, "表单已过期或来源不明，请返回后重新提交。")


def _extensions() -> list[Callable[[Settings], Any]]:
    """Routers of further console pages (the workflow pages), each `build_router(settings)`
    in a module of ohts/console/pages/; none is required."""
    import importlib
    import pkgutil

    folder = Path(__file__).parent / "pages"
    if not folder.is_dir():
        return []
    found = []
    for info in sorted(pkgutil.iter_modules([str(folder)]), key=lambda i: i.name):
        module = importlib.import_module(f"ohts.console.pages.{info.name}")
        if hasattr(module, "build_router"):
            found.append(module.build_router)
    return found
