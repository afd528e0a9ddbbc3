"""Signed bearer tokens (HS256 JWT): role plus region code as jurisdiction.

The first configured key signs; every configured key verifies, so keys can be rotated
with two valid at once. The actor on every event comes from here, never from a body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from contracts.envelope import Actor, Role
from ohts_kit import regions
from ohts_kit.errors import Forbidden
from ohts_kit.settings import Settings

_bearer = HTTPBearer(auto_error=False)


def issue_token(
    settings: Settings,
    *,
    role: Role,
    region_code: str,
    subject: str | None = None,
    institution_id: str | None = None,
    ttl: timedelta | None = None,
) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": subject or f"{role.value}@{region_code}",
        "role": role.value,
        "region": region_code,
        "iat": now,
        "exp": now + (ttl or timedelta(minutes=settings.jwt_ttl_minutes)),
    }
    if institution_id:
        claims["inst"] = institution_id
    return jwt.encode(claims, settings.signing_keys()[0], algorithm="HS256")


def verify_token(settings: Settings, token: str) -> Actor:
    last: Exception | None = None
    for key in settings.signing_keys():
        try:
            claims = jwt.decode(
                token, key, algorithms=["HS256"], options={"require": ["exp", "sub", "role"]}
            )
            return Actor(
                subject=claims["sub"],
                role=Role(claims["role"]),
                region_code=claims["region"],
                institution_id=claims.get("inst"),
            )
        except jwt.ExpiredSignatureError as exc:
            raise HTTPException(401, "token expired") from exc
        except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
            last = exc
    raise HTTPException(401, f"invalid token: {last}")


def current_actor(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    if credentials is None:
        raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    settings: Settings = request.app.state.settings
    return verify_token(settings, credentials.credentials)


def require_roles(*roles: Role) -> Callable[[Actor], Actor]:
    allowed = set(roles)

    def dependency(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in allowed:
            raise HTTPException(
                403, f"role {actor.role.value} may not do this; allowed: {_names(allowed)}"
            )
        return actor

    return dependency


def check_jurisdiction(actor: Actor, region_code: str) -> None:
    """Forbidden (403) unless the region lies in the actor's jurisdiction."""
    if actor.role is not Role.SYSTEM and not regions.covers(actor.region_code, region_code):
        raise Forbidden(
            f"region {region_code} is outside the jurisdiction {actor.region_code} of this token"
        )


def _names(roles: Iterable[Role]) -> str:
    return ", ".join(sorted(r.value for r in roles))
