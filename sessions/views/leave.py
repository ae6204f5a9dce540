"""Leave pages (请假): the trainee's requests, the program's list and the organizer's decision."""

from django.contrib import messages
from django.db.models import Case, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
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
        leave, marked = leave_services.leave_decide(leave=leave, approve=approve, user=request.user)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("timetable:leave-list", code=program.code)
    if approve:
        messages.success(
            request, _("Leave approved; %(count)s activities marked.") % {"count": marked}
        )
    else:
        messages.success(request, _("Leave rejected."))
    return redirect("timetable:leave-list", code=program.code)
