"""Messages no consumer can apply: what the fuzz and fault tests feed the topics."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

from contracts.envelope import all_event_types

POISON_ID_PREFIX = "01900000-0000-700"


def poison(seed: int) -> list[bytes]:
    """Random bytes, truncated envelopes, and envelopes of known types with broken payloads;
    every event id starts with POISON_ID_PREFIX, so a test can prove none was applied."""
    rng = random.Random(seed)
    good = {
        "event_id": "01900000-0000-7000-8000-000000000000",
        "event_type": "registry.InstitutionRegistered",
        "schema_version": 1,
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        "recorded_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
        "producer": "registry",
        "aggregate_type": "Institution",
        "aggregate_id": "fuzz",
        "aggregate_version": 1,
        "institution_id": "fuzz",
        "region_code": "330106",
        "correlation_id": "fuzz",
        "actor": {"subject": "fuzz", "role": "system", "region_code": "330000"},
        "payload": {},
    }
    types = sorted(t for t, _ in all_event_types())
    out: list[bytes] = []
    for n in range(6):
        out.append(rng.randbytes(rng.randint(0, 64)))
        whole = json.dumps({**good, "event_id": f"01900000-0000-7000-8000-{seed:06d}{n:06d}"})
        out.append(whole[: rng.randint(1, len(whole) - 1)].encode())
        broken = {
            **good,
            "event_id": f"01900000-0000-7001-8000-{seed:06d}{n:06d}",
            "event_type": rng.choice(types),
            "payload": {"institution_id": rng.choice([None, 7, [], "x"])},
        }
        out.append(json.dumps(broken).encode())
    return out
