"""The dashboards' filters: a value shown by its kind, and a mapping read in a template."""

from django import template

register = template.Library()


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
