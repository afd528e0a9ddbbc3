"""The HTTP shell every service shares: health, readiness, errors, correlation ids."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import asyncpg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from contracts.envelope import Actor
from ohts_kit import metrics, problems
from ohts_kit.errors import Conflict, Forbidden, InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.logging import get_logger

log = get_logger(__name__)

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


def _field_of(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def create_http_app(
    *,
    service: str,
    title: str,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]],
    readiness: Callable[[FastAPI], Awaitable[dict[str, bool]]],
) -> FastAPI:
    # /docs and /redoc from the Swagger UI and ReDoc files fastapi-offline packages: the
    # intranets have no CDN (issue 19.5).
    app = FastAPIOffline(title=title, version="1.0", lifespan=lifespan)
    _document_errors(app)

    @app.middleware("http")
    async def correlation(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        correlation_id = request.headers.get("x-correlation-id") or str(uuid.uuid4())
        request.state.correlation_id = correlation_id
        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(
            correlation_id=correlation_id, service=service
        ):
            response = await call_next(request)
            # Commands and failures at info; public reads at debug (they are the hot path).
            level = "info" if request.method != "GET" or response.status_code >= 400 else "debug"
            await log.alog(
                logging.getLevelName(level.upper()),
                "http.request",
                method=request.method,
                path=request.url.path,
                status=response.status_code,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
        metrics.observe_http(service, request, response.status_code, time.perf_counter() - started)
        response.headers["x-correlation-id"] = correlation_id
        return response

    _install_error_handlers(app)

    @app.get("/health", tags=["operations"])
    async def health() -> dict[str, Any]:
        return {"service": service, "status": "up"}

    @app.get("/ready", tags=["operations"])
    async def ready() -> JSONResponse:
        checks = await readiness(app)
        ok = all(checks.values())
        return JSONResponse(
            {"service": service, "ready": ok, "checks": checks}, status_code=200 if ok else 503
        )

    return app


def _install_error_handlers(app: FastAPI) -> None:
    """Every error the shell answers: a stable code, the field and a Chinese message
    (ohts_kit/problems.py), besides the older `detail` and English messages."""
    _install_refusals(app)
    _install_failures(app)


def _install_refusals(app: FastAPI) -> None:
    """The domain's refusals and invalid requests: 422, 409, 403, 404."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            problems.violation(_field_of(tuple(e["loc"])), e["type"], e["msg"])
            for e in exc.errors()
        ]
        return JSONResponse(problems.body(422, "invalid input", errors=errors), status_code=422)

    @app.exception_handler(InvalidCommand)
    async def invalid_command(_: Request, exc: InvalidCommand) -> JSONResponse:
        errors = [problems.violation(v.field, v.rule, v.message) for v in exc.violations]
        return JSONResponse(problems.body(422, "invalid input", errors=errors), status_code=422)

    @app.exception_handler(Conflict)
    async def conflict(_: Request, exc: Conflict) -> JSONResponse:
        answer = problems.body(409, exc.message, rule=exc.rule, **exc.details)
        answer["code"] = f"conflict.{problems.code_of(exc.rule)}"
        if problems.chinese(exc.message, exc.rule) == exc.message:
            answer["message"] = exc.message  # the domain's own Chinese words
        return JSONResponse(answer, status_code=409)

    @app.exception_handler(Forbidden)
    async def forbidden(_: Request, exc: Forbidden) -> JSONResponse:
        return JSONResponse(problems.body(403, str(exc)), status_code=403)

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(problems.body(404, str(exc)), status_code=404)


def _install_failures(app: FastAPI) -> None:
    """What the transport and the database say: 401/404/405, unstorable input, timeouts."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # 401 from ohts_kit/auth.py, 404 of an unknown path, 405: the same shape, headers kept.
        return JSONResponse(
            problems.body(exc.status_code, exc.detail),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(asyncpg.DataError)
    @app.exception_handler(OverflowError)
    async def unstorable(_: Request, exc: Exception) -> JSONResponse:
        # The last net behind ohts_kit.guard and the commands' validation: a value PostgreSQL
        # or date arithmetic cannot hold is the caller's input, never a 500. Logged so the
        # gap in validation is found and closed with a named field.
        log.warning("http.unstorable_input", error=repr(exc)[:300])
        errors = [
            problems.violation(
                "input", "value range", "输入值超出可存储或可计算的范围；未做任何更改"
            )
        ]
        return JSONResponse(problems.body(422, "invalid input", errors=errors), status_code=422)

    @app.exception_handler(TimeoutError)
    async def timed_out(_: Request, exc: TimeoutError) -> JSONResponse:
        # asyncpg's command timeout (OHTS_DB_COMMAND_TIMEOUT_SECONDS): the transaction was
        # rolled back; nothing changed, the client may retry.
        log.warning("http.timeout", error=repr(exc))
        return JSONResponse(
            problems.body(503, "the database did not answer in time; nothing was changed"),
            status_code=503,
            headers={"Retry-After": "1"},
        )


ERROR_SCHEMA: dict[str, Any] = {
    "title": "InvalidInput",
    "type": "object",
    "required": ["detail", "code", "message", "errors"],
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "stable: invalid_input"},
        "message": {"type": "string", "description": "Chinese, for people"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "rule", "message", "code", "message_zh"],
                "properties": {
                    "field": {"type": "string"},
                    "rule": {"type": "string"},
                    "message": {"type": "string"},
                    "code": {"type": "string", "description": "stable code of the rule"},
                    "message_zh": {"type": "string", "description": "Chinese, for people"},
                },
            },
        },
    },
}


def _document_errors(app: FastAPI) -> None:
    """The OpenAPI document shows our 422 body (field, rule, message), not FastAPI's."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = ERROR_SCHEMA
                schemas.pop("ValidationError", None)
            _document_idempotency(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


IDEMPOTENCY_HEADER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "a retry with the same key and request gets the first answer, without a"
    " second effect (kept 48 h, per caller); the same key with another request is 422",
    "schema": {"type": "string", "pattern": "^[\\x21-\\x7e]{1,200}$", "maxLength": 200},
}


def _document_idempotency(schema: dict[str, Any]) -> None:
    """Every command operation lists the Idempotency-Key header (ohts_kit/idempotency.py)."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method in ("post", "put", "patch", "delete"):
                operation.setdefault("parameters", []).append(IDEMPOTENCY_HEADER)


def command_metadata(request: Request, actor: Actor) -> Metadata:
    """The context stamped on the events of one HTTP command."""
    return Metadata(actor=actor, correlation_id=request.state.correlation_id)
