"""Settings read from the environment; the names here are the deployment contract."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("registry", "qc", "enforcement", "reporting")
DEV_JWT_KEY = "ohts-embedded-demo-key-not-for-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OHTS_", extra="ignore", populate_by_name=True)

    env: Literal["dev", "production"] = "dev"
    database_url: str = Field(
        "postgresql://postgres@127.0.0.1:5432/ohts",
        validation_alias=AliasChoices("DATABASE_URL", "OHTS_DATABASE_URL"),
    )
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "OHTS_KAFKA_BOOTSTRAP_SERVERS"),
    )
    # Prefix for schemas and topics, so that tests (and tenants) never share state.
    namespace: str = ""
    kafka_partitions: int = 6
    kafka_replication_factor: int = 1
    kafka_idempotence: bool = False
    # A consumer's first join waits about this long on Tansu; Kafka's default is 10 s.
    kafka_session_timeout_ms: int = 10_000
    kafka_heartbeat_interval_ms: int = 3_000
    host: str = "127.0.0.1"
    reporting_port: int = 8080
    # Processes serving the reporting service (portal and console) on its one port; each
    # also applies the partitions its consumer is given, and their answer caches empty on any
    # process's commit (reporting migration 0011).
    reporting_workers: int = Field(1, ge=1, le=16)
    registry_port: int = 8081
    qc_port: int = 8082
    enforcement_port: int = 8083
    # Signing keys, comma separated: the first signs, all verify (key rotation).
    jwt_keys: str = ""
    jwt_ttl_minutes: int = 8 * 60
    log_level: str = "INFO"
    relay_batch_size: int = 500
    relay_poll_seconds: float = 0.2
    consumer_max_attempts: int = 5
    # How long a fetch waits for new records; also the idle latency floor of a consumer.
    consumer_fetch_max_wait_ms: int = Field(50, ge=1)
    # Events applied per fetched batch: one transaction (one fsync) for many of them.
    consumer_batch_size: int = 200
    consumer_backoff_seconds: float = 0.2
    # `ohts serve` exempts what start-up built from later garbage collections (gc_pauses).
    gc_freeze: bool = True
    db_pool_max: int = 10
    scheduler_interval_seconds: float = 60.0
    holiday_notices_dir: str = ""
    # Keyed hash of ID numbers (person_ref); like the JWT keys, required in production.
    personal_data_hash_key: str = ""
    registry_validity_years: int = 5
    registry_renewal_lead_months: int = 3
    registry_card_due_working_days: int = 20
    registry_max_registrations_per_person: int = 1  # R6 part-time posts: unconfirmed
    db_command_timeout_seconds: float = 10.0
    # Limits (issue 8): request bodies, public read rate per client address (0: off).
    max_body_bytes: int = 2_000_000
    public_rate_limit_per_second: float = 50.0
    public_rate_limit_burst: int = 100
    # Memory for public answers kept until the read models change (0: keep none).
    portal_cache_mb: int = Field(16, ge=0, le=1024)
    # Issue 18.2: a date outside these years (query or JSON body) is refused at the door.
    input_year_min: int = 1900
    input_year_max: int = 2200
    # Served over HTTPS (directly or behind a TLS proxy): cookies Secure, HSTS (issue 18.7).
    https: bool = False
    # Issue 18.5: how long an Idempotency-Key's first answer is kept (never under 24 h).
    idempotency_ttl_hours: float = 48.0
    # Kafka authentication (production compose): SASL/SCRAM-SHA-512, optionally over TLS.
    kafka_sasl_username: str = ""
    kafka_sasl_password: str = ""
    kafka_use_tls: bool = False
    kafka_tls_cafile: str = ""
    # Staff console (issue 19), mounted by the reporting process: its path, the session's
    # life (renewed while active), the lockout after repeated wrong passwords.
    console_prefix: str = "/console"
    console_session_seconds: int = 30 * 60
    console_lockout_attempts: int = 5
    console_lockout_minutes: int = 15
    # Where the console reaches the services' APIs; empty: http://host:port of each.
    registry_url: str = ""
    qc_url: str = ""
    enforcement_url: str = ""
    reporting_url: str = ""
    # P2: fines below this (with or without a warning) are recorded but not published.
    publicity_fine_threshold_yuan: Decimal = Decimal(0)
    # F1: no world date of an enforcement fact before this one is accepted.
    earliest_fact_date: date = date(2019, 1, 1)

    def port_of(self, service: str) -> int:
        return int(getattr(self, f"{service}_port"))

    def url_of(self, service: str) -> str:
        configured = str(getattr(self, f"{service}_url", "")).rstrip("/")
        return configured or f"http://{self.host}:{self.port_of(service)}"

    def schema_of(self, service: str) -> str:
        return f"{self.namespace}{service}".replace("-", "_").replace(".", "_")

    def topic_of(self, service: str) -> str:
        return f"{self.namespace}ohts.{service}.events"

    def marker_topic_of(self, service: str) -> str:
        """Created by the service's relay when it starts publishing into a broker; its absence
        later means the broker lost its data (the embedded one keeps nothing across a restart)."""
        return f"{self.namespace}ohts.{service}.relay-marker"

    @property
    def dlq_topic(self) -> str:
        return f"{self.namespace}ohts.dlq"

    def personal_data_key(self) -> str:
        if self.personal_data_hash_key:
            return self.personal_data_hash_key
        if self.env == "production":
            raise RuntimeError("OHTS_PERSONAL_DATA_HASH_KEY must be set in production")
        return "ohts-embedded-demo-personal-data-key"

    def signing_keys(self) -> list[str]:
        keys = [k.strip() for k in self.jwt_keys.split(",") if k.strip()]
        if keys:
            return keys
        if self.env == "production":
            raise RuntimeError("OHTS_JWT_KEYS must be set in production (no default signing key)")
        return [DEV_JWT_KEY]


def settings_from(env: Mapping[str, str]) -> Settings:
    """Settings as a child process given `env` will see them."""
    values: dict[str, Any] = {
        key[5:].lower(): value
        for key, value in env.items()
        if key.startswith("OHTS_") and key[5:].lower() in Settings.model_fields
    }
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        if name in env:
            values[name.lower()] = env[name]
    return Settings(**values)
