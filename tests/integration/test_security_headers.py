"""Issue 18.7: security headers on every response of every service (pages, JSON, errors,
the kit's own refusals), the rate limit on the HTML search, Secure cookies over HTTPS."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from contracts.envelope import Role
from ohts_kit.settings import Settings
from tests.integration.helpers import running, token

SERVICES = ("registry", "qc", "enforcement", "reporting")


def _app(service: str) -> Any:
    return importlib.import_module(f"services.{service}.bootstrap").create_app


def _assert_secured(response: Any, page: bool) -> None:
    h = response.headers
    assert h["x-content-type-options"] == "nosniff", response.url
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY"
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    if page:
        assert "script-src 'none'" in csp and "unsafe-inline" not in csp
    else:
        assert csp.startswith("default-src 'none'")


@pytest.mark.parametrize("service", SERVICES)
async def test_every_kind_of_answer_carries_the_security_headers(
    settings: Settings, service: str
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 100})
    async with running(_app(service), small) as svc:
        answers = [
            await svc.http.get("/health"),  # 200 JSON
            await svc.http.get("/openapi.json"),
            await svc.http.get("/no-such-path"),  # 404
            await svc.http.get("/health?q=%FF"),  # the input guard's 400
            await svc.http.post("/api/v1/x", content=b"x" * 200),  # the body limit's 413
            await svc.http.get(
                "/api/v1/scope-codes", headers=token(small, Role.QC_CENTRE, "330000")
            ),
        ]
        for response in answers:
            _assert_secured(response, page=False)
        assert {r.status_code for r in answers} >= {200, 404, 400, 413}


async def test_portal_pages_forbid_scripts_and_the_html_search_is_rate_limited(
    settings: Settings,
) -> None:
    limited = settings.model_copy(
        update={"public_rate_limit_per_second": 1.0, "public_rate_limit_burst": 5}
    )
    async with running(_app("reporting"), limited) as svc:
        page = await svc.http.get("/?q=杭州")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        _assert_secured(page, page=True)
        assert "<script" not in page.text  # the CSP allows none: the portal needs none
        # `/?q=` x 300 answered 300 x 200; now the search page shares the public budget.
        statuses = [(await svc.http.get("/?q=x")).status_code for _ in range(30)]
        assert statuses.count(429) >= 20 and 200 in statuses
        _assert_secured(await svc.http.get("/?q=y"), page=False)  # the 429 (JSON) too
        logins = [
            (await svc.http.post("/supervision/login", data={"token": "x"})).status_code
            for _ in range(10)
        ]
        assert 429 in logins


@pytest.mark.parametrize("https", [False, True])
async def test_the_login_cookie_is_secure_when_served_over_https(
    settings: Settings, https: bool
) -> None:
    configured = settings.model_copy(update={"https": https})
    async with running(_app("reporting"), configured) as svc:
        bearer = token(configured, Role.SUPERVISION_UNIT, "330100")["Authorization"][7:]
        r = await svc.http.post("/supervision/login", data={"token": bearer})
        assert r.status_code == 303, r.text
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert ("Secure" in cookie) is https
        assert ("strict-transport-security" in r.headers) is https
