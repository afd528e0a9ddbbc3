from datetime import timedelta

import pytest
from fastapi import HTTPException

from contracts.envelope import Role
from ohts_kit.auth import check_jurisdiction, issue_token, verify_token
from ohts_kit.errors import Forbidden
from ohts_kit.settings import Settings


def test_token_round_trip_carries_role_and_jurisdiction() -> None:
    settings = Settings(jwt_keys="unit-test-signing-key-of-32-bytes!")
    token = issue_token(settings, role=Role.QC_CENTRE, region_code="330000", subject="qc-zj")
    actor = verify_token(settings, token)
    assert (actor.subject, actor.role, actor.region_code) == ("qc-zj", Role.QC_CENTRE, "330000")


def test_rotation_accepts_old_key_while_listed_and_rejects_after() -> None:
    old = issue_token(
        Settings(jwt_keys="old-key-of-at-least-32-bytes-long!"),
        role=Role.INSTITUTION,
        region_code="330106",
    )
    assert (
        verify_token(
            Settings(
                jwt_keys="new-key-of-at-least-32-bytes-long!,old-key-of-at-least-32-bytes-long!"
            ),
            old,
        ).role
        is Role.INSTITUTION
    )
    with pytest.raises(HTTPException) as refused:
        verify_token(Settings(jwt_keys="new-key-of-at-least-32-bytes-long!"), old)
    assert refused.value.status_code == 401


def test_expired_tokens_are_refused() -> None:
    settings = Settings(jwt_keys="unit-test-signing-key-of-32-bytes!")
    token = issue_token(
        settings, role=Role.SUPERVISION_UNIT, region_code="330100", ttl=timedelta(seconds=-1)
    )
    with pytest.raises(HTTPException, match="expired"):
        verify_token(settings, token)


def test_production_has_no_default_key() -> None:
    with pytest.raises(RuntimeError, match="OHTS_JWT_KEYS"):
        Settings(env="production", jwt_keys="").signing_keys()


def test_jurisdiction_check() -> None:
    settings = Settings(jwt_keys="unit-test-signing-key-of-32-bytes!")
    actor = verify_token(
        settings, issue_token(settings, role=Role.REGISTRY_AUTHORITY, region_code="330100")
    )
    check_jurisdiction(actor, "330106")
    with pytest.raises(Forbidden, match="outside the jurisdiction"):
        check_jurisdiction(actor, "530102")
