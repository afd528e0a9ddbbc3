"""docs/rules.md names every rule ID the code cites, and every test it names exists."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RULE_ID = re.compile(r"(?<![A-Za-z0-9_])([RQEPF][1-9]a?)(?![0-9A-Za-z_])")
ROW = re.compile(r"^\| ([RQEPF][1-9]a?) \|(.+)\|(.+)\|(.+)\|$")


def catalogue() -> dict[str, list[str]]:
    rows = {}
    for line in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8").splitlines():
        if m := ROW.match(line):
            rows[m.group(1)] = [t.strip() for t in m.group(4).split(",") if t.strip()]
    return rows


def cited() -> dict[str, str]:
    """Rule IDs in comments, docstrings and strings of the production code."""
    ids: dict[str, str] = {}
    for folder in ("services", "ohts_kit", "ohts", "contracts"):
        for path in (ROOT / folder).rglob("*.py"):
            for rule in RULE_ID.findall(path.read_text(encoding="utf-8")):
                ids.setdefault(rule, str(path.relative_to(ROOT)))
    return ids


def test_every_cited_rule_is_in_the_catalogue() -> None:
    known = catalogue()
    missing = {rule: where for rule, where in cited().items() if rule not in known}
    assert not missing, f"cited but not in docs/rules.md: {missing}"


def test_every_rule_has_a_source_and_a_test() -> None:
    for rule, tests in catalogue().items():
        assert tests, f"{rule} names no test"


def test_every_test_the_catalogue_names_exists() -> None:
    absent = []
    for rule, tests in catalogue().items():
        for ref in tests:
            file, _, name = ref.partition("::")
            path = ROOT / file
            names = (
                {
                    n.name
                    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                }
                if path.exists()
                else set()
            )
            if name not in names:
                absent.append((rule, ref))
    assert not absent, f"docs/rules.md names tests that do not exist: {absent}"
