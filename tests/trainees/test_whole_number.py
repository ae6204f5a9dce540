"""trainees.text.whole_number: what an id or a count that came in as text may be."""

import pytest

from trainees.text import MOST, whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("7", 7),
        ("007", 7),
        (12, 12),
        (str(MOST), MOST),
        ("9" * 9, 999_999_999),
    ],
)
def test_ascii_digits_up_to_the_database_integer_are_read(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "²",  # "²".isdigit() is true, int("²") raises
        "٣",  # int() reads it as 3
        "３",  # full width: int() reads it as 3
        " 3",
        "3 ",
        "-1",
        "+1",
        "1_000",
        "1.0",
        str(MOST + 1),
        "9" * 30,
        "9" * 5000,  # int() refuses more than 4,300 digits
        "0" * 11 + "1",  # longer than the largest, whatever its value
    ],
)
def test_anything_else_is_none(text):
    assert whole_number(text) is None


def test_a_bound_of_its_own():
    assert whole_number("32767", most=32_767) == 32_767
    assert whole_number("32768", most=32_767) is None
