"""The registry's application object: the kit's, plus its policy, calendar and views."""

from __future__ import annotations

from ohts_kit.application import Application, Ports, Projector
from ohts_kit.workdays import WorkCalendar
from services.registry.adapters.views import Views
from services.registry.domain.policy import RegistryPolicy


class Registry(Application):
    """Everything a registry handler needs, built once by bootstrap."""

    def __init__(
        self,
        ports: Ports,
        policy: RegistryPolicy,
        calendar: WorkCalendar,
        personal_data_key: str,
        project: Projector | None = None,
    ) -> None:
        self.views = Views(calendar, policy)
        super().__init__(ports, project or self.views.project)
        self.policy = policy
        self.calendar = calendar
        self.personal_data_key = personal_data_key


def registry_of(rt: object) -> Registry:
    registry: Registry = rt.extras["registry"]  # type: ignore[attr-defined]
    return registry
