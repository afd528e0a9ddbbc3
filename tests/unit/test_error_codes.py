"""Every error the HTTP shell answers carries a stable code, the field and a Chinese message
(ohts_kit/problems.py), and keeps the older `detail` and English messages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, Field

from ohts_kit.errors import Conflict, Forbidden, InvalidCommand, NotFound
from ohts_kit.http import create_http_app
from ohts_kit.problems import chinese, code_of


class Body(BaseModel):
    name: str = Field(min_length=1)
    fine_yuan: int = Field(ge=0)


def _app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield

    async def readiness(_: FastAPI) -> dict[str, bool]:
        return {"ok": True}

    app = create_http_app(service="t", title="t", lifespan=lifespan, readiness=readiness)

    @app.post("/body")
    async def body(b: Body) -> None: ...

    @app.get("/rule")
    async def rule() -> None:
        raise InvalidCommand.of("fine_yuan", "statutory range", "fine 99 outside 1000..30000")

    @app.get("/zh")
    async def zh() -> None:
        raise InvalidCommand.of("region", "GB/T 2260", "没有代码为 990000 的行政区划")

    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("case c1 is closed", rule="stage", details={"stage": "closed"})

    @app.get("/forbidden")
    async def forbidden() -> None:
        raise Forbidden("outside the jurisdiction")

    @app.get("/missing")
    async def missing() -> None:
        raise NotFound("no case c9")

    return app


async def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://t")


async def test_refused_input_names_the_field_with_a_code_and_chinese() -> None:
    async with await _client() as client:
        r = await client.post("/body", json={"name": "", "fine_yuan": -1})
        assert r.status_code == 422
        data = r.json()
        assert data["code"] == "invalid_input" and data["detail"] == "invalid input"
        assert "未做任何更改" in data["message"]
        by_field = {e["field"]: e for e in data["errors"]}
        assert by_field["name"]["code"] == "string_too_short"
        assert by_field["name"]["message_zh"] == "内容过短或为空"
        assert by_field["fine_yuan"]["message_zh"] == "数值过小"
        assert by_field["fine_yuan"]["message"]  # pydantic's English words kept
        r = await client.post("/body", json={})
        assert {e["message_zh"] for e in r.json()["errors"]} == {"必填"}

        r = await client.get("/rule")
        (e,) = r.json()["errors"]
        assert (e["field"], e["code"]) == ("fine_yuan", "statutory_range")
        assert e["message_zh"].startswith("不符合规则「statutory range」")
        (e,) = (await client.get("/zh")).json()["errors"]
        assert e["message_zh"] == "没有代码为 990000 的行政区划" and e["code"] == "gb_t_2260"


async def test_every_status_has_its_code_and_chinese_message() -> None:
    async with await _client() as client:
        r = await client.get("/conflict")
        assert r.status_code == 409
        assert r.json()["code"] == "conflict.stage" and r.json()["stage"] == "closed"
        assert r.json()["detail"] == "case c1 is closed" and "未做任何更改" in r.json()["message"]
        r = await client.get("/forbidden")
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")
        assert "辖区" in r.json()["message"]
        r = await client.get("/missing")
        assert (r.status_code, r.json()["code"], r.json()["detail"]) == (
            404,
            "not_found",
            "no case c9",
        )
        r = await client.get("/nowhere")
        assert (r.status_code, r.json()["code"]) == (404, "not_found")
        r = await client.delete("/missing")
        assert (r.status_code, r.json()["code"]) == (405, "method_not_allowed")


def test_codes_are_stable_snake_case_and_chinese_is_kept() -> None:
    assert code_of("GB/T 2260") == "gb_t_2260" and code_of("one result") == "one_result"
    assert chinese("已存在", "x") == "已存在"
    assert chinese("", "a rule") == "不符合规则「a rule」"


def test_a_fine_outside_the_statutory_range_is_said_in_chinese() -> None:
    said = chinese(
        "60,000.00 yuan is outside 5,000.00 yuan – 20,000.00 yuan for gains under 5,000.00 yuan",
        "statutory range (《职业卫生技术服务机构管理办法》第四十二条)",
    )
    assert said == (
        "超出法定处罚幅度（5,000.00 元 – 20,000.00 元），依据：《职业卫生技术服务机构管理办法》第四十二条"
    )
