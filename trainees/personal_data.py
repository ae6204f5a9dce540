"""Personal data: a trainee downloads everything the app holds about them; an organizer erases
the personal data of a trainee withdrawn from their program, while the anonymous figures
(scores, attendance, essay grades) stay in every statistic.

The roster's part is here. Attendance, exams and essays belong to apps above this one, which
this app must not import (imports flow trainees ← sessions ← discussions ← exams): each of
them registers, in its AppConfig.ready(), a data source (its sections of the download) and an
erasure step (what it erases), as they register their part of the history (trainees.audit).
"""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trainees.models import Enrollment, Trainee
from trainees.permissions import program_for
from trainees.roles import TRAINEE, role_required


class ErasureRefused(Exception):
    """The trainee's data cannot be erased yet; the message says why."""


DATA_SOURCES = []  # (position, source)
ERASURE_STEPS = []


def data_source(source, *, position):
    """Add a source of the download: a function(trainee) → {section: plain data}. Its sections
    follow the trainee's own, the sources in ascending `position` (the download's order)."""
    if all(registered is not source for _position, registered in DATA_SOURCES):
        DATA_SOURCES.append((position, source))
        DATA_SOURCES.sort(key=lambda entry: entry[0])
    return source


def erasure_step(step):
    """Add a step of the erasure: a function(trainee) that erases the app's personal data of
    the trainee, in trainee_erase's transaction."""
    if step not in ERASURE_STEPS:
        ERASURE_STEPS.append(step)
    return step


def trainee_data(trainee):
    """Everything the app holds about `trainee`, as plain data (the download): the roster's
    part, then each registered source's."""
    enrollments = list(
        Enrollment.objects.filter(trainee=trainee).select_related("program", "group")
    )
    data = {
        "exported_at": timezone.now(),
        "trainee": {
            "name": trainee.name,
            "police_id": trainee.police_id,
            "gender": trainee.get_gender_display(),
            "unit": str(trainee.unit),
            "position": trainee.position,
            "phone": trainee.phone,
            "email": trainee.email,
        },
        "programs": [
            {
                "program": e.program.title,
                "code": e.program.code,
                "dates": [e.program.start_date, e.program.end_date],
                "group": str(e.group or ""),
                "role": e.get_role_display(),
                "status": e.get_status_display(),
            }
            for e in enrollments
        ],
    }
    for _position, source in DATA_SOURCES:
        data.update(source(trainee))
    return data


@role_required(TRAINEE)
def my_data(request):
    """A trainee's own data, as a JSON file."""
    trainee = Trainee.objects.select_related("unit").filter(user=request.user).first()
    if trainee is None:
        raise PermissionDenied
    content = json.dumps(trainee_data(trainee), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "jingxun-my-data.json")
    return response


@transaction.atomic
def trainee_erase(*, enrollment, user):
    """Erase the personal data of a trainee withdrawn from `enrollment`'s program: name,
    police ID, phone, email, position, their account, what each registered erasure step
    erases (the essay's text and its versions, their leave reasons) and the roster's history
    of them. Their enrollment, scores, attendance and essay grade stay, anonymous, so no
    statistic changes. Refused while the trainee is active in any program (that program
    needs them)."""
    trainee = Trainee.objects.select_for_update().get(pk=enrollment.trainee_id)
    if enrollment.status != Enrollment.Status.WITHDRAWN:
        raise ErasureRefused(_("Only a withdrawn trainee's data can be erased."))
    if trainee.enrollments.filter(status=Enrollment.Status.ACTIVE).exists():
        raise ErasureRefused(_("The trainee is still active in another program."))
    label = _("Erased trainee %(number)s") % {"number": trainee.pk}
    trainee.name, trainee.police_id = label[:50], f"erased-{trainee.pk}"
    trainee.gender = trainee.position = trainee.phone = trainee.email = ""
    trainee.initial_password = ""
    trainee.save()
    if trainee.user_id is not None:  # kept, for the records that point at it, but dead
        account = get_user_model().objects.get(pk=trainee.user_id)
        account.username = f"erased-{trainee.pk}"
        account.first_name = account.last_name = account.email = ""
        account.is_active = False
        account.set_unusable_password()
        account.save()
    for step in ERASURE_STEPS:
        step(trainee)
    history = getattr(trainee, "history", None)  # the roster's audit trail holds the old data
    if history is not None:
        history.all().delete()
    return trainee


@require_POST
def enrollment_erase(request, code, pk):
    program = program_for(request.user, code, change=True)
    enrollment = get_object_or_404(program.enrollments.select_related("trainee"), pk=pk)
    try:
        trainee_erase(enrollment=enrollment, user=request.user)
    except ErasureRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The trainee's personal data has been erased."))
    return redirect("trainees:enrollment-detail", program.code, enrollment.pk)
