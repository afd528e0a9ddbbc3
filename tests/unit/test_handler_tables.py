"""Every event type on a topic a service subscribes to is handled or ignored on purpose
(issue 15, point 3): a new event type nobody handles fails here, not silently in production."""

import pytest

import contracts.enforcement_v1
import contracts.qc_v1
import contracts.registry_v1  # noqa: F401  (registers every contract type)
from ohts_kit.handlers import EventHandlers, types_of_producer
from services.registry.application.policies import policies as registry_policies
from services.registry.bootstrap import SPEC as REGISTRY

TABLES: dict[str, tuple[EventHandlers, tuple[str, ...]]] = {
    "registry": (registry_policies, REGISTRY.consumes),
}


@pytest.mark.parametrize("service", sorted(TABLES))
def test_every_type_on_a_subscribed_topic_is_handled_or_ignored(service: str) -> None:
    table, topics = TABLES[service]
    assert topics, f"{service} subscribes to nothing"
    for producer in topics:
        on_topic = types_of_producer(producer)
        assert on_topic, f"no contract types for {producer}"
        assert table.unaccounted(on_topic) == set(), f"{service} on {producer}"


@pytest.mark.parametrize("service", sorted(TABLES))
def test_no_handler_or_ignore_names_a_type_of_another_topic(service: str) -> None:
    table, topics = TABLES[service]
    subscribed = set().union(*(types_of_producer(p) for p in topics))
    assert (table.handled | set(table.ignored)) - subscribed == set()


def test_a_handled_type_cannot_also_be_ignored() -> None:
    for service, (table, _) in TABLES.items():
        assert table.handled & set(table.ignored) == set(), service
