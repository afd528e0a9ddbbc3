"""Every endpoint × role answers as docs/access_matrix.csv says: 401 without a token, 403 for
a role the table denies, and 2xx for a role it lets through (a valid call prepared by
tests/integration/access_cells.py); the table lists every endpoint, and the jurisdiction
cells (own region, child region, other region; an institution only for itself) hold on real
targets."""

from __future__ import annotations

import importlib
from typing import Any

import httpx
import pytest

from contracts.envelope import Role
from ohts_kit.settings import Settings
from services.registry.domain.uscc import make_uscc
from tests.integration.access import ROLES, SERVICES, load, observe, operations, verdict
from tests.integration.access_cells import PROVINCE, RECIPES, Call, World, world
from tests.integration.helpers import running, token


def _app(service: str) -> Any:
    return importlib.import_module(f"services.{service}.bootstrap").create_app


@pytest.mark.parametrize("service", SERVICES)
async def test_every_endpoint_answers_every_role_as_the_matrix_says(
    settings: Settings, service: str
) -> None:
    settings = settings.model_copy(update={"public_rate_limit_per_second": 0})
    table = {k: v for k, v in load().items() if k[0] == service}
    async with running(_app(service), settings) as svc:
        listed = operations(svc, service)
        missing = [op for op in listed if (service, *op) not in table]
        assert not missing, f"endpoints missing from docs/access_matrix.csv: {missing}"
        stale = [k[1:] for k in table if k[1:] not in listed]
        assert not stale, f"rows for endpoints that no longer exist: {stale}"
        wrong = []
        for (_, method, path), row in sorted(table.items()):
            for role in (*ROLES, "anonymous"):
                got = verdict(
                    await observe(
                        svc, settings, method, path, None if role == "anonymous" else role, "330000"
                    )
                )
                if got != row[role]:
                    wrong.append(f"{method} {path} as {role}: {got}, the table says {row[role]}")
        assert not wrong, "\n".join(wrong)


async def test_every_cell_the_matrix_lets_through_answers_2xx_and_only_in_its_jurisdiction(
    settings: Settings,
) -> None:
    """Each `ok` cell gets a valid call as that role from a child region of the target's
    (the province) and, for `region` rows, from the target's own region (2xx) and from another
    province (403 for a call that names a target; a list answers 200 without the target's
    data). An institution's cells are also called as another institution (403)."""
    settings = settings.model_copy(update={"public_rate_limit_per_second": 0})
    table = load()
    allowed = [
        (key, role)
        for key, row in sorted(table.items())
        for role in (*ROLES, "anonymous")
        if row[role] == "ok"
    ]
    missing = sorted({key for key, _ in allowed if key not in RECIPES})
    assert not missing, f"no recipe in access_cells.py for {missing}"
    wrong, calls = [], 0
    async with world(settings) as w:
        for (service, method, path), role in allowed:
            for where in jurisdictions(table[(service, method, path)]["jurisdiction"], role):
                call = await RECIPES[(service, method, path)](w, role)
                if where == "own" and call.region == PROVINCE:
                    continue  # a provincial target: the child-region call was its own region
                if where == "other-city" and (method != "GET" or "{" in path or "?" in call.path):
                    continue  # a sibling city's token is for lists: none shows a Hangzhou row
                response = await send(w, service, method, call, w.headers(role, call, where))
                calls += 1
                targeted = method != "GET" or "{" in path or "region=" in call.path
                denied = where.startswith("other")
                if denied and call.refused:
                    ok = call.refused(response)
                elif denied and targeted:
                    ok = response.status_code == 403
                elif denied:  # a list scoped to the caller's region
                    ok = response.status_code == 200 and w.planned[0] not in response.text
                else:
                    ok = 200 <= response.status_code < 300
                if not ok:
                    wrong.append(
                        f"{service}: {method} {path} as {role} from {where}:"
                        f" {response.status_code}"
                        f" {response.text[:300]}"
                    )
    assert not wrong, "\n".join(wrong)
    print(f"{len(allowed)} allowed cells, {calls} calls as the matrix says")


def jurisdictions(rule: str, role: str) -> list[str]:
    if role == "anonymous" or rule == "public":
        return ["child"]
    if role == "institution":
        return ["child", "other-institution"]
    return ["child", "own", "other-region", "other-city"]


async def send(
    w: World, service: str, method: str, call: Call, headers: dict[str, str]
) -> httpx.Response:
    if call.csv is not None:
        response = await w.svc[service].http.request(
            method,
            call.path,
            content=call.csv.encode(),
            headers={**headers, "Content-Type": "text/csv"},
        )
    else:
        response = await w.svc[service].call(method, call.path, headers, call.body)
    if call.then:
        call.then()
    return response  # type: ignore[no-any-return]


def _institution(region: str, serial: int) -> dict[str, Any]:
    return {
        "uscc": make_uscc(region, f"4800{serial:05d}"),
        "name": f"辖区测试机构{serial}号",
        "address": "杭州市西湖区",
        "legal_representative": "王建国",
        "nature": "企业",
        "kind": "occupational-health-service",
        "region_code": region,
    }


