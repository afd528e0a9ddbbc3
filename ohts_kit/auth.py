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

# The roles a person's token may carry. `system` is the internal actor of scheduled jobs,
# which never come through HTTP: no token with it is minted or accepted.
USER_ROLES = frozenset(r for r in Role if r is not Role.SYSTEM)


class InvalidClaims(ValueError):
    """A token names a role or region no person can hold."""


def claims_problem(role: str, region_code: object) -> str | None:
    """Why (role, region) cannot be a person's claims, or None: a known user role and a
    real GB/T 2260 code (province, prefecture or county) from the region data."""
    if role not in {r.value for r in USER_ROLES}:
        return f"unknown role {role!r}; one of: {_names(USER_ROLES)}"
    if not isinstance(region_code, str) or not regions.is_valid(region_code):
        return f"unknown region {region_code!r}; a GB/T 2260 region code is required"
    return None


def issue_token(
    settings: Settings,
    *,
    role: Role,
    region_code: str,
    subject: str | None = None,
    institution_id: str | None = None,
    ttl: timedelta | None = None,
) -> str:
    if problem := claims_problem(Role(role).value, region_code):
        raise InvalidClaims(problem)
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
            if problem := claims_problem(str(claims["role"]), claims.get("region")):
                raise HTTPException(401, f"invalid token: {problem}")
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
    """Forbidden (403) unless the region lies in the actor's jurisdiction. The internal
    scheduler actor (role system, never from a token) acts everywhere."""
    if actor.role is not Role.SYSTEM and not regions.covers(actor.region_code, region_code):
        raise Forbidden(
            f"region {region_code} is outside the jurisdiction {actor.region_code} of this token"
        )


def _names(roles: Iterable[Role]) -> str:
    return ", ".join(sorted(r.value for r in roles))
