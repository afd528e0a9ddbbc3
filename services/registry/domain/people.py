"""Personal data rules: resident ID numbers (GB 11643-1999) and public name masking (P3)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_number_problem(number: str) -> str | None:
    if len(number) != 18 or not number[:17].isdigit():
        return "must be 17 digits and a check character"
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "characters 7-14 must be a date of birth"
    expected = _CHECK[sum(int(c) * w for c, w in zip(number[:17], _WEIGHTS, strict=True)) % 11]
    if number[17].upper() != expected:
        return "check character does not match (GB 11643-1999)"
    return None


def make_id_number(first17: str) -> str:
    """A valid number from 17 digits (demo data and tests)."""
    return first17 + _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def person_ref(id_number: str, key: str) -> str:
    """A keyed hash: unique per person, useless without the key, safe on Kafka and in logs."""
    return hmac.new(key.encode(), id_number.upper().encode(), hashlib.sha256).hexdigest()[:32]


def mask_name(name: str) -> str:
    """张三 → 张*, 张三丰 → 张*丰, 欧阳娜娜 → 欧**娜."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
