"""Issue 18.5: the demo loader's commands carry an Idempotency-Key, reads do not."""

from __future__ import annotations

import httpx

from ohts.demo import keyed_client


def test_every_command_of_the_demo_client_carries_its_own_key() -> None:
    seen: list[httpx.Request] = []

    with keyed_client(base_url="http://demo") as client:
        client._transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(201))
        client.post("/api/v1/staff", json={"a": 1})
        client.post("/api/v1/staff", json={"a": 1})
        client.get("/api/v1/scope-codes")
        client.post("/api/v1/imports/legacy", headers={"Idempotency-Key": "given"})
    keys = [r.headers.get("idempotency-key") for r in seen]
    assert keys[0] and keys[1] and keys[0] != keys[1]
    assert keys[2] is None and keys[3] == "given"
