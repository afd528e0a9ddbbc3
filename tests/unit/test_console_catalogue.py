"""The console offers every command the services' APIs offer a person, in Chinese: each write
operation is a catalogued command (or has a page of its own), each form field and choice has
a Chinese name, each event a Chinese name in the history, and every link of the navigation,
the to-do list and the commands leads to a page that exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.datastructures import FormData

from contracts.envelope import all_event_types
from ohts.console import commands, forms, navigation, todo, views, words
from ohts.console.pages.workflows import _api_path
from ohts_kit.settings import Settings
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.bootstrap import create_app as qc_app
from services.registry.bootstrap import create_app as registry_app

SETTINGS = Settings()
DOCS = {
    "registry": registry_app(SETTINGS).openapi(),
    "qc": qc_app(SETTINGS).openapi(),
    "enforcement": enforcement_app(SETTINGS).openapi(),
}
HAN = re.compile(r"[\u4e00-\u9fff]")
WRITES = ("post", "put", "patch", "delete")


def _console_paths() -> list[re.Pattern[str]]:
    """The console's GET pages, as patterns: every router the console mounts."""
    from ohts.console import _extensions, admin, router

    found = []
    for build in (router.build_router, admin.build_router, *_extensions()):
        for route in build(SETTINGS).routes:
            if isinstance(route, APIRoute) and "GET" in route.methods:
                path = route.path[len(SETTINGS.console_prefix) :] or "/"
                found.append(re.compile("^" + re.sub(r"\{[a-z_]+\}", "[^/]+", path) + "$"))
    return found


PAGES = _console_paths()


def _exists(link: str) -> bool:
    path = link.split("?")[0]
    return any(p.match(path) for p in PAGES)


def test_every_write_operation_of_the_services_is_a_console_command_or_page() -> None:
    catalogued = {
        (c.service, c.method.lower(), _api_path(DOCS[c.service], c.path)) for c in commands.COMMANDS
    }
    paged = {(s, m.lower(), p) for s, m, p in commands.ON_PAGES}
    missing = [
        (service, method, path)
        for service, document in DOCS.items()
        for path, operations in document["paths"].items()
        for method in operations
        if method in WRITES and (service, method, path) not in catalogued | paged
    ]
    assert missing == []
    assert all(_exists(link) for link in commands.ON_PAGES.values())


def _unnamed(fields: list[forms.Field], where: str) -> list[str]:
    found = []
    for f in fields:
        if not HAN.search(f.label):
            found.append(f"{where}: field {f.name}")
        found += [f"{where}: {f.name}={c}" for c, name in f.choices.items() if not HAN.search(name)]
        found += _unnamed(f.columns, f"{where}.{f.name}")
    return found


def test_every_field_and_choice_of_every_form_has_a_chinese_name() -> None:
    unnamed = []
    for cmd in commands.COMMANDS:
        document = DOCS[cmd.service]
        _, fields = forms.fields_of(document, cmd.method, _api_path(document, cmd.path))
        unnamed += _unnamed(fields, cmd.key)
    assert unnamed == []


def test_every_event_type_reads_in_chinese_in_a_history() -> None:
    assert sorted({t for t, _ in all_event_types()} - set(words.EVENTS)) == []


def test_every_command_lands_on_a_page_that_exists() -> None:
    for cmd in commands.COMMANDS:
        for kind in filter(None, (cmd.on, cmd.then)):
            assert kind in views.RECORDS or views.listing_of(kind) is not None, cmd.key
        assert _exists(f"/do/{cmd.key}")


@pytest.mark.parametrize("role", list(navigation.NAV))
def test_every_navigation_and_to_do_link_of_a_role_is_a_console_page(role: Any) -> None:
    links = [path for _, path in navigation.NAV[role]]
    links += [source.link for source in todo.SOURCES.get(role, [])]
    assert [link for link in links if not _exists(link)] == []


def test_a_list_row_without_a_record_page_offers_its_commands() -> None:
    transfers = views.LISTINGS["judicial-transfers"]
    assert transfers.kind not in views.RECORDS
    from ohts.console.pages.workflows import _row_commands

    class _Staff:
        class account:
            role = commands.SUPERVISOR

    keys = [c.key for c in _row_commands(_Staff(), transfers)]  # type: ignore[arg-type]
    assert keys == ["judicial-status"]
    assert _row_commands(_Staff(), views.LISTINGS["cases"]) == []  # type: ignore[arg-type]


def test_yes_no_per_aspect_is_one_check_box_each_and_every_aspect_is_answered() -> None:
    cmd = commands.BY_KEY["assess-capability"]
    _, fields = forms.fields_of(DOCS["qc"], cmd.method, _api_path(DOCS["qc"], cmd.path))
    meets = next(f for f in fields if f.name == "meets")
    assert meets.kind == "flags" and meets.choices["equipment"] == "仪器设备配置"
    body = forms.body_of(fields, FormData([("meets", "staff"), ("meets", "support")]))
    assert body["meets"] == {
        "staff": True,
        "premises": False,
        "equipment": False,
        "support": True,
    }


def test_a_free_text_named_like_a_code_is_text() -> None:
    """A campaign's title is text; a staff member's title is a choice of 职称."""

    def kind_of(key: str) -> str:
        cmd = commands.BY_KEY[key]
        document = DOCS[cmd.service]
        _, fields = forms.fields_of(document, cmd.method, _api_path(document, cmd.path))
        return next(f.kind for f in fields if f.name == "title")

    assert kind_of("launch-self-inspection") == "text"
    assert kind_of("register-staff") == "select"


def test_a_history_line_names_codes_and_dates_in_chinese_and_hides_ids() -> None:
    from ohts.console.pages.workflows import _step

    step = _step(
        {
            "event_type": "enforcement.PenaltyDecided",
            "occurred_at": "2026-03-02T02:00:00+00:00",
            "actor": {"role": "supervision-unit", "subject": "zhao"},
            "payload": {
                "violation": "false-report",
                "severity": "serious",
                "fine_yuan": "1E+4",
                "decided_on": "2026-03-02",
                "ban_years": None,
                "institution_id": "01a2317d",
            },
        }
    )
    assert step["what"] == "作出行政处罚决定"
    assert dict(step["details"]) == {
        "违法行为": "出具虚假或者失实的职业卫生技术服务报告",
        "严重程度": "严重",
        "罚款金额（元）": "10,000.00 元",
        "决定日期": "2026年3月2日",
    }


CODED = {
    "kind", "kinds", "status", "state", "result", "category", "role", "source", "violation",
    "stage", "severity", "scope_codes", "decision_type", "activity_kind", "region_code",
    "province_code", "title",
}  # fmt: skip


def test_every_column_holding_a_code_shows_it_in_chinese() -> None:
    """Scopes by their names, kinds, statuses, results, categories, regions: never a code."""
    columns = [(v.title, c) for v in views.LISTINGS.values() for c in v.columns]
    columns += [(r.title, c) for r in views.RECORDS.values() for c in r.fields]
    columns += [
        (sub.title, c) for r in views.RECORDS.values() for sub in r.subs for c in sub.columns
    ]
    raw = [
        f"{title}: {c.key}"
        for title, c in columns
        if c.key in CODED - {"title"} and c.show is views._text  # a title is text
    ]
    assert raw == []
    assert "采矿业" in views._scopes(["OH-01"])
