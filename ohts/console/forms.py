"""A command's form, made from the service's own OpenAPI document (the request body's JSON
Schema), and the form's answer turned back into the command's JSON body.

Why from OpenAPI: the console is a presentation layer; the services own their commands, so
a field a service adds appears on the page without a second copy of the model here. Lists
of text are one item per line; lists of objects are a few rows of inputs (empty rows are
left out); booleans are check boxes; codes get a select with their Chinese names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ohts.console import words

ROWS = 3  # rows offered for a list of objects (roster, findings, contacts, projects)
_CHOICE = re.compile(r"^\^\(([a-z0-9|-]+)\)\$$")


@dataclass
class Field:
    name: str
    label: str
    kind: str  # text, textarea, number, date, checkbox, select, multi, flags, lines, rows
    required: bool = False
    choices: dict[str, str] = field(default_factory=dict)
    columns: list[Field] = field(default_factory=list)  # for rows
    default: Any = None
    hint: str = ""
    pick: str = ""  # a list page to choose the value from (institutions)


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return _resolve(document["components"]["schemas"][ref.rsplit("/", 1)[-1]], document)
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if options:
        return {
            **_resolve(options[0], document),
            **{k: v for k, v in schema.items() if k != "anyOf"},
        }
    return schema


def _choices(name: str, schema: dict[str, Any], command: str) -> dict[str, str]:
    if name == "kind" and command in words.KIND_CHOICES:
        return words.KIND_CHOICES[command]
    if "enum" in schema:
        table = words.CHOICES.get(name, {})
        return {str(v): table.get(str(v), str(v)) for v in schema["enum"]}
    found = _CHOICE.match(schema.get("pattern", ""))
    if found:
        table = words.CHOICES.get(name, {})
        return {v: table.get(v, v) for v in found.group(1).split("|")}
    if name in words.CODED_ONLY:  # a free text of that name (a campaign's title) is text
        return {}
    return dict(words.CHOICES.get(name, {}))


def field_of(
    name: str, schema: dict[str, Any], required: bool, document: dict[str, Any], command: str
) -> Field:
    s = _resolve(schema, document)
    label = words.field(name)
    kind_of = s.get("type")
    if kind_of == "object" and "properties" not in s:
        if name in words.FLAGS:  # yes/no per fixed key: one check box each
            return Field(name, label, "flags", required, dict(words.FLAGS[name]))
        return Field(name, label, "skip")  # a free mapping (e.g. detection rates): API only
    if kind_of == "array":
        items = _resolve(s.get("items", {}), document)
        if items.get("type") == "object" or "properties" in items:
            needed = set(items.get("required", []))
            # A row's inputs are never required in the browser: empty rows are left out.
            cols = [
                field_of(n, p, False, document, command)
                for n, p in items.get("properties", {}).items()
            ]
            del needed
            return Field(name, label, "rows", required, columns=cols)
        choices = _choices(name, items, command)
        if choices:
            return Field(name, label, "multi", required, choices)
        return Field(name, label, "lines", required)
    choices = _choices(name, s, command)
    default = s.get("default")
    if kind_of == "boolean":
        return Field(name, label, "checkbox", False, default=default)
    if choices:
        return Field(name, label, "select", required, choices, default=default)
    if s.get("format") == "date":
        return Field(name, label, "date", required, default=default)
    if kind_of in ("integer", "number") or s.get("format") == "decimal":
        return Field(name, label, "number", required, default=default)
    long = (s.get("maxLength") or 0) > 300
    return Field(name, label, "textarea" if long else "text", required, default=default)


def fields_of(document: dict[str, Any], method: str, path: str) -> tuple[str, list[Field]]:
    """The command's name and its form's fields (none for a command without a body)."""
    operation = document.get("paths", {}).get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return "", []
    ref = content["schema"].get("$ref", "")
    command = ref.rsplit("/", 1)[-1]
    schema = _resolve(content["schema"], document)
    needed = set(schema.get("required", []))
    found = [
        field_of(n, p, n in needed, document, command)
        for n, p in schema.get("properties", {}).items()
        if n != "actor"
    ]
    return command, [f for f in found if f.kind != "skip"]


def _value(f: Field, form: Any, prefix: str = "") -> Any:
    key = prefix + f.name
    if f.kind == "checkbox":
        if form.get(key) == "on":
            return True
        return None if f.default is None and not f.required else False
    if f.kind == "multi":
        return [v for v in form.getlist(key) if v]
    if f.kind == "flags":
        ticked = set(form.getlist(key))
        return {code: code in ticked for code in f.choices}
    if f.kind == "lines":  # one per line, or one per ticked box when chosen from records
        texts = [str(t) for t in form.getlist(key)]
        return [line.strip() for text in texts for line in text.splitlines() if line.strip()]
    if f.kind == "rows":
        rows = []
        for i in range(ROWS):
            row = {c.name: _value(c, form, f"{key}.{i}.") for c in f.columns}
            # A row is left out when nothing differs from what the form offers by itself.
            defaults = {c.name: c.default for c in f.columns}
            if any(v not in (None, "", [], False, defaults[k]) for k, v in row.items()):
                rows.append({k: v for k, v in row.items() if v not in (None, "", [])})
        return rows
    text = str(form.get(key) or "").strip()
    return text or None


def body_of(fields: list[Field], form: Any) -> dict[str, Any]:
    """The JSON body: empty optional inputs are left out, so the service's defaults apply;
    numbers go as text (the services parse decimals exactly and name a bad one)."""
    body: dict[str, Any] = {}
    for f in fields:
        value = _value(f, form)
        if value in (None, []) and not f.required:
            continue
        if f.kind == "number" and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            body[f.name] = int(value)
        else:
            body[f.name] = value
    return body


def echo(fields: list[Field], form: Any) -> dict[str, Any]:
    """What the person typed, to fill the form again after a refusal."""
    values: dict[str, Any] = {}
    for key in form:
        items = form.getlist(key)
        values[key] = items if len(items) > 1 else items[0]
    return values
