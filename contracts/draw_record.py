"""The public record of an inspection draw (E2), the same wherever it is read (enforcement's
API and the public portal): what docs/draw_reference.py recomputes a draw from."""

from __future__ import annotations

from typing import Any

from contracts.enforcement_v1 import InspectionDrawPublished


def public_record(e: InspectionDrawPublished) -> dict[str, Any]:
    return {
        "draw_id": e.draw_id,
        "plan_id": e.plan_id,
        "jurisdiction_region_code": e.jurisdiction_region_code,
        "year": e.year,
        "published_on": e.published_on.isoformat(),
        "algorithm": e.algorithm,
        "algorithm_version": e.algorithm_version,
        "seed": e.seed,
        "inputs": e.inputs,
        "inputs_sha256": e.inputs_sha256,
        "targets": [t.model_dump(mode="json") for t in e.targets],
        "exclusions": [x.model_dump(mode="json") for x in e.exclusions],
    }
