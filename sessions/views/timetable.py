"""The timetable pages: the organizer's week (and its print), adding, editing, copying and
removing activities, importing them, publishing; the trainee's day and whole timetable.
"""

from datetime import date
from functools import cache, partial
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import engines
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sessions.forms import ActivityForm, DayDuplicateForm
from sessions.models import Activity, CalendarFeed
from sessions.selectors import materials as material_selectors
from sessions.selectors import timetable as timetable_selectors
from sessions.services import timetable as timetable_services
from sessions.services import timetable_import
from sessions.templatetags.cards import holes_of
from sessions.versions import version_of
from trainees.figures import figures_of
from trainees.forms import SpreadsheetUploadForm
from trainees.markers import marker
from trainees.pages import render_with_holes
from trainees.permissions import may_change, program_for
from trainees.roles import TRAINEE, role_required
from trainees.text import whole_number
from trainees.uploads import PendingUpload, preview_then_confirm


def week(request, code):
    """The organizer's week view: one column per day, activities placed by time."""
    program = program_for(request.user, code)
    can_change = may_change(request.user, program)
    week = timetable_selectors.week(program)
    context = {
        "program": program,
        "days": week.days,
        "grid": week.grid,
        "can_change": can_change,
        "duplicate_form": DayDuplicateForm(program=program),
    }
    if can_change:
        context["feed"] = timetable_services.calendar_feed_for(program=program)
    return render(request, "timetable/week.html", context)


def week_print(request, code):
    """The week on one A4 landscape page, for the notice board."""
    program = program_for(request.user, code)
    days = [
        (day, timetable_selectors.in_parallel_sets(activities))
        for day, activities in timetable_selectors.by_day(
            program, timetable_selectors.activities_of(program)
        )
    ]
    return render(request, "timetable/week_print.html", {"program": program, "days": days})


def activity_form(request, code, pk=None):
    """Add (optionally as a copy of another activity), edit or move an activity."""
    program = program_for(request.user, code, change=True)
    activity = get_object_or_404(Activity, program=program, pk=pk) if pk else None
    # Read before the form changes `activity`: the other groups' part of its parallel set.
    parallel_with = timetable_selectors.held_in_parallel_with(activity) if activity else []
    source = None
    if activity is None and (copy := whole_number(request.GET.get("copy", ""))) is not None:
        source = get_object_or_404(Activity, program=program, pk=copy)
    form = ActivityForm(
        request.POST or None,
        instance=activity
        or (timetable_services.shifted(source, source.starts_at) if source else None),
        initial=prefill(request, source),
        program=program,
    )
    if request.method == "POST" and form.is_valid():
        built, speakers, new_venue, new_speaker = form.build()
        try:
            if form.cleaned_data.get("parallel"):
                created, warnings = timetable_services.group_activities_create(
                    activity=built, rows=form.group_rows(), user=request.user
                )
                saved = ngettext(
                    "“%(title)s” has been saved for %(count)s group.",
                    "“%(title)s” has been saved for %(count)s groups.",
                    len(created),
                ) % {"title": built.title, "count": len(created)}
            else:
                with transaction.atomic():
                    if activity is None:
                        built.pk = None
                    warnings = timetable_services.activity_save(
                        activity=built,
                        speakers=speakers,
                        user=request.user,
                        new_venue=new_venue,
                        new_speaker=new_speaker,
                    )
                saved = _("“%(title)s” has been saved.") % {"title": built.title}
        except ValidationError as error:
            form.add_clashes(error)
        else:
            messages.success(request, saved)
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(f"{reverse('timetable:week', args=[program.code])}#day-{day_of(built)}")
    return render(
        request,
        "timetable/activity_form.html",
        {
            "program": program,
            "form": form,
            "activity": activity,
            "source": source,
            "parallel_with": parallel_with,
        },
    )


def prefill(request, source):
    """Initial values from the week view's links: ?day=2023-01-03&start=19:00, or a copy."""
    initial = {}
    if source is not None:
        start = timezone.localtime(source.starts_at)
        end = timezone.localtime(source.ends_at)
        initial.update(
            day=start.date().isoformat(),
            start=start.time(),
            end=end.time(),
            speakers=list(source.speakers.all()),
        )
    if request.GET.get("day"):
        initial["day"] = request.GET["day"]
    if request.GET.get("start"):
        initial["start"] = request.GET["start"]
    return initial


def day_of(activity):
    return timezone.localtime(activity.starts_at).date().isoformat()


