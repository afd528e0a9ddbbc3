"""Schemathesis against each service's OpenAPI, the services running as processes: no 5xx
and no response that contradicts the schema, for every operation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from contracts.envelope import Role
from ohts.launcher import System
from ohts_kit.auth import issue_token
from tests.conftest import Servers
from tests.e2e.conftest import start_processes

pytestmark = pytest.mark.e2e

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Each service is fuzzed with the role that may call most of it, in a province's jurisdiction.
ROLES = {
    "registry": Role.REGISTRY_AUTHORITY,
    "qc": Role.QC_CENTRE,
    "enforcement": Role.SUPERVISION_UNIT,
    "reporting": Role.SUPERVISION_UNIT,
}


@pytest.fixture(scope="module")
def fuzzed(servers: Servers) -> Iterator[System]:
    system = start_processes(servers, "fuzz", OHTS_PUBLIC_RATE_LIMIT_PER_SECOND="0")
    try:
        yield system
    finally:
        system.stop()


@pytest.mark.parametrize("service", sorted(ROLES))
def test_no_server_error_and_responses_match_the_schema(fuzzed: System, service: str) -> None:
    schema = schemathesis.openapi.from_url(f"{fuzzed.url_of(service)}/openapi.json")
    token = issue_token(fuzzed.settings, role=ROLES[service], region_code="330000")
    headers = {"Authorization": f"Bearer {token}"}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert operations >= 5
    assert not failures, "\n\n".join(failures)
