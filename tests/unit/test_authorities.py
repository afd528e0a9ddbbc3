"""Issue 16 point 9: the health authority of a region at its own level, overridable as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from ohts_kit.authorities import TABLE, authority_name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("330000", "浙江省卫生健康委员会"),
        ("330100", "杭州市卫生健康委员会"),
        ("330106", "杭州市西湖区卫生健康局"),
        ("330182", "建德市卫生健康局"),
        ("530000", "云南省卫生健康委员会"),
        ("110000", "北京市卫生健康委员会"),
        ("110105", "北京市朝阳区卫生健康委员会"),
    ],
)
def test_each_level_has_its_own_authority(code: str, name: str) -> None:
    assert authority_name(code) == name


def test_a_province_overrides_its_rows(tmp_path: Path) -> None:
    table = tmp_path / "names.csv"
    extra = "45,province,,{name}疾病预防控制局,test override\n45,county,区,{parent}{name}疾控局,t\n"
    table.write_text(TABLE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    assert authority_name("450000", table) == "广西壮族自治区疾病预防控制局"
    assert authority_name("450103", table) == "南宁市青秀区疾控局"
    assert authority_name("450100", table) == "南宁市卫生健康委员会"  # not overridden
    assert authority_name("330106", table) == "杭州市西湖区卫生健康局"  # other provinces keep


def test_the_registry_and_enforcement_use_it() -> None:
    from services.enforcement.application.cases import authority_of
    from services.registry.application.qualifications import authority_name as issuing

    assert issuing("330100") == "杭州市卫生健康委员会"
    assert issuing("330000") == "浙江省卫生健康委员会"

    class _Actor:
        region_code = "330106"

    class _Meta:
        actor = _Actor()

    assert authority_of(_Meta()) == "杭州市西湖区卫生健康局"  # type: ignore[arg-type]
