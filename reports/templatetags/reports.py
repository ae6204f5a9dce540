"""The dashboards' filters: a value shown by its kind, and a mapping read in a template."""

from decimal import Decimal

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


NUMBERS = {int, Decimal, float}  # cell() writes them in digits, a sign, a point and a %


@register.simple_tag
def unit_options(units, chosen):
    """The <option>s of the units filter, `chosen` (a unit or None) selected: built here, as
    table_body, since a province lists a hundred and more branches."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((unit.pk, " selected" if unit == chosen else "", unit.name) for unit in units),
    )


@register.simple_tag
def table_body(table):
    """The <tr>s of a dashboard table, built here rather than by nested template loops: a
    province's dashboard lists hundreds of programs, and the template language took most of
    the request's time over their cells."""
    if not table.rows:
        return format_html(
            '<tr><td colspan="{}" class="text-body-secondary">{}</td></tr>',
            len(table.columns),
            _("Nothing yet."),
        )
    right = [kind not in ("text", "date") for _heading, kind in table.columns]
    lines = []
    for cells, link in table.lines:
        tds = []
        for index, (value, kind) in enumerate(cells):
            shown = cell(value, kind)
            if not (value is None or type(value) in NUMBERS):  # a number's figure is safe
                shown = conditional_escape(shown)
            if index == 0 and link:
                shown = format_html('<a href="{}">{}</a>', link, shown)
            tds.append(
                f'<td class="text-end">{shown}</td>' if right[index] else f"<td>{shown}</td>"
            )
        lines.append(f"<tr>{''.join(tds)}</tr>")
    return mark_safe("\n".join(lines))  # every value and link is escaped above
