"""{% activity_cards activities next now %}: the trainee's activity cards, the <li> items of
my day and of the whole timetable.

The same markup as timetable/includes/activity_item.html, put together here from the parts
the whole group shares (rendered once per timetable version and language: group_timetable's
card_head and card_details) and the trainee's own state (badges, the link to evaluate, the
countdown to the next). An include per card cost more than the rest of my day; this costs a
string join. activity_item.html stays the reference for the markup and renders cards without
their parts.
"""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from trainees.markers import marker

register = template.Library()

PARTS = {
    "card_head": "timetable/includes/activity_card_head.html",
    "card_details": "timetable/includes/activity_card_details.html",
}


def part(activity, name):
    html = getattr(activity, name, None)
    if html is None:  # not from group_timetable: rendered here
        html = render_to_string(PARTS[name], {"activity": activity})
    return html


def states_html(activity):
    """The trainee's badges on the card (with_records' .badges)."""
    badges = getattr(activity, "badges", None)
    if not badges:
        return ""
    return format_html(
        '<div class="card-states my-1">{}</div>',
        format_html_join(
            "",
            '<span class="badge card-state text-bg-{} me-1" data-state="{}">{}</span>',
            ((badge.tone, badge.state, badge.label) for badge in badges),
        ),
    )


def evaluation_html(activity):
    """The link to evaluate the activity (completion's {% evaluation_links %} puts it on)."""
    link = getattr(activity, "evaluation_link", None)
    if not link:
        return ""
    return format_html(
        '<a class="btn btn-sm btn-primary mt-1 evaluation-link" data-link="{}" href="{}">{} ›</a>',
        link.state,
        link.url,
        link.label,
    )


def states_hole(activity):
    return marker(f"states:{activity.pk}")


def evaluation_hole(activity):
    return marker(f"evaluation:{activity.pk}")


def holes_of(activities):
    """{marker: html} of the trainee's own parts of these cards, for a page rendered with
    holes (sessions.pages)."""
    holes = {}
    for activity in activities:
        holes[states_hole(activity)] = states_html(activity)
        holes[evaluation_hole(activity)] = evaluation_html(activity)
    return holes


def card(activity, next_activity, now, holes):
    classes = f"list-group-item kind-{activity.kind}"
    is_next = next_activity is not None and activity.pk == next_activity.pk
    if is_next:
        classes += " next-activity"
    elif now and activity.ends_at < now:
        classes += " past-activity"
    countdown = ""
    if is_next:
        starts = timezone.localtime(activity.starts_at)
        countdown = format_html(
            '<div class="small fw-semibold mt-1" data-countdown="{}" data-ends="{}">{} · {}</div>',
            starts.isoformat(),
            timezone.localtime(activity.ends_at).isoformat(),
            _("Next"),
            starts.strftime("%H:%M"),
        )
    return format_html(
        '<li class="{}" data-activity="{}">{}{}{}{}{}</li>',
        classes,
        activity.pk,
        part(activity, "card_head"),
        mark_safe(states_hole(activity)) if holes else states_html(activity),
        part(activity, "card_details"),
        mark_safe(evaluation_hole(activity)) if holes else evaluation_html(activity),
        countdown,
    )


@register.simple_tag
def activity_cards(activities, next_activity=None, now=None, holes=False):
    """With `holes`, the trainee's own parts of each card are markers (holes_of fills them)."""
    # Each card is made by format_html: escaped.
    return mark_safe("".join(card(activity, next_activity, now, holes) for activity in activities))
