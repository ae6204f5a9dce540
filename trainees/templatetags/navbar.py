"""{% navbar %}: the site's navigation bar (templates/includes/navbar.html).

It is the same for every account of a kind (trainee, organizer, leader, staff) in a language,
and rendering it (a dozen URLs, twenty translations) cost more than the rest of a trainee's
page: so it is rendered once per process for each such kind and language, with markers where
the request's own values go, which are then put in, escaped: the account's name, the CSRF
token of its two forms (sign out, language) and the path the language switch returns to.
"""

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from trainees.markers import marker
from trainees.permissions import reads_programs
from trainees.roles import user_roles

register = template.Library()

NAME, TOKEN, PATH = marker("name"), marker("token"), marker("path")
RENDERED = {}  # {(language, prefix, urlconf, kind of account): html with the markers}


def display_name(user):
    """The name the navbar shows: the trainee's, else the account's full name or username."""
    try:
        name = user.trainee.name  # set by the trainee's pages when they read it anyway
    except (AttributeError, ObjectDoesNotExist):
        name = ""
    return name or user.get_full_name() or user.get_username()


def navbar_kind(request):
    """What the navbar shows differs by: (signed in, roles, reads the programs, staff)."""
    user = request.user
    roles = user_roles(user)
    reads = roles.organizer or (roles.leadership and reads_programs(user))
    return (user.is_authenticated, roles, reads, user.is_authenticated and user.is_staff)


def navbar_html(request):
    kind = navbar_kind(request)
    authenticated, roles, reads, staff = kind
    key = (get_language(), get_script_prefix(), get_urlconf(), *kind)
    html = RENDERED.get(key)
    if html is None:
        html = RENDERED[key] = render_to_string(
            "includes/navbar.html",
            {
                "authenticated": authenticated,
                "roles": roles,
                "reads_programs": reads,
                "is_staff": staff,
                "display_name": NAME,
                "csrf_token": TOKEN,
                "next_path": PATH,
            },
        )
    return html


def navbar_values(request):
    """{marker: value (escaped)} of the navbar's markers for this request. A CSRF token is
    made of letters and digits."""
    values = {TOKEN: get_token(request), PATH: escape(request.get_full_path())}
    if request.user.is_authenticated:
        values[NAME] = escape(display_name(request.user))
    return values


def navbar_fill(html, request):
    """Put the request's own values in place of the markers of a navbar."""
    for mark, value in navbar_values(request).items():
        html = html.replace(mark, value)
    return mark_safe(html)  # the values are escaped


@register.simple_tag(takes_context=True)
def navbar(context):
    """With `holes` in the context, the markers stay for the page to fill (navbar_fill)."""
    html = navbar_html(context["request"])
    if context.get("holes"):
        return mark_safe(html)  # rendered by the template, with the markers only
    return navbar_fill(html, context["request"])
