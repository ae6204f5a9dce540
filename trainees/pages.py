"""Pages that many people read alike, rendered once, with holes for what is each reader's own.

A trainee's day is the same page for every trainee of a group (the activities, the changes,
which one is next), except a few values: their name and unit, their study hours, the state
of each card (checked in, late, on leave), the link to evaluate, and the navbar's name, CSRF
token and path. Rendering the page cost more than everything else the request does; so the
view renders it once per `key` (which must name everything the page shows alike: the
timetable's version, the day, which activities are over, the language, the kind of account),
with markers in place of those values (trainees.markers: they cannot be forged by stored
text), keeps it in this process (`SHARED`: never stale, as the key changes when what it shows
changes), and fills the markers for each reader, in one pass over the page.

Messages to show (Django's messages framework) are rendered into their own hole.
"""

from collections import OrderedDict
from functools import cache
from threading import Lock

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

from trainees.markers import MARKER, marker
from trainees.templatetags.navbar import TOKEN, navbar_kind, navbar_values


class Pages:
    """A small least-recently-used store of rendered pages, for one process."""

    def __init__(self, size):
        self.size, self.pages, self.lock = size, OrderedDict(), Lock()

    def get(self, key):
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key, page):
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)

    def clear(self):
        with self.lock:
            self.pages.clear()


SHARED = Pages(256)


MESSAGES = marker("messages")


def messages_html(request):
    """The messages waiting to be shown, as base.html shows them (marked shown)."""
    waiting = get_messages(request)
    if not len(waiting):  # counted without marking them shown
        return no_messages_html()
    return render_to_string("includes/messages.html", {"messages": waiting})


@cache
def no_messages_html():
    return render_to_string("includes/messages.html", {"messages": ()})


def render_with_holes(request, template_name, context, *, key, shared, holes):
    """The page of `template_name` for this request.

    `context` is the page's own (rendered as usual with SHARED_PAGES off); `shared` the
    same with a marker in place of each of the reader's values, and `holes` {marker: html
    (escaped)} those values. `key` names what the shared page shows (the language, the
    URLconf and the kind of account are added here)."""
    if not settings.SHARED_PAGES:
        return render(request, template_name, context)
    key = (
        template_name,
        get_language(),
        get_script_prefix(),
        get_urlconf(),
        navbar_kind(request),
        *key,
    )
    page = SHARED.get(key)
    if page is None:
        page = render_to_string(
            template_name,
            {**shared, "holes": True, "csrf_token": TOKEN, "messages_hole": MESSAGES},
            request,
        )
        SHARED.put(key, page)
    values = {**holes, **navbar_values(request), MESSAGES: messages_html(request)}
    # One pass over the page, whatever the number of holes (a whole timetable has sixty).
    return HttpResponse(MARKER.sub(lambda found: values.get(found[0], ""), page))
