"""How the exams app writes and rounds a score."""

from decimal import ROUND_HALF_UP, Decimal


def plain(value):
    """10.0 → "10", 7.5 → "7.5": a number as a person writes it, for messages."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def tenth(value):
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