async def test_registry_jurisdiction_and_institutions_acting_for_themselves(
    settings: Settings,
) -> None:
    async with running(_app("registry"), settings) as svc:
        ids = []
        for serial, token_region in enumerate(("330106", "330000", "330100"), start=1):
            authority = token(settings, Role.REGISTRY_AUTHORITY, token_region)  # own, child
            r = await svc.call(
                "POST", "/api/v1/institutions", authority, _institution("330106", serial)
            )
            assert r.status_code == 201, (token_region, r.text)
            ids.append(r.json()["id"])
        # The actor is the verified token's, never the body's: a body naming one is refused.
        async with svc.runtime.pool.acquire() as conn:
            actor = await conn.fetchval(
                "SELECT actor::text FROM events WHERE aggregate_id = $1 ORDER BY position LIMIT 1",
                ids[0],
            )
        assert '"registry-authority@330106"' in actor
        forged = {**_institution("330106", 8), "actor": {"role": "system", "subject": "root"}}
        r = await svc.call("POST", "/api/v1/institutions", authority, forged, 422)
        assert r.json()["errors"][0]["field"] == "actor"
        other = token(settings, Role.REGISTRY_AUTHORITY, "530000")
        r = await svc.call("POST", "/api/v1/institutions", other, _institution("330106", 9), 403)
        assert "outside the jurisdiction" in r.json()["detail"]

        card = {
            "report_number": "R-1",
            "service_kind": "detection",
            "client_name": "杭州某化工有限公司",
            "client_uscc": make_uscc("330106", "000000001", "91"),
            "client_region_code": "330106",
            "completion_date": "2026-02-20",
        }
        me = token(settings, Role.INSTITUTION, "330106", ids[0])
        await svc.call("POST", "/api/v1/report-cards", me, {**card, "institution_id": ids[0]}, 201)
        r = await svc.call(
            "POST", "/api/v1/report-cards", me, {**card, "institution_id": ids[1]}, 403
        )
        assert "only for itself" in r.json()["detail"]
        async with svc.runtime.pool.acquire() as conn:
            cards = await conn.fetchval(
                "SELECT count(*) FROM events WHERE event_type = 'registry.ServiceReportCardFiled'"
            )
        assert cards == 1  # the refused one changed nothing


async def test_enforcement_qc_and_reporting_jurisdiction(settings: Settings) -> None:
    plan = {
        "jurisdiction_region_code": "330100",
        "year": 2026,
        "sampling_ratio": "1/2",
        "roster": [{"inspector_id": "i1"}, {"inspector_id": "i2"}],
    }
    async with running(_app("enforcement"), settings) as svc:
        for region, expected in (("330100", 201), ("330000", 201), ("530000", 403)):
            supervisor = token(settings, Role.SUPERVISION_UNIT, region)
            await svc.call("POST", "/api/v1/plans", supervisor, plan, expected)
    async with running(_app("qc"), settings) as svc:
        for region, expected in (("330000", 201), ("530000", 403)):
            centre = token(settings, Role.QC_CENTRE, region)
            body = {"province_code": "330000", "year": 2026, "seed": f"s-{region}"}
            await svc.call("POST", "/api/v1/plans", centre, body, expected)
    async with running(_app("reporting"), settings) as svc:
        for region, expected in (("330100", 200), ("330000", 200), ("530000", 403)):
            supervisor = token(settings, Role.SUPERVISION_UNIT, region)
            await svc.call(
                "GET",
                "/api/v1/supervision/forms/hangzhou-2?region=330100",
                supervisor,
                None,
                expected,
            )


@pytest.mark.parametrize("service", SERVICES)
async def test_every_endpoint_refuses_a_signed_token_with_forged_claims(
    settings: Settings, service: str
) -> None:
    """Issue 18.1: a region of '', 000000, 00 or % read every province, and role `system`
    skipped the jurisdiction check; signed with a valid key, each is now 401 on every
    endpoint that takes a token (lists included), before any query runs."""
    import jwt

    from tests.unit.test_claims import FORGED

    settings = settings.model_copy(update={"public_rate_limit_per_second": 0})
    key = settings.signing_keys()[0]
    table = {k: v for k, v in load().items() if k[0] == service}
    wrong, tried = [], 0
    async with running(_app(service), settings) as svc:
        for (_, method, path), row in sorted(table.items()):
            if row["anonymous"] == "ok":
                continue  # public: no token is read
            for role, region in FORGED:
                claims: dict[str, Any] = {"sub": "attacker", "role": role, "exp": 4102444800}
                if region is not None:
                    claims["region"] = region
                bearer = {"Authorization": f"Bearer {jwt.encode(claims, key, 'HS256')}"}
                concrete = path.replace("{", "").replace("}", "")
                body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
                response = await svc.http.request(method, concrete, headers=bearer, **body)
                tried += 1
                if response.status_code != 401:
                    wrong.append(f"{method} {path} as {role}@{region!r}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
    print(f"{service}: {tried} forged tokens refused")
