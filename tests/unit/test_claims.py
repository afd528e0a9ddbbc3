"""Issue 18.1: a token's role and region are validated at the door; filters are prefixes of
real codes; `ohts token issue` mints nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi import HTTPException
from typer.testing import CliRunner

from contracts.envelope import Role
from ohts_kit import regions
from ohts_kit.auth import InvalidClaims, issue_token, verify_token
from ohts_kit.errors import InvalidCommand
from ohts_kit.settings import Settings
from services.registry.application.queries import _region_filter

KEY = "unit-test-signing-key-of-32-bytes!"
SETTINGS = Settings(jwt_keys=KEY)
# The claims the attack used (issue 18.1) and their neighbours: each signed with a valid key.
FORGED = [
    ("supervision-unit", ""),
    ("supervision-unit", "000000"),
    ("supervision-unit", "00"),
    ("supervision-unit", "%"),
    ("supervision-unit", "33%"),
    ("supervision-unit", "3"),
    ("supervision-unit", "339900"),  # six digits, not a region
    ("supervision-unit", "33000"),
    ("supervision-unit", " 330000"),
    ("supervision-unit", None),
    ("supervision-unit", 330000),
    ("system", "330000"),
    ("system", "000000"),
    ("root", "330000"),
    ("", "330000"),
    ("Registry-Authority", "330000"),
]


def forged(role: object, region: object) -> str:
    now = datetime.now(UTC)
    claims: dict[str, object] = {"sub": "x", "role": role, "iat": now}
    claims["exp"] = now + timedelta(minutes=5)
    if region is not None:
        claims["region"] = region
    return jwt.encode(claims, KEY, algorithm="HS256")


@pytest.mark.parametrize(("role", "region"), FORGED)
def test_a_signed_token_with_an_unknown_role_or_region_is_401(role: object, region: object) -> None:
    with pytest.raises(HTTPException) as refused:
        verify_token(SETTINGS, forged(role, region))
    assert refused.value.status_code == 401


@pytest.mark.parametrize("region", ["330000", "330100", "330106", "500000", "110101"])
def test_real_regions_of_every_level_pass(region: str) -> None:
    assert verify_token(SETTINGS, forged("qc-centre", region)).region_code == region


@pytest.mark.parametrize(
    ("role", "region"),
    [(Role.SUPERVISION_UNIT, ""), (Role.SUPERVISION_UNIT, "%"), (Role.SYSTEM, "330000")],
)
def test_issue_token_refuses_what_no_person_holds(role: Role, region: str) -> None:
    with pytest.raises(InvalidClaims):
        issue_token(SETTINGS, role=role, region_code=region)


@pytest.mark.parametrize(
    "args",
    [
        ["--role", "supervision-unit", "--region", ""],
        ["--role", "supervision-unit", "--region", "000000"],
        ["--role", "system", "--region", "330000"],
    ],
)
def test_cli_token_issue_refuses_unknown_roles_and_regions(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ohts.cli import app

    monkeypatch.setenv("OHTS_JWT_KEYS", KEY)
    result = CliRunner().invoke(app, ["token", "issue", *args])
    assert result.exit_code != 0
    assert "eyJ" not in result.output  # no token printed


def test_cli_token_issue_mints_a_real_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    from ohts.cli import app

    monkeypatch.setenv("OHTS_JWT_KEYS", KEY)
    result = CliRunner().invoke(
        app, ["token", "issue", "--role", "qc-centre", "--region", "330100"]
    )
    assert result.exit_code == 0, result.output
    assert verify_token(SETTINGS, result.output.strip()).region_code == "330100"


def test_jurisdiction_filters_are_prefixes_of_real_codes() -> None:
    assert [regions.like(c) for c in ("330000", "330100", "330106")] == ["33%", "3301%", "330106%"]
    # 重庆 500000 was filtered as "5%" (rstrip of zeros): Sichuan, Guizhou, Yunnan, Tibet.
    args: list[object] = []
    _region_filter("i.region_code", "500000", args)
    assert args == ["50%"]
    args = []
    _region_filter("i.region_code", "421000", args)  # 荆州市, not 421% (黄冈市 421100)
    assert args == ["4210%"]
    for bad in ("", "%", "000000", "00", "339900"):
        with pytest.raises(InvalidCommand):
            regions.like(bad)
