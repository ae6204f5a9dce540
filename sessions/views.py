"""The timetable: the organizer's week, the trainee's day, print and calendar feeds."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions import calendar, importing, selectors, services
from sessions.forms import ActivityForm, DayDuplicateForm, MaterialForm
from sessions.models import Activity, CalendarFeed, Material
from sessions.permissions import may_read_materials
from trainees.forms import RosterUploadForm
from trainees.models import Enrollment
from trainees.permissions import may_change, program_for
from trainees.roles import TRAINEE, role_required
from trainees.uploads import PendingUpload, preview_then_confirm, protected_file


def week(request, code):
    """The organizer's week view: one column per day, activities placed by time."""
    program = program_for(request.user, code)
    can_change = may_change(request.user, program)
    context = {
        "program": program,
        "days": selectors.week(program),
        "hours": selectors.grid_hours(),
        "can_change": can_change,
        "duplicate_form": DayDuplicateForm(program=program),
    }
    if can_change:
        context["feed"] = services.calendar_feed_for(program=program)
    return render(request, "timetable/week.html", context)


def week_print(request, code):
    """The week on one A4 landscape page, for the notice board."""
    program = program_for(request.user, code)
    days = selectors.by_day(program, selectors.activities_of(program))
    return render(request, "timetable/week_print.html", {"program": program, "days": days})


