"""Issue 18.4: a staff registration by one institution never reveals, rewrites or revives
another institution's person."""

from __future__ import annotations

from typing import Any

from contracts.envelope import Role
from ohts.demo import staff_body
from ohts_kit.settings import Settings
from services.registry.domain.uscc import make_uscc
from tests.integration.registry_client import RegistryClient, running_registry


async def _stored(reg: RegistryClient, id_number: str) -> Any:
    async with reg.runtime.pool.acquire() as conn:
        return await conn.fetchrow(
            "SELECT name, erased_at FROM personal_data WHERE id_number = $1", id_number
        )


async def test_an_institution_learns_no_employer_and_rewrites_no_name(settings: Settings) -> None:
    # A province allowing a second, part-time post (R6's limit is configurable, unconfirmed).
    two_posts = settings.model_copy(update={"registry_max_registrations_per_person": 2})
    async with running_registry(two_posts) as reg:
        zhejiang = await reg.register(1)  # the person's employer, in 330106
        yunnan_authority = reg.token(Role.REGISTRY_AUTHORITY, "530000")
        body = {
            "uscc": make_uscc("530102", "470000029"),
            "name": "云南测试检测有限公司",
            "address": "昆明市五华区",
            "legal_representative": "李四",
            "nature": "企业",
            "kind": "occupational-health-service",
            "region_code": "530102",
        }
        r = await reg.post("/api/v1/institutions", body, yunnan_authority, expect=201)
        yunnan = r.json()["id"]
        person = staff_body(zhejiang, 3, 1)
        await reg.post("/api/v1/staff", person, expect=201)
        other = reg.token(Role.INSTITUTION, "530102", yunnan)

        # Full-time elsewhere: refused, without the employer (was "...at institution <id>").
        clash = await reg.post("/api/v1/staff", {**person, "institution_id": yunnan}, other)
        assert clash.status_code == 409, clash.text
        assert zhejiang not in clash.text and "institution_id" not in clash.json()
        assert "其他机构" in clash.json()["detail"]

        # Part-time with another name: refused (it succeeded and overwrote the stored name).
        renamed = {**person, "institution_id": yunnan, "full_time": False, "name": "冒用者"}
        r = await reg.post("/api/v1/staff", renamed, other)
        assert r.status_code == 409 and r.json()["rule"] == "stored identity", r.text
        assert person["name"] not in r.text
        stored = await _stored(reg, person["id_number"])
        assert stored["name"] == person["name"]
        # The same name part-time is a legitimate second employment.
        part_time = {**person, "institution_id": yunnan, "full_time": False}
        await reg.post("/api/v1/staff", part_time, other, expect=201)
        assert (await _stored(reg, person["id_number"]))["name"] == person["name"]


async def test_an_erased_person_stays_erased_unless_the_authority_restores_them(
    settings: Settings,
) -> None:
    async with running_registry(settings) as reg:
        a, b = await reg.register(1), await reg.register(2)
        person = staff_body(a, 3, 1)
        staff_id = (await reg.post("/api/v1/staff", person, expect=201)).json()["id"]
        await reg.post(f"/api/v1/staff/{staff_id}/leave", {}, expect=204)
        await reg.http.delete(f"/api/v1/staff/{staff_id}/personal-data", headers=reg.authority)
        async with reg.runtime.pool.acquire() as conn:
            before = await conn.fetch("SELECT * FROM personal_data")
        assert [r["erased_at"] is not None for r in before] == [True]

        institution_b = reg.token(Role.INSTITUTION, "330106", b)
        again = {**person, "institution_id": b}
        r = await reg.post("/api/v1/staff", again, institution_b)
        assert r.status_code == 409 and r.json()["rule"] == "personal data erased", r.text
        r = await reg.post("/api/v1/staff", {**again, "restore_erased_person": True}, institution_b)
        assert r.status_code == 403
        r = await reg.post("/api/v1/staff", again)  # the authority, without saying so
        assert r.status_code == 409
        async with reg.runtime.pool.acquire() as conn:
            assert await conn.fetch("SELECT * FROM personal_data") == before  # still erased
        assert len(await reg.events("registry.StaffRegistered")) == 1

        # The authority's explicit decision: registered again, recorded on the event.
        await reg.post("/api/v1/staff", {**again, "restore_erased_person": True}, expect=201)
        restored = (await reg.events("registry.StaffRegistered"))[-1]
        assert '"restores_erased_person": true' in restored["payload"]
        async with reg.runtime.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT name, erased_at FROM personal_data")
        assert row["name"] == person["name"] and row["erased_at"] is None
        # Restoring someone never erased is refused, naming the field.
        fresh = staff_body(b, 4, 2)
        r = await reg.post("/api/v1/staff", {**fresh, "restore_erased_person": True})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "restore_erased_person"
