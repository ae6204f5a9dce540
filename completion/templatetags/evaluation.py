"""{% load evaluation %}: the course evaluation's part of pages of the apps below, which
cannot import completion (the layers), and load this library instead."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from completion.selectors.evaluation import to_evaluate

register = template.Library()


@dataclass(frozen=True)
class Link:
    """A link on an activity's card: sessions' activity_item.html shows `evaluation_link`."""

    url: str
    label: str
    state: str = "to-evaluate"  # data-link, for CSS and tests


@register.simple_tag
def evaluation_links(activities, enrollment):
    """{% evaluation_links day.activities day.enrollment %} on my day: gives each activity the
    trainee may evaluate now an `evaluation_link` (待评价) to its form. One query, none when
    no activity of the day has ended that they attended; writes nothing on the page."""
    found = to_evaluate(activities, enrollment)
    for activity in activities:
        if activity.pk in found:
            url = reverse("completion:evaluation-answer", args=[activity.pk])
            activity.evaluation_link = Link(url, _("To evaluate"))
    return ""
