"""The scan of every test's captured output for ID numbers (tests/conftest.py, issue 8)."""

from services.registry.domain.people import make_id_number
from tests.conftest import id_numbers_in


def test_the_scan_finds_a_valid_id_number_and_passes_lookalikes() -> None:
    valid = make_id_number("33010619800101001")
    wrong_check = valid[:-1] + ("1" if valid[-1] == "0" else "0")
    sections = [
        ("Captured stderr call", f'{{"event": "staff.registered", "id": "{valid}"}}'),
        (
            "Captured log call",
            f"uscc 91330106MA2H00001X, typo {wrong_check}, n 1234567890123456789",
        ),
    ]
    assert id_numbers_in(sections) == [("Captured stderr call", valid)]
