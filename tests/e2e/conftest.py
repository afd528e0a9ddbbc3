"""The four services as processes on the session's servers."""

from __future__ import annotations

from ohts.embedded import free_port
from ohts.launcher import System, start_system
from ohts_kit.settings import SERVICES
from tests.conftest import Servers, new_namespace


def start_processes(servers: Servers, name: str, **extra: str) -> System:
    env = {
        "DATABASE_URL": servers.database_url,
        "KAFKA_BOOTSTRAP_SERVERS": servers.bootstrap_servers,
        "OHTS_NAMESPACE": new_namespace(),
        "OHTS_KAFKA_PARTITIONS": "3",
        "OHTS_RELAY_POLL_SECONDS": "0.05",
        "OHTS_KAFKA_SESSION_TIMEOUT_MS": "2000",
        "OHTS_KAFKA_HEARTBEAT_INTERVAL_MS": "500",
        **{f"OHTS_{s.upper()}_PORT": str(free_port()) for s in SERVICES},
        **extra,
    }
    return start_system(servers.workdir / name, extra_env=env)
