"""The console's pure pieces: account rules, lockout, passwords, CSRF, dates, API errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from contracts.envelope import Role
from ohts.console import passwords
from ohts.console.accounts import (
    Account,
    Lockout,
    is_locked,
    may_manage,
    password_problem,
    problems,
)
from ohts.console.client import error_of
from ohts.console.session import BadCsrf, Staff, check_csrf
from ohts.console.web import chinese_date

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_valid_account_has_no_problems() -> None:
    assert problems("wang.zj", "王浙江", "registry-authority", "330000", None) == []
    assert problems("jigou1", "赵", "institution", "330106", "inst-1") == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (("Wang", "王", "qc-centre", "330000", None), "login"),
        (("ab", "王", "qc-centre", "330000", None), "login"),
        (("wang", " ", "qc-centre", "330000", None), "person_name"),
        (("wang", "王", "system", "330000", None), "role"),
        (("wang", "王", "admin", "330000", None), "role"),
        (("wang", "王", "qc-centre", "339999", None), "region_code"),
        (("wang", "王", "institution", "330106", None), "institution_id"),
        (("wang", "王", "qc-centre", "330000", "inst-1"), "institution_id"),
    ],
)
def test_each_bad_value_names_its_field(values: tuple, field: str) -> None:
    found = problems(*values)
    assert [p.field for p in found] == [field]
    assert all(p.message for p in found)


def test_passwords_need_length_and_mixed_characters() -> None:
    assert password_problem("short1") is not None
    assert password_problem("1234567890123") is not None
    assert password_problem("abcdefghijkl") is not None
    assert password_problem("correct-horse-7") is None


def test_lockout_at_the_limit_then_counting_again() -> None:
    lockout = Lockout(attempts=3, minutes=15)
    assert lockout.after_failure(0, NOW) == (1, None)
    assert lockout.after_failure(1, NOW) == (2, None)
    assert lockout.after_failure(2, NOW) == (0, NOW + timedelta(minutes=15))
    account = Account("a.b", "甲", "", Role.QC_CENTRE, "330000", locked_until=NOW)
    assert is_locked(account, NOW - timedelta(seconds=1))
    assert not is_locked(account, NOW)


def test_an_administrator_manages_only_within_the_jurisdiction() -> None:
    admin = Account("adm", "甲", "", Role.REGISTRY_AUTHORITY, "330000", admin=True)
    plain = Account("pln", "乙", "", Role.REGISTRY_AUTHORITY, "330000")
    assert may_manage(admin, "330106")
    assert not may_manage(admin, "320000")
    assert not may_manage(plain, "330106")


def test_argon2_hashes_verify_only_the_right_password() -> None:
    digest = passwords.hash_password("correct-horse-7")
    assert digest.startswith("$argon2id$")
    assert passwords.verify(digest, "correct-horse-7")
    assert not passwords.verify(digest, "correct-horse-8")
    assert not passwords.verify(None, "correct-horse-7")
    assert not passwords.verify("not-a-hash", "x")


def test_csrf_token_must_match_the_session() -> None:
    staff = Staff(Account("a.b", "甲", "", Role.QC_CENTRE, "330000"), "sid", "tok", "jwt")
    check_csrf(staff, "tok")
    for sent in (None, "", "other"):
        with pytest.raises(BadCsrf):
            check_csrf(staff, sent)


def test_dates_in_chinese() -> None:
    assert chinese_date(date(2026, 3, 2)) == "2026年3月2日"
    assert chinese_date("2026-12-31T10:00:00+00:00") == "2026年12月31日"
    assert chinese_date("尚未") == "尚未"
    assert chinese_date(None) == ""


def test_api_errors_map_to_chinese_with_fields() -> None:
    body = {"detail": "invalid input", "errors": [{"field": "fine", "rule": "range", "message": "罚款超出法定幅度"}]}  # fmt: skip
    error = error_of(httpx.Response(422, json=body))
    assert error.status == 422 and error.fields == {"fine": "罚款超出法定幅度"}
    assert "有误" in error.message
    forbidden = error_of(httpx.Response(403, json={"detail": "region 330106 is outside"}))
    assert "辖区" in forbidden.message and forbidden.fields == {}
    assert error_of(httpx.Response(502, text="bad gateway")).message.startswith("服务")
