"""Security headers on every response of every service (issue 18.7), in one middleware.

Pages get a Content-Security-Policy that allows no script at all (the portal has none) and
nothing from another origin (the intranet has no CDN); JSON and every other response get
the strictest policy. All responses: nosniff, no framing (frame-ancestors and the older
X-Frame-Options), no referrer. When the site is served over HTTPS (`OHTS_HTTPS=true`,
e.g. behind a TLS proxy), cookies are marked `Secure` and HSTS is sent.
"""

from __future__ import annotations

from typing import Any

Scope = dict[str, Any]

# Pages: styles from served files only (the portal keeps its CSS in /static), no script.
PAGE_CSP = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:;"
    " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# FastAPI's /docs and /redoc pages run an inline script and load Swagger UI / ReDoc from a
# CDN; they are developer tools, not part of the portal.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net;"
    " style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:;"
    " worker-src blob:; frame-ancestors 'none'"
)
DOCS = ("/docs", "/redoc")
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def security_headers(
    path: str, headers: list[tuple[bytes, bytes]], https: bool
) -> list[tuple[bytes, bytes]]:
    """The response's headers with ours set (replacing any of the same name)."""
    ours = {name for name, _ in COMMON} | {b"content-security-policy"}
    kept = [(n, v) for n, v in headers if n.lower() not in ours]
    content_type = dict((n.lower(), v) for n, v in headers).get(b"content-type", b"")
    if path.startswith(DOCS):
        csp = DOCS_CSP
    elif content_type.startswith(b"text/html"):
        csp = PAGE_CSP
    else:
        csp = API_CSP
    kept += [*COMMON, (b"content-security-policy", csp.encode())]
    if https:
        kept = [(n, _secure(v) if n.lower() == b"set-cookie" else v) for n, v in kept]
        kept.append((b"strict-transport-security", b"max-age=31536000"))
    return kept


def _secure(cookie: bytes) -> bytes:
    attributes = [a.strip().lower() for a in cookie.split(b";")]
    return cookie if b"secure" in attributes else cookie + b"; Secure"


class SecurityHeaders:
    def __init__(self, app: Any, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = security_headers(path, list(message.get("headers", [])), self.https)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
