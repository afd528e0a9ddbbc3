import pytest

from ohts_kit import regions
from services.registry.domain.uscc import check_character, make_uscc, uscc_problem


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341L",  # published code of a Beijing company
        make_uscc("330106", "470000001"),
    ],
)
def test_valid_codes_pass(code: str) -> None:
    assert uscc_problem(code) is None


def test_check_character_is_computed_per_gb32100() -> None:
    # 9111000060003734 1 + check: weights 1,3,9,27,... mod 31
    assert check_character("91110000600037341") == "L"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91110000600037341", "18 characters"),
        ("91110000600037341M", "check character is 'M'"),
        ("9111000060003734IL", "not allowed"),
        ("91ABCDEF600037341L", "region code"),
    ],
)
def test_invalid_codes_say_why(code: str, fragment: str) -> None:
    problem = uscc_problem(code)
    assert problem is not None and fragment in problem


def test_region_codes_come_from_the_published_list() -> None:
    assert regions.is_valid("330106")
    assert regions.lookup("330100").name == "杭州市"  # type: ignore[union-attr]
    assert regions.lookup("330000").level == "province"  # type: ignore[union-attr]
    assert not regions.is_valid("339999")
    assert not regions.is_valid("33010")


@pytest.mark.parametrize(
    ("jurisdiction", "region", "inside"),
    [
        ("330000", "330106", True),
        ("330100", "330106", True),
        ("330106", "330106", True),
        ("330100", "330200", False),
        ("330000", "530102", False),
        ("330106", "330105", False),
    ],
)
def test_jurisdiction_covers_children_only(jurisdiction: str, region: str, inside: bool) -> None:
    assert regions.covers(jurisdiction, region) is inside
