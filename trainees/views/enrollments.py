"""One trainee of a program: their page with its history (变更记录), moving them to another
group, withdrawing them or taking them back, a new initial password. Views parse, check, and
call a service; who may see what is decided in trainees.permissions."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trainees import audit
from trainees.forms import EnrollmentMoveForm
from trainees.models import Enrollment
from trainees.next_page import next_page
from trainees.permissions import (
    ERASE,
    RESET,
    WITHDRAW,
    TraineeRefused,
    may_change,
    program_for,
    trainee_refusal,
)
from trainees.services import accounts, enrollments


def enrollment_for(request, code, pk, *, change=False):
    program = program_for(request.user, code, change=change)
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("trainee__unit__parent", "trainee__user", "group"),
        program=program,
        pk=pk,
    )
    return program, enrollment


def enrollment_detail(request, code, pk):
    """One trainee of the program: who they are, their group, their status, and the history
    of their record in the program (变更记录: roster, scores, attendance, essay)."""
    program, enrollment = enrollment_for(request, code, pk)
    can_change = may_change(request.user, program)
    history = audit.enrollment_history(enrollment, full_phone=can_change)
    refusals = {}
    if can_change:  # what the buttons would be refused, said before a click
        refusals = {
            action: trainee_refusal(request.user, enrollment.trainee, action)
            for action in (RESET, WITHDRAW, ERASE)
        }
    return render(
        request,
        "trainees/enrollment_detail.html",
        {
            "program": program,
            "enrollment": enrollment,
            "trainee": enrollment.trainee,
            "can_change": can_change,
            "move_form": EnrollmentMoveForm(program=program, initial={"group": enrollment.group}),
            "history": history,
            "refusals": refusals,
        },
    )


@require_POST
def enrollment_move(request, code, pk):
    program, enrollment = enrollment_for(request, code, pk, change=True)
    form = EnrollmentMoveForm(request.POST, program=program)
    if form.is_valid():
        enrollments.enrollment_move(
            enrollment=enrollment, group=form.cleaned_data["group"], user=request.user
        )
        group = enrollment.group or _("no group")
        text = _("%(name)s is now in %(group)s.")
        messages.success(request, text % {"name": enrollment.trainee.name, "group": group})
    else:
        messages.error(request, _("Choose a group of this program."))
    back = next_page(request, request.POST.get("next"), enrollment_url(program, enrollment))
    return redirect(back)


@require_POST
def enrollment_status(request, code, pk):
    program, enrollment = enrollment_for(request, code, pk, change=True)
    status = request.POST.get("status")
    if status not in Enrollment.Status.values:
        messages.error(request, _("Unknown status."))
    else:
        try:
            enrollments.enrollment_set_status(
                enrollment=enrollment, status=status, user=request.user
            )
        except TraineeRefused as refusal:
            messages.error(request, str(refusal))
        else:
            status = enrollment.get_status_display()
            messages.success(request, f"{enrollment.trainee.name}: {status}")
    return redirect(enrollment_url(program, enrollment))


@require_POST
def trainee_password_reset(request, code, pk):
    program, enrollment = enrollment_for(request, code, pk, change=True)
    try:
        password = accounts.trainee_reset_password(trainee=enrollment.trainee, user=request.user)
    except TraineeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("New initial password of %(name)s: %(password)s")
            % {"name": enrollment.trainee.name, "password": password},
        )
    return redirect(enrollment_url(program, enrollment))


def enrollment_url(program, enrollment):
    return reverse("trainees:enrollment-detail", args=[program.code, enrollment.pk])