def activity_form(request, code, pk=None):
    """Add (optionally as a copy of another activity), edit or move an activity."""
    program = program_for(request.user, code, change=True)
    activity = get_object_or_404(Activity, program=program, pk=pk) if pk else None
    source = None
    if activity is None and request.GET.get("copy", "").isdigit():
        source = get_object_or_404(Activity, program=program, pk=request.GET["copy"])
    form = ActivityForm(
        request.POST or None,
        instance=activity or (services.shifted(source, source.starts_at) if source else None),
        initial=prefill(request, source),
        program=program,
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                built, speakers, new_venue, new_speaker = form.build()
                if activity is None:
                    built.pk = None
                warnings = services.activity_save(
                    activity=built,
                    speakers=speakers,
                    user=request.user,
                    new_venue=new_venue,
                    new_speaker=new_speaker,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(title)s” has been saved.") % {"title": built.title})
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(f"{reverse('timetable:week', args=[program.code])}#day-{day_of(built)}")
    return render(
        request,
        "timetable/activity_form.html",
        {"program": program, "form": form, "activity": activity, "source": source},
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
    services.activity_delete(activity=activity, user=request.user)
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
        copies, warnings = services.day_duplicate(
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
    services.timetable_publish(program=program)
    messages.success(
        request, _("The timetable is published: trainees will be told of every change.")
    )
    return redirect("timetable:week", code=program.code)


@require_POST
def program_feed_revoke(request, code):
    program = program_for(request.user, code, change=True)
    services.calendar_feed_revoke(feed=services.calendar_feed_for(program=program))
    messages.success(request, _("The calendar address has been replaced; the old one is dead."))
    return redirect("timetable:week", code=program.code)


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
    days = []
    for enrollment in selectors.current_enrollments(request.user, today):
        start, end = services.day_bounds(today)
        activities = list(
            selectors.for_enrollment(
                selectors.activities_of(enrollment.program), enrollment
            ).filter(starts_at__gte=start, starts_at__lt=end)
        )
        upcoming = [a for a in activities if a.ends_at > now]
        days.append(
            {
                "enrollment": enrollment,
                "activities": activities,
                "next": upcoming[0] if upcoming else None,
                "changes": selectors.recent_changes(enrollment, limit=3),
            }
        )
    return render(request, "timetable/my_day.html", {"days": days, "today": today, "now": now})


@role_required(TRAINEE)
def my_timetable(request, code):
    """The whole timetable of my program, for my group, day by day."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("program", "group"),
        trainee__user=request.user,
        program__code=code,
        status=Enrollment.Status.ACTIVE,
    )
    program = enrollment.program
    activities = selectors.for_enrollment(selectors.activities_of(program), enrollment)
    feed = services.calendar_feed_for(program=program, enrollment=enrollment)
    return render(
        request,
        "timetable/my_timetable.html",
        {
            "program": program,
            "enrollment": enrollment,
            "days": selectors.by_day(program, activities),
            "changes": selectors.recent_changes(enrollment),
            "materials": selectors.materials_of(program),
            "feed_url": request.build_absolute_uri(reverse("timetable:feed", args=[feed.token])),
            "today": timezone.localdate(),
        },
    )


@require_POST
@role_required(TRAINEE)
def my_feed_revoke(request, code):
    enrollment = get_object_or_404(
        Enrollment,
        trainee__user=request.user,
        program__code=code,
        status=Enrollment.Status.ACTIVE,
    )
    feed = services.calendar_feed_for(program=enrollment.program, enrollment=enrollment)
    services.calendar_feed_revoke(feed=feed)
    messages.success(request, _("The calendar address has been replaced; the old one is dead."))
    return redirect("timetable:my-timetable", code=code)


@login_not_required
def feed(request, token):
    """An iCal feed: calendar apps cannot sign in, so the unguessable token is the key."""
    calendar_feed = get_object_or_404(
        CalendarFeed.objects.select_related("program", "enrollment"), token=token
    )
    enrollment = calendar_feed.enrollment
    if enrollment and enrollment.status != Enrollment.Status.ACTIVE:
        raise Http404  # a withdrawn trainee's calendar stops
    activities = selectors.activities_of(calendar_feed.program)
    if calendar_feed.enrollment:
        activities = selectors.for_enrollment(activities, calendar_feed.enrollment)
    body = calendar.ics(calendar_feed.program, activities)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{calendar_feed.program.code}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def materials(request, code):
    """The program's materials: organizers attach and remove files, leadership reads."""
    program = program_for(request.user, code)
    can_change = may_change(request.user, program)
    form = None
    if can_change:
        form = MaterialForm(request.POST or None, request.FILES or None, program=program)
        if request.method == "POST" and form.is_valid():
            material = form.save(commit=False)
            material.program = program
            material.save()
            messages.success(request, _("“%(title)s” has been attached.") % {"title": material})
            return redirect("timetable:materials", code=program.code)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "timetable/materials.html",
        {
            "program": program,
            "materials": selectors.materials_of(program),
            "form": form,
            "can_change": can_change,
        },
    )


@require_POST
def material_delete(request, code, pk):
    program = program_for(request.user, code, change=True)
    material = get_object_or_404(Material, program=program, pk=pk)
    services.material_delete(material=material)
    messages.success(request, _("“%(title)s” has been removed.") % {"title": material.title})
    return redirect("timetable:materials", code=program.code)


def material_download(request, code, pk):
    """A material, to the program's trainees, organizers and leadership; to no one else.

    Files live outside the static root and are only ever served through this check.
    """
    material = get_object_or_404(Material.objects.select_related("program"), pk=pk)
    if material.program.code != code or not may_read_materials(request.user, material.program):
        raise Http404
    return protected_file(material.file, download_name(material))


def download_name(material):
    extension = material.file.name[material.file.name.rfind(".") :]
    return f"{material.title}{extension}"


def activities_import(request, code):
    """Upload activities (.xlsx/.csv) → preview every row or every error → confirm."""
    program = program_for(request.user, code, change=True)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    form.fields["file"].label = _("Timetable file")
    form.fields["file"].help_text = _(
        "Columns 日期, 开始, 结束, 类型, 题目, and optionally 授课人, 场地, 分组."
    )
    pending = PendingUpload(request, "activities_upload", program)
    result, imported = preview_then_confirm(
        request,
        form,
        pending,
        lambda name, content, dry_run: importing.activities_import(
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
