"""Leave pages (请假): the trainee's requests, the program's list and the organizer's decision."""

from django.contrib import messages
from django.db.models import Case, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sessions.forms import LeaveRequestForm
from sessions.models import LeaveRequest
from sessions.selectors import timetable as timetable_selectors
from sessions.services import leave as leave_services
from trainees.permissions import may_change, program_for
from trainees.roles import TRAINEE, role_required


@role_required(TRAINEE)
def my_leave(request):
    """请假: the trainee asks for leave and sees the answers."""
    enrollments = timetable_selectors.current_enrollments(request.user, timezone.localdate())
    if not enrollments:
        return render(request, "timetable/my_leave.html", {"leaves": [], "form": None})
    enrollment = enrollments[0]
    form = LeaveRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        leave_services.leave_request(enrollment=enrollment, **form.cleaned_data)
        messages.success(request, _("Your request has been sent to the organizers."))
        return redirect("timetable:my-leave")
    leaves = LeaveRequest.objects.filter(enrollment__trainee__user=request.user).select_related(
        "enrollment__program"
    )
    return render(
        request,
        "timetable/my_leave.html",
        {"form": form, "leaves": leaves, "enrollment": enrollment},
    )


def leave_list(request, code):
    """The program's leave requests, pending first."""
    program = program_for(request.user, code)
    leaves = (
        LeaveRequest.objects.filter(enrollment__program=program)
        .select_related("enrollment__trainee__unit", "enrollment__group", "decided_by")
        .annotate(pending_first=Case(When(status="pending", then=0), default=1))
        .order_by("pending_first", "-created_at")
    )
    return render(
        request,
        "timetable/leave_list.html",
        {"program": program, "leaves": leaves, "can_change": may_change(request.user, program)},
    )


@require_POST
def leave_decide(request, code, pk):
    program = program_for(request.user, code, change=True)
    leave = get_object_or_404(LeaveRequest, enrollment__program=program, pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        leave, coverage = leave_services.leave_decide(
            leave=leave, approve=approve, user=request.user
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("timetable:leave-list", code=program.code)
    if approve:
        messages.success(request, approved_message(leave, coverage))
    else:
        messages.success(request, _("Leave rejected."))
    return redirect("timetable:leave-list", code=program.code)


def leave_period(leave):
    """12-05 08:00–17:00, or 12-05 08:00–12-07 17:00 over several days."""
    starts, ends = timezone.localtime(leave.starts_at), timezone.localtime(leave.ends_at)
    end = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%m-%d %H:%M}"
    return f"{starts:%m-%d %H:%M}–{end}"


def approved_message(leave, coverage):
    """What the approved leave covers, in the organizer's words: activities already recorded
    as leave, and those whose roll call, not taken yet, will record it (sessions.services.leave
    .LeaveCoverage). "0 activities marked" read as if the leave covered nothing."""
    period = leave_period(leave)
    if coverage.marked and not coverage.later:
        text = ngettext(
            "Leave approved: it covers %(count)s activity, marked as leave.",
            "Leave approved: it covers %(count)s activities, marked as leave.",
            coverage.marked,
        ) % {"count": coverage.marked}
    elif coverage.later and not coverage.marked:
        text = ngettext(
            "Leave approved (%(period)s); the %(count)s activity within it will be marked as "
            "leave at roll call.",
            "Leave approved (%(period)s); the %(count)s activities within it will be marked as "
            "leave at roll call.",
            coverage.later,
        ) % {"period": period, "count": coverage.later}
    elif coverage.marked and coverage.later:
        text = _(
            "Leave approved (%(period)s): it covers %(total)s activities; %(marked)s marked as "
            "leave, the other %(later)s will be marked at roll call."
        ) % {
            "period": period,
            "total": coverage.marked + coverage.later,
            "marked": coverage.marked,
            "later": coverage.later,
        }
    elif coverage.total == 0:
        text = _("Leave approved (%(period)s); no activity falls within it yet.") % {
            "period": period
        }
    else:
        text = _("Leave approved (%(period)s).") % {"period": period}
    if coverage.attended:
        text += " " + ngettext(
            "The trainee attended %(count)s other activity within it: its record stays.",
            "The trainee attended %(count)s other activities within it: their records stay.",
            coverage.attended,
        ) % {"count": coverage.attended}
    return text
