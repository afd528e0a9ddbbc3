"""The compose file speaks the settings' language: every variable it gives a service is read."""

from pathlib import Path

import yaml

from ohts_kit.settings import SERVICES, Settings

ROOT = Path(__file__).resolve().parents[2]


def settings_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        names.add(f"OHTS_{name.upper()}")
        alias = field.validation_alias
        for choice in getattr(alias, "choices", []):
            names.add(str(choice))
    return names


def test_every_service_variable_in_compose_is_a_setting() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    known = settings_names()
    for service in SERVICES:
        env = compose["services"][service]["environment"]
        unknown = set(env) - known
        assert not unknown, f"{service} sets variables no setting reads: {unknown}"
        assert {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"} <= set(env)
        assert compose["services"][service]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert "healthcheck" in compose["services"][service]


def test_compose_uses_official_kafka_in_kraft_mode() -> None:
    kafka = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## ", 2)[1]
    assert "make run" in quick_start and "make test" in quick_start
    assert "make test" in (ROOT / ".ci" / "run").read_text()
