"""Staff accounts: the rules of a valid account and of lockout, pure (no I/O)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.envelope import Role
from ohts_kit import regions
from ohts_kit.auth import USER_ROLES

LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
MIN_PASSWORD = 10

ROLE_NAMES = {
    Role.REGISTRY_AUTHORITY.value: "资质审批机关",
    Role.QC_CENTRE.value: "质量控制中心",
    Role.SUPERVISION_UNIT.value: "卫生监督机构",
    Role.INSTITUTION.value: "技术服务机构",
}


@dataclass(frozen=True)
class Account:
    login: str
    person_name: str
    unit_name: str
    role: Role
    region_code: str
    institution_id: str | None = None
    admin: bool = False
    disabled: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = None

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role.value]

    @property
    def region_name(self) -> str:
        return regions.name_of(self.region_code)


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


def problems(
    login: str, person_name: str, role: str, region_code: str, institution_id: str | None
) -> list[Problem]:
    """Why these values cannot make an account (Chinese, per field); empty if they can.
    Role and region are checked as the APIs check a token's claims."""
    found = []
    if not LOGIN.match(login):
        found.append(Problem("login", "登录名须为3至32位小写字母、数字或 . _ -，以字母或数字开头"))
    if not person_name.strip() or len(person_name) > 50:
        found.append(Problem("person_name", "姓名不能为空，且不超过50字"))
    if role not in {r.value for r in USER_ROLES}:
        found.append(Problem("role", "角色须为：" + "、".join(ROLE_NAMES.values())))
    if not regions.is_valid(region_code):
        found.append(Problem("region_code", "行政区划代码须为有效的 GB/T 2260 代码"))
    if role == Role.INSTITUTION.value and not institution_id:
        found.append(Problem("institution_id", "技术服务机构账号须填写机构编号"))
    if role != Role.INSTITUTION.value and institution_id:
        found.append(Problem("institution_id", "只有技术服务机构账号才有机构编号"))
    return found


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少{MIN_PASSWORD}位"
    if password.isdigit() or password.isalpha():
        return "密码须同时包含字母和数字或符号"
    return None


@dataclass(frozen=True)
class Lockout:
    attempts: int
    minutes: int

    def after_failure(self, failed: int, now: datetime) -> tuple[int, datetime | None]:
        """The counter and lock-until after one more wrong password: at the limit the
        account locks for a while and the counter starts again."""
        failed += 1
        if failed >= self.attempts:
            return 0, now + timedelta(minutes=self.minutes)
        return failed, None


def is_locked(account: Account, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


def may_manage(admin: Account, other_region: str) -> bool:
    """An administrator manages the accounts within their own jurisdiction."""
    return admin.admin and regions.covers(admin.region_code, other_region)
