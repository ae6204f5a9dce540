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


@register.filter
def cell(value, kind):
    """A dashboard value by its kind: score 83.2, rate 94.6%, count 12, pair 63.7 → 83.2,
    fraction 30 / 94."""
    if kind == "pair":
        return f"{cell(value[0], 'score')} → {cell(value[1], 'score')}"
    if kind == "fraction":
        return f"{value[0]} / {value[1]}"
    if value is None or value == "":
        return "—"
    if kind == "rate":
        return f"{value:.1f}%"
    if kind == "date":
        return value.strftime("%Y-%m-%d")
    if kind == "score":
        return f"{value:.1f}"
    return value


@register.filter
def item(mapping, key):
    """mapping[key] in a template (None if missing)."""
    return mapping.get(key)
