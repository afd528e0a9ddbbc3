"""Demo accounts for `make run`: one per role, each password generated and printed once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from contracts.envelope import Role
from ohts.console import Console, store
from ohts.console.accounts import Account
from ohts.console.users import new_password
from ohts_kit.settings import Settings


def demo_accounts(institution_id: str) -> list[Account]:
    return [
        Account(
            "shenpi.zj", "张审批", "浙江省卫生健康委员会", Role.REGISTRY_AUTHORITY, "330000",
            admin=True,
        ),
        Account("zhikong.zj", "李质控", "浙江省职业卫生质控中心", Role.QC_CENTRE, "330000"),
        Account(
            "jiandu.zj", "王监督", "浙江省卫生健康综合监督执法局", Role.SUPERVISION_UNIT, "330000"
        ),
        Account(
            "jigou.demo", "赵机构", "演示技术服务机构", Role.INSTITUTION, "330106",
            institution_id=institution_id,
        ),
    ]  # fmt: skip


async def create_demo_accounts(
    settings: Settings, institution_id: str
) -> list[tuple[Account, str]]:
    """(account, password) of each demo account created now; existing ones are kept
    (`--keep-data`) and not listed, since their password was shown when they were made."""
    console = Console(settings)
    await console.start()
    made = []
    try:
        for account in demo_accounts(institution_id):
            password = new_password()
            try:
                await store.add(console.pool, account, password, by="demo")
            except store.AccountExists:
                continue
            made.append((account, password))
    finally:
        await console.stop()
    return made


def print_demo_accounts(
    settings: Settings, institution_id: str, echo: Callable[[str], object]
) -> None:
    made = asyncio.run(create_demo_accounts(settings, institution_id))
    for a, password in made:
        echo(f"  {a.role_name}（{a.person_name}）: 登录名 {a.login}  密码 {password}")
