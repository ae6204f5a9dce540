from django import template

register = template.Library()


@register.filter
def letter(index):
    """0 → A, 1 → B …: the letter of an option."""
    return "ABCDEF"[index] if 0 <= index < 6 else ""


@register.filter
def percent(share):
    """0.53 → 53 %; None → —."""
    return "—" if share is None else f"{round(100 * share)} %"


@register.filter
def points(value):
    """3.0 → 3, 2.5 → 2.5: points and scores without a needless decimal."""
    if value is None or value == "":
        return "—"
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text
