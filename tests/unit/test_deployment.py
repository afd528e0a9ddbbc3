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


def test_production_profile_authenticates_and_has_no_default_secret() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)["services"]
    known = settings_names()
    for service in SERVICES:
        prod = compose[f"{service}-prod"]
        assert prod["profiles"] == ["production"]
        assert compose[service]["profiles"] == ["dev"]
        env = prod["environment"]
        assert not set(env) - known
        assert env["OHTS_ENV"] == "production"
        assert env["OHTS_KAFKA_SASL_USERNAME"] == "ohts"
        for secret in ("OHTS_JWT_KEYS", "OHTS_PERSONAL_DATA_HASH_KEY", "OHTS_KAFKA_SASL_PASSWORD"):
            assert ":?" in env[secret], f"{secret} must be required, never defaulted"
        assert ":?" in env["DATABASE_URL"] and "kafka-secure" in env["KAFKA_BOOTSTRAP_SERVERS"]
    kafka = compose["kafka-secure"]["environment"]
    assert kafka["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert "SASL_PLAINTEXT" in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
    assert ":?" in compose["postgres-secure"]["environment"]["POSTGRES_PASSWORD"]
    example = (ROOT / "deploy" / "production.env.example").read_text()
    for name in ("POSTGRES_PASSWORD", "KAFKA_SCRAM_PASSWORD", "OHTS_JWT_KEYS"):
        assert f"{name}=\n" in example  # listed, and empty: the operator sets it
    assert "deploy/production.env" in (ROOT / ".gitignore").read_text()
