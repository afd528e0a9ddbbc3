"""Errors the domain and the kit raise; the HTTP shell maps each to one status code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    """Base for refusals a user can act on."""


@dataclass
class Violation:
    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


class InvalidCommand(DomainError):
    """HTTP 422: the input breaks a rule; each violation names the field and the rule."""

    def __init__(self, *violations: Violation) -> None:
        self.violations = list(violations)
        super().__init__("; ".join(f"{v.field}: {v.message} [{v.rule}]" for v in violations))

    @classmethod
    def of(cls, field: str, rule: str, message: str) -> InvalidCommand:
        return cls(Violation(field, rule, message))


@dataclass
class Conflict(DomainError):
    """HTTP 409: the command does not fit the current state."""

    message: str
    rule: str = "state"
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)


class NotFound(DomainError):
    """HTTP 404."""


class Forbidden(DomainError):
    """HTTP 403: outside the caller's role or jurisdiction."""


class ConcurrencyConflict(Conflict):
    """Another writer appended to the stream first (optimistic concurrency)."""

    def __init__(self, stream_id: str, expected: int, actual: int | None = None) -> None:
        super().__init__(
            f"stream {stream_id} is not at version {expected}"
            + (f" (it is at {actual})" if actual is not None else ""),
            rule="expected_version",
            details={
                "stream_id": stream_id,
                "expected_version": expected,
                "actual_version": actual,
            },
        )
        self.stream_id = stream_id
        self.expected = expected
