"""Generated interface documents: JSON Schema of every event, AsyncAPI of every service."""

from __future__ import annotations

import importlib
import json

from contracts.envelope import Envelope, all_event_types
from ohts_kit.settings import SERVICES, Settings


def _dump(doc: object) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render_all() -> dict[str, str]:
    """File name (relative to contracts/schemas) → content."""
    files = {"envelope.json": _dump(Envelope.model_json_schema())}
    for (event_type, version), cls in sorted(all_event_types().items()):
        producer, name = event_type.split(".", 1)
        schema = cls.model_json_schema()
        schema["x-event-type"] = event_type
        schema["x-schema-version"] = version
        schema["x-aggregate-type"] = cls.aggregate_type
        files[f"{producer}/{name}.v{version}.json"] = _dump(schema)
    settings = Settings(namespace="", kafka_bootstrap_servers="127.0.0.1:9092")
    for service in SERVICES:
        app = importlib.import_module(f"services.{service}.bootstrap").create_app(settings)
        spec = app.state.runtime.asyncapi().to_specification()
        files[f"asyncapi/{service}.json"] = _dump(json.loads(spec.to_json()))
    return files
