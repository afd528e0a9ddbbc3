"""The supervisor's restart plan and the replicas' names and ports (no processes here)."""

from __future__ import annotations

from ohts.launcher import MAX_BACKOFF_SECONDS, STABLE_SECONDS, Restart, System, service_of
from ohts_kit.settings import Settings


def test_backoff_doubles_per_crash_up_to_a_ceiling_and_resets_after_a_stable_run() -> None:
    plan = Restart(started=0.0)
    delays = [plan.schedule(now=1.0) for _ in range(8)]
    assert delays == [0.5, 1, 2, 4, 8, 16, MAX_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS]
    plan.started = 100.0
    assert plan.schedule(now=100.0 + STABLE_SECONDS + 1) == 0.5
    assert plan.due == 100.0 + STABLE_SECONDS + 1.5


def test_replicas_are_named_and_placed_ten_ports_apart() -> None:
    system = System(settings=Settings(registry_port=9001, reporting_port=9000), env={}, replicas=2)
    assert system.instances(("registry", "reporting")) == [
        "registry",
        "reporting",
        "registry-2",
        "reporting-2",
    ]
    assert [system.port_of(i) for i in system.instances(("registry", "reporting"))] == [
        9001,
        9000,
        9011,
        9010,
    ]
    assert service_of("reporting-2") == "reporting" and service_of("qc") == "qc"
