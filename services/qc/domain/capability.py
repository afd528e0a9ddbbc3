"""Capability register (能力提升底档库, Yunnan 附表1, seed 001 §二(一)1): a technical-support
institution checked against the construction standard, aspect by aspect (the seed's self-check
names staff, premises, equipment and support capability), with gaps and a plan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from contracts.envelope import EventPayload
from contracts.qc_v1 import CapabilityAssessed
from ohts_kit.errors import InvalidCommand

AGGREGATE = "CapabilityRecord"
NOUN = "capability record"
ASPECTS = {
    "staff": "人才队伍建设",
    "premises": "场所建设",
    "equipment": "仪器设备配置",
    "support": "支撑能力建设",
}


def record_id(institution_id: str, year: int) -> str:
    return f"{institution_id}:{year}"


@dataclass(frozen=True)
class Record:
    record_id: str
    assessed: bool = False


def fold(record_id: str, events: Iterable[EventPayload]) -> Record:
    return Record(record_id, any(isinstance(e, CapabilityAssessed) for e in events))


def assess(
    institution_id: str,
    year: int,
    meets: dict[str, bool],
    gaps: str,
    plan: str,
    note: str | None,
    today: date,
) -> list[EventPayload]:
    """Every aspect answered; an aspect not met needs its gap and a plan."""
    if missing := sorted(set(ASPECTS) - set(meets)):
        raise InvalidCommand.of("meets", "每项均填是/否", f"未填：{'、'.join(missing)}")
    if unknown := sorted(set(meets) - set(ASPECTS)):
        raise InvalidCommand.of("meets", " | ".join(ASPECTS), f"未知项：{'、'.join(unknown)}")
    if not all(meets.values()) and (not gaps.strip() or not plan.strip()):
        raise InvalidCommand.of(
            "gaps", "不符合时须说明不符合之处和能力提升计划", "gaps 或 improvement_plan 为空"
        )
    if year > today.year:
        raise InvalidCommand.of("year", "not in the future", f"{year} is after {today.year}")
    return [
        CapabilityAssessed(
            institution_id=institution_id,
            year=year,
            meets={k: meets[k] for k in ASPECTS},
            gaps=gaps,
            improvement_plan=plan,
            note=note,
            assessed_on=today,
        )
    ]
