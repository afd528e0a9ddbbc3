"""Every event type on a topic qc subscribes to is handled or ignored on purpose, and so is
every type qc itself produces for its inline views: a new type cannot be dropped silently."""

import pytest

from ohts_kit.handlers import types_of_producer
from services.qc.adapters.views import learned, views
from services.qc.bootstrap import SPEC


@pytest.mark.parametrize("topic", SPEC.consumes)
def test_every_type_on_a_consumed_topic_is_handled_or_ignored(topic: str) -> None:
    assert types_of_producer(topic), f"no event types known for {topic}"
    assert learned.unaccounted(types_of_producer(topic)) == set()


def test_the_consumer_handles_only_types_of_its_topics_each_declared_once() -> None:
    assert set(SPEC.consumes) == {"registry", "enforcement"}
    on_topics = set().union(*(types_of_producer(t) for t in SPEC.consumes))
    assert learned.handled | set(learned.ignored) <= on_topics
    assert learned.handled & set(learned.ignored) == set()


def test_every_qc_event_has_its_view_or_is_ignored() -> None:
    own = types_of_producer("qc")
    assert views.unaccounted(own) == set()
    assert views.handled & set(views.ignored) == set()
    assert views.handled | set(views.ignored) == own
