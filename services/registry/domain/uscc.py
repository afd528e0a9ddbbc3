"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, Z, S, V). Characters 3–8 are the
registering authority's region code; the 18th is a check character over the first 17.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None when valid, else the reason (for the error message)."""
    if len(code) != 18:
        return f"must be 18 characters, got {len(code)}"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return f"characters {''.join(bad)!r} are not allowed (GB 32100 alphabet)"
    if not code[2:8].isdigit():
        return "characters 3-8 must be the registering authority's region code"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, GB 32100 gives {expected!r}"
    return None


def make_uscc(region_code: str, serial: str, prefix: str = "12") -> str:
    """Build a valid code (demo data and tests): prefix + region + 9-char org code + check."""
    body = f"{prefix}{region_code}{serial}"
    if len(body) != 17:
        raise ValueError("prefix (2) + region (6) + serial (9) must be 17 characters")
    return body + check_character(body)
