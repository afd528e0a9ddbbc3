"""Command forms made from the services' OpenAPI documents, and the answers turned back into
command bodies: Chinese labels and choices, rows of objects, lists of text, check boxes."""

from __future__ import annotations

from starlette.datastructures import FormData

from ohts.console import commands, forms
from ohts_kit.settings import Settings
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.bootstrap import create_app as qc_app
from services.registry.bootstrap import create_app as registry_app

DOCS = {
    "registry": registry_app(Settings()).openapi(),
    "qc": qc_app(Settings()).openapi(),
    "enforcement": enforcement_app(Settings()).openapi(),
}


def _fields(key: str) -> list[forms.Field]:
    from ohts.console.pages.workflows import _api_path

    cmd = commands.BY_KEY[key]
    doc = DOCS[cmd.service]
    return forms.fields_of(doc, cmd.method, _api_path(doc, cmd.path))[1]


def test_every_catalogued_command_is_an_operation_of_its_service() -> None:
    from ohts.console.pages.workflows import _api_path

    for cmd in commands.COMMANDS:
        doc = DOCS[cmd.service]
        path = _api_path(doc, cmd.path)
        assert cmd.method.lower() in doc["paths"].get(path, {}), cmd.key


def test_a_penalty_form_in_chinese_and_its_body() -> None:
    by_name = {f.name: f for f in _fields("decide-penalty")}
    assert by_name["penalties"].kind == "multi"
    assert by_name["penalties"].choices["fine"] == "罚款"
    assert by_name["fine_yuan"].label == "罚款金额（元）" and by_name["fine_yuan"].kind == "number"
    form = FormData(
        [("decision_number", "浙卫罚〔2026〕1号"), ("penalties", "fine"), ("fine_yuan", "10000")]
    )
    assert forms.body_of(list(by_name.values()), form) == {
        "decision_number": "浙卫罚〔2026〕1号",
        "penalties": ["fine"],
        "fine_yuan": 10000,
    }


def test_rows_of_findings_leave_out_the_empty_ones() -> None:
    fields = _fields("record-result")
    findings = next(f for f in fields if f.name == "findings")
    assert findings.kind == "rows" and not any(c.required for c in findings.columns)
    category = next(c for c in findings.columns if c.name == "category")
    assert category.choices["false-report"] == "出具虚假或失实的技术服务报告"
    form = FormData(
        [
            ("institution_id", "i1"),
            ("result", "fail"),
            ("findings.0.category", "false-report"),
            ("findings.0.description", "采样记录与现场不符"),
            ("findings.0.due_on", "2026-04-15"),
            ("findings.0.severity", "general"),
            ("findings.1.severity", "general"),  # the default alone: an untouched row
        ]
    )
    body = forms.body_of(fields, form)
    assert body["findings"] == [
        {
            "category": "false-report",
            "description": "采样记录与现场不符",
            "due_on": "2026-04-15",
            "severity": "general",
        }
    ]


def test_lists_of_text_are_lines_and_free_mappings_are_not_offered() -> None:
    by_name = {f.name: f for f in _fields("open-activity")}
    assert by_name["participants"].kind == "lines"
    body = forms.body_of(list(by_name.values()), FormData([("participants", "a\n\n b \n")]))
    assert body["participants"] == ["a", "b"]
    assert "detection_rates" not in {f.name for f in _fields("generate-plan")}


def test_a_list_chosen_by_ticked_boxes_sends_every_choice() -> None:
    """A plan's institutions offered as boxes (the console's chooser) post one value each."""
    fields = _fields("open-activity")
    participants = next(f for f in fields if f.name == "participants")
    assert participants.kind == "lines"
    form = FormData([("plan_id", "p1"), ("participants", "i1"), ("participants", "i2")])
    assert forms.body_of(fields, form)["participants"] == ["i1", "i2"]
