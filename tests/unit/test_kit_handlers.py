"""The kit's event-handler table: declared once, bound to a context, checked for coverage."""

from contracts.envelope import Envelope
from contracts.registry_v1 import InstitutionRegistered, StaffLeft, StaffRegistered
from ohts_kit.handlers import EventHandlers, types_of_producer
from tests.integration.helpers import envelope_of, registered


async def test_handlers_run_in_declaration_order_with_their_context() -> None:
    table: EventHandlers[list[str]] = EventHandlers("t")

    @table.on(InstitutionRegistered)
    async def first(seen: list[str], conn: object, env: Envelope, e: InstitutionRegistered) -> None:
        seen.append(f"first:{e.institution_id}")

    @table.on(InstitutionRegistered, StaffRegistered, appends=True)
    async def second(seen: list[str], conn: object, env: Envelope, e: object) -> None:
        seen.append("second")

    seen: list[str] = []
    bound = table.bind(seen)
    payload = registered("i-1").payload
    await bound[InstitutionRegistered.event_type](
        None, envelope_of("registry", payload, "i-1"), payload
    )  # type: ignore[arg-type]
    assert seen == ["first:i-1", "second"]
    assert getattr(bound[InstitutionRegistered.event_type], "may_append", False)
    assert set(bound) == {InstitutionRegistered.event_type, StaffRegistered.event_type}


def test_a_type_neither_handled_nor_ignored_is_unaccounted() -> None:
    table: EventHandlers[None] = EventHandlers("t")
    table.ignore(StaffLeft, why="not needed")
    registry_types = types_of_producer("registry")
    assert StaffRegistered.event_type in table.unaccounted(registry_types)
    assert StaffLeft.event_type not in table.unaccounted(registry_types)
    assert all(t.startswith("registry.") for t in registry_types)
