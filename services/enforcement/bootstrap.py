"""The enforcement service's only wiring point.

Foundation stage: it publishes its topic and consumes registry events into its inbox, so
the platform paths (relay, idempotent consumer, readiness) run for it as for the others.
"""

from __future__ import annotations

from fastapi import FastAPI

from ohts_kit.clock import Clock
from ohts_kit.service import ServiceSpec, create_service_app
from ohts_kit.settings import Settings

SPEC = ServiceSpec(name="enforcement", publishes=True, consumes=("registry",))


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(SPEC, settings, title="OHTS enforcement (监督执法)", clock=clock)