@require_POST
def activity_delete(request, code, pk):
    program = program_for(request.user, code, change=True)
    activity = get_object_or_404(Activity.objects.select_related("venue"), program=program, pk=pk)
    day = day_of(activity)
    timetable_services.activity_delete(activity=activity, user=request.user)
    messages.success(request, _("“%(title)s” has been removed.") % {"title": activity.title})
    return redirect(f"{reverse('timetable:week', args=[program.code])}#day-{day}")


@require_POST
def day_duplicate(request, code):
    program = program_for(request.user, code, change=True)
    form = DayDuplicateForm(request.POST, program=program)
    if not form.is_valid():
        messages.error(request, _("Choose two days of the program."))
        return redirect("timetable:week", code=program.code)
    try:
        copies, warnings = timetable_services.day_duplicate(
            program=program,
            source=form.cleaned_data["source"],
            target=form.cleaned_data["target"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, _("Nothing was copied:"))
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(count)s activities copied.") % {"count": len(copies)})
        for warning in warnings:
            messages.warning(request, warning)
    return redirect("timetable:week", code=program.code)


@require_POST
def timetable_publish(request, code):
    program = program_for(request.user, code, change=True)
    timetable_services.timetable_publish(program=program)
    messages.success(
        request, _("The timetable is published: trainees will be told of every change.")
    )
    return redirect("timetable:week", code=program.code)


def activities_import(request, code):
    """Upload activities (.xlsx/.csv) → preview every row or every error → confirm."""
    program = program_for(request.user, code, change=True)
    form = SpreadsheetUploadForm(request.POST or None, request.FILES or None)
    form.fields["file"].label = _("Timetable file")
    form.fields["file"].help_text = _(
        "Columns 日期, 开始, 结束, 类型, 题目, and optionally 授课人, 场地, 分组."
    )
    pending = PendingUpload(request, "activities_upload", program)
    result, imported = preview_then_confirm(
        request,
        form,
        pending,
        lambda name, content, dry_run: timetable_import.activities_import(
            program=program, name=name, content=content, user=request.user, dry_run=dry_run
        ),
    )
    if imported:
        messages.success(
            request, _("%(count)s activities imported.") % {"count": len(result.activities)}
        )
        return redirect("timetable:week", code=program.code)
    return render(
        request,
        "timetable/activities_import.html",
        {
            "program": program,
            "form": form,
            "result": result,
            "digest": pending.digest,
        },
    )


@role_required(TRAINEE)
def my_day(request):
    """我的一天: today's activities for my group, the next one highlighted with a countdown."""
    now = timezone.now()
    today = timezone.localdate(now)
    if request.GET.get("day"):
        try:
            today = date.fromisoformat(request.GET["day"])
        except ValueError:
            raise Http404 from None
        # Its end (day_bounds: the next midnight), or its start in UTC, is off the calendar.
        if today in (date.min, date.max):
            raise Http404
    days = []
    enrollments = timetable_selectors.current_enrollments(request.user, today, state=True)
    me = None
    if enrollments:  # read with them: the page's name and unit need no query of their own
        me = request.user.trainee = enrollments[0].trainee
    for enrollment in enrollments:
        # The figures of the apps above (study hours so far), a line under the program's name.
        figures = [
            (figure, values.get(enrollment.pk))
            for figure, values in figures_of(enrollment.program, [enrollment.pk])
        ]
        if not timetable_selectors.timetable_published(enrollment.program):
            days.append({"enrollment": enrollment, "published": False, "figures": figures})
            continue
        start, end = timetable_selectors.day_bounds(today)
        # What the whole group sees alike comes from the cache; the trainee's own state not.
        group = timetable_selectors.group_timetable(enrollment.program, enrollment.group_id)
        activities = timetable_selectors.with_records(
            [a for a in group.activities if start <= a.starts_at < end], enrollment
        )
        upcoming = [a for a in activities if a.ends_at > now]
        days.append(
            {
                "enrollment": enrollment,
                "published": True,
                "activities": activities,
                "next": upcoming[0] if upcoming else None,
                "changes": group.changes[:3],
                "figures": figures,
            }
        )
    context = {"days": days, "today": today, "now": now, "me": me}
    if not days:
        return render(request, "timetable/my_day.html", context)
    # The page is the group's: rendered once, the trainee's own put in (trainees.pages).
    marked, holes = my_day_holes(days, me)
    key = (today, *(day_key(day, now) for day in days))
    return render_with_holes(
        request,
        "timetable/my_day.html",
        context,
        key=key,
        shared={**context, **marked},
        holes=holes,
    )


EVALUATION_LINKS = "{% load evaluation %}{% evaluation_links activities enrollment %}"


@cache
def evaluation_links_template():
    return engines["django"].from_string(EVALUATION_LINKS)


def my_day_holes(days, me):
    """The context of my day's shared page (markers in place of the trainee's own) and
    {marker: html} of the trainee's own: name and unit, figures, each card's state and link
    to evaluate (completion's {% evaluation_links %}, put on the activities here)."""
    unit = me.unit.name if me.unit_id else ""
    # "me:name", not "name": that is the navbar's marker, which it fills with the account's
    # name when the trainee has none.
    holes = {marker("me:name"): escape(me.name), marker("unit"): escape(unit)}
    shared_days = []
    for n, day in enumerate(days):
        figures = []
        for figure, value in day["figures"]:
            mark = marker(f"figure:{n}:{figure.key}")
            holes[mark] = "—" if value is None else escape(formats.localize(value))
            figures.append((figure, mark))
        if day.get("activities"):
            links = evaluation_links_template()
            links.render({"activities": day["activities"], "enrollment": day["enrollment"]})
            holes.update(holes_of(day["activities"]))
        shared_days.append({**day, "figures": figures})
    marked = SimpleNamespace(name=marker("me:name"), unit=SimpleNamespace(name=marker("unit")))
    return {"days": shared_days, "me": marked}, holes


def day_key(day, now):
    """What the shared page of my day shows of a day, other than the trainee's own."""
    enrollment = day["enrollment"]
    program, group = enrollment.program, enrollment.group
    return (
        program.pk,
        version_of(program),
        program.code,
        program.title,
        program.start_date,
        program.end_date,
        day["published"],
        group and (group.pk, group.number, group.name),
        day.get("next") and day["next"].pk,
        tuple((a.pk, a.ends_at < now, a.ends_at > now) for a in day.get("activities", ())),
    )


@role_required(TRAINEE)
def my_timetable(request, code):
    """The whole timetable of my program, for my group, day by day."""
    enrollment = timetable_selectors.my_enrollment(request.user, code)
    if enrollment is None:
        raise Http404
    program = enrollment.program
    published = timetable_selectors.timetable_published(program)
    days, changes, activities = [], [], []
    request.user.trainee = enrollment.trainee  # the navbar's name, without a query
    if published:
        group = timetable_selectors.group_timetable(program, enrollment.group_id)
        activities = timetable_selectors.with_records(group.activities, enrollment)
        # Grouped by day only when the page is rendered (once per group and change).
        days = SimpleLazyObject(partial(timetable_selectors.by_day, program, activities))
        changes = group.changes

    def program_materials():
        materials = material_selectors.materials_of(program)
        # Unpublished, only the program's own: their activities are not shown yet.
        return list(materials if published else materials.filter(activity=None))

    # Read only when the page is rendered: the materials change the timetable's version.
    materials = SimpleLazyObject(program_materials)
    try:
        feed = enrollment.calendar_feed  # read with the enrollment
    except CalendarFeed.DoesNotExist:
        feed = timetable_services.trainee_feed_create(program=program, enrollment=enrollment)
    today = timezone.localdate()
    context = {
        "program": program,
        "enrollment": enrollment,
        "published": published,
        "days": days,
        "changes": changes,
        "materials": materials,
        "today": today,
    }
    # The page is the group's: rendered once, the trainee's own put in (trainees.pages).
    links = feed_links(request, feed)
    marked = {name: marker(name) for name in links}
    holes = {
        **holes_of(activities),
        **{marker(name): escape(url) for name, url in links.items()},
    }
    group = enrollment.group
    key = (
        program.pk,
        version_of(program),
        program.code,
        program.title,
        program.start_date,
        program.end_date,
        published,
        group and (group.pk, group.number, group.name),
        today,
    )
    return render_with_holes(
        request,
        "timetable/my_timetable.html",
        {**context, **links},
        key=key,
        shared={**context, **marked},
        holes=holes,
    )


def feed_links(request, feed):
    """The addresses of a calendar feed: https to read or download, webcal:// to subscribe
    (a phone's calendar app opens it and offers to subscribe)."""
    url = request.build_absolute_uri(reverse("timetable:feed", args=[feed.token]))
    return {
        "feed_url": url,
        "feed_webcal_url": "webcal://" + url.split("://", 1)[1],
        "feed_download_url": f"{url}?download=1",
    }
