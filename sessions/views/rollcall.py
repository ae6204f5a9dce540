"""Roll call pages (点名): the list of activities with their counts, the organizer's sheet, the
projector screen and the paper sheet, and the trainee's check-in.
"""

from datetime import datetime, time

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sessions.models import Attendance
from sessions.permissions import activity_for
from sessions.selectors import rollcall as rollcall_selectors
from sessions.services import rollcall
from trainees.permissions import may_change, program_for
from trainees.roles import TRAINEE, role_required
from trainees.text import whole_number

# (status, its label, the colour of its button) in the order of the sheet.
STATUS_BUTTONS = [
    (Attendance.Status.PRESENT, Attendance.Status.PRESENT.label, "success"),
    (Attendance.Status.LATE, Attendance.Status.LATE.label, "warning"),
    (Attendance.Status.ABSENT, Attendance.Status.ABSENT.label, "danger"),
    (Attendance.Status.LEAVE, Attendance.Status.LEAVE.label, "info"),
    (Attendance.Status.LEFT_EARLY, Attendance.Status.LEFT_EARLY.label, "secondary"),
]


def rollcall_list(request, code):
    """The program's activities with their roll-call counts, today's first."""
    program = program_for(request.user, code)
    return render(
        request,
        "timetable/rollcall_list.html",
        {"program": program, "days": rollcall_selectors.rollcall_days(program)},
    )


def sheet(request, code, pk):
    """点名表: every expected trainee, one section per group, with one-tap status buttons; each
    tap is stored at once. Leave over the activity shows before anything is marked."""
    program, activity = activity_for(request, code, pk)
    can_change = may_change(request.user, program)
    if can_change and activity.ends_at <= timezone.now() and activity.closed_at is None:
        rollcall.activity_close(activity=activity)
    rows = rollcall_selectors.sheet(activity)
    return render(
        request,
        "timetable/rollcall_sheet.html",
        {
            "program": program,
            "activity": activity,
            "sections": rollcall_selectors.sheet_sections(rows),
            "counts": rollcall_selectors.counts(activity),
            # What "mark all remaining present" will do (its confirmation says it).
            "to_mark_present": sum(row.unmarked for row in rows),
            "to_mark_leave": sum(row.leave_expected for row in rows),
            "buttons": STATUS_BUTTONS,
            "can_change": can_change,
        },
    )


@require_POST
def sheet_mark(request, code, pk, enrollment_pk):
    """One tap: with htmx the row and the counts come back; without, the page reloads."""
    program, activity = activity_for(request, code, pk, change=True)
    enrollment = get_object_or_404(rollcall_selectors.expected(activity), pk=enrollment_pk)
    status = request.POST.get("status", "")
    if status not in Attendance.Status.values:
        return HttpResponse(status=400)
    minutes = request.POST.get("minutes_late", "")
    left_at = None
    if request.POST.get("left_at"):
        try:
            clock = time.fromisoformat(request.POST["left_at"])
        except ValueError:
            return HttpResponse(status=400)
        day = timezone.localtime(activity.starts_at).date()
        left_at = timezone.make_aware(datetime.combine(day, clock))
    record = rollcall.attendance_set(
        activity=activity,
        enrollment=enrollment,
        status=status,
        user=request.user,
        minutes_late=whole_number(minutes, most=32_767),  # the column's: a small integer
        left_at=left_at,
    )
    if request.headers.get("HX-Request"):
        return render(
            request,
            "timetable/includes/rollcall_row.html",
            {
                "program": program,
                "activity": activity,
                "row": rollcall_selectors.sheet_row(activity, enrollment, record),
                "buttons": STATUS_BUTTONS,
                "can_change": True,
                "counts": rollcall_selectors.counts(activity),
                "oob": True,
            },
        )
    return redirect("timetable:rollcall-sheet", code=program.code, pk=activity.pk)


@require_POST
def sheet_all_present(request, code, pk):
    program, activity = activity_for(request, code, pk, change=True)
    count = rollcall.mark_remaining_present(activity=activity, user=request.user)
    messages.success(request, _("%(count)s trainees marked present.") % {"count": count})
    return redirect("timetable:rollcall-sheet", code=program.code, pk=activity.pk)


def screen(request, code, pk):
    """The projector: a QR code and the 6-digit code, renewed every 30 seconds."""
    program, activity = activity_for(request, code, pk, change=True)
    purpose = "out" if request.GET.get("purpose") == "out" else "in"
    now = timezone.now()
    code_now, seconds_left = rollcall.current_code(activity, now, purpose)
    target = request.build_absolute_uri(
        f"{reverse('timetable:check-in')}?a={activity.pk}&c={code_now}&p={purpose}"
    )
    opens, closes = rollcall.window(activity)
    return render(
        request,
        "timetable/rollcall_screen.html",
        {
            "program": program,
            "activity": activity,
            "code": code_now,
            "seconds_left": seconds_left,
            "qr": segno.make(target, error="m").svg_inline(scale=10, dark="#0b2a5b"),
            "is_open": opens <= now <= closes,
            "is_over": now > closes,
            "opens": opens,
            "counts": rollcall_selectors.counts(activity),
            "purpose": purpose,
            "refresh": min(seconds_left, 5),
        },
    )


def paper_sheet(request, code, pk):
    """A printable sign-in sheet for when the network fails."""
    program, activity = activity_for(request, code, pk)
    return render(
        request,
        "timetable/rollcall_paper.html",
        {"program": program, "activity": activity, "rows": rollcall_selectors.sheet(activity)},
    )


def device_of(request):
    """What tells one phone from another at check-in (a second check-in of the same account
    from another phone within the minute is flagged): a keyed digest of its session's key,
    not the key itself, which signs whoever holds it in."""
    key = request.session.session_key
    return salted_hmac("sessions.check-in.device", key).hexdigest()[:32] if key else ""


@role_required(TRAINEE)
def check_in(request):
    """The trainee's check-in: a scanned QR code fills the form; one tap confirms."""
    code = request.POST.get("code") or request.GET.get("c", "")
    activity_id = request.POST.get("a") or request.GET.get("a")
    purpose = "out" if (request.POST.get("p") or request.GET.get("p")) == "out" else "in"
    if request.method == "POST":
        device = device_of(request)
        try:
            record = rollcall.check_in(
                activity_id=whole_number(activity_id or ""),
                code=code,
                user=request.user,
                device=device,
                purpose=purpose,
            )
        except rollcall.CheckInRefused as refusal:
            messages.error(request, str(refusal))
        else:
            if purpose == "out":
                messages.success(
                    request, _("Checked out of %(title)s.") % {"title": record.activity}
                )
            elif record.status == Attendance.Status.LATE:
                messages.warning(
                    request,
                    _("Checked in to %(title)s, %(minutes)s minutes late.")
                    % {"title": record.activity, "minutes": record.minutes_late},
                )
            else:
                messages.success(
                    request, _("Checked in to %(title)s.") % {"title": record.activity}
                )
            return redirect("timetable:my-day")
    return render(
        request,
        "timetable/check_in.html",
        {"code": code, "activity_id": activity_id or "", "purpose": purpose},
    )
