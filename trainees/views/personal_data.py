"""A trainee's personal data: their own download, and the erasure of a withdrawn trainee by the
program's organizer (trainees.personal_data). Who may see what is decided in
trainees.permissions."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trainees.models import Trainee
from trainees.permissions import program_for
from trainees.personal_data import ErasureRefused, trainee_data, trainee_erase
from trainees.roles import TRAINEE, role_required


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
