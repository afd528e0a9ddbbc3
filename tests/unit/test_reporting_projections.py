"""The reporting read models account for every event type on the topics they subscribe to."""

from __future__ import annotations

import inspect
import re

import pytest

from ohts_kit.handlers import types_of_producer
from ohts_kit.settings import Settings
from services.reporting.application.rebuild import PRODUCERS
from services.reporting.bootstrap import SPEC
from services.reporting.projections import Bulk, catalog


def test_the_live_consumer_and_the_rebuild_read_the_same_topics() -> None:
    assert set(SPEC.consumes) == set(PRODUCERS) == set(catalog.BY_PRODUCER)


@pytest.mark.parametrize("producer", SPEC.consumes)
def test_every_type_on_a_topic_is_projected_or_ignored_with_a_reason(producer: str) -> None:
    table = catalog.BY_PRODUCER[producer]
    on_topic = types_of_producer(producer)
    assert on_topic, f"no contracts found for {producer}"
    assert table.unaccounted(on_topic) == set()
    assert table.handled <= on_topic, "a handler for a type its topic never carries"
    assert set(table.ignored) <= on_topic
    assert table.handled.isdisjoint(table.ignored), "a type both handled and ignored"
    assert all(why.strip() for why in table.ignored.values())


def test_each_type_has_one_projection_table_and_the_consumer_gets_them_all() -> None:
    tables = list(catalog.BY_PRODUCER.values())
    assert sum(len(t.handled) for t in tables) == len(catalog.views.handled)
    bound = catalog.handlers(Settings())
    assert set(bound) == set().union(*(t.handled for t in tables))
    # The rebuild's batched projections are ones the live consumer applies too.
    assert set(catalog.bulk()) <= set(bound)


@pytest.mark.parametrize("bulk", catalog.bulk().values(), ids=lambda b: b.table)
def test_a_bulk_table_names_every_type_whose_handler_changes_its_rows(bulk: Bulk) -> None:
    """A rebuild lets a bulk table's gathered rows wait past any other handler but those of
    `changed_by`: a handler that writes the table and is missing there would run before the
    rows it changes exist (the rebuild would then differ from live)."""
    writers = set()
    for event_type in catalog.views.handled:
        for fn in catalog.views.functions(event_type):
            own = getattr(fn, "__self__", None) is bulk
            if not own and re.search(rf"\b{bulk.table}\b", inspect.getsource(fn)):
                writers.add(event_type)
    assert writers == {t.event_type for t in bulk.changed_by}
    assert catalog.views.functions(bulk.payload.event_type) == [bulk.apply]
