"""The learning file (学习档案): the trainee's own (我的档案), a trainee's as the organizers of
his programs and the leadership of his unit read it, its PDF, and a unit's .xlsx. Who reads
which programs is trainees.permissions (trainee_programs, unit_programs)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from completion import files
from completion.selectors.learning_file import learning_file, unit_file
from trainees.downloads import PDF, XLSX, attachment
from trainees.models import Trainee, Unit
from trainees.permissions import trainee_programs, unit_programs
from trainees.roles import TRAINEE, role_required

TRAINEES = Trainee.objects.select_related("unit__parent")


def own_trainee(request):
    trainee = TRAINEES.filter(user=request.user).first()
    if trainee is None:
        raise PermissionDenied
    return trainee


def file_for(request, trainee):
    """The trainee's file as the signed-in user reads it: the trainee himself sees the scores
    of released exams only, as on his results page."""
    programs = trainee_programs(request.user, trainee)
    own = trainee.user_id == request.user.pk
    return learning_file(trainee, programs, released_only=own)


def title_of(trainee):
    return _("Learning file of %(name)s") % {"name": trainee.name}


def organized(user, learning_file):
    """The ids of the file's programs whose certificates `user` downloads (an organizer of
    the program, a superuser: completion.views.certificates): one query."""
    program_ids = [row.program.pk for row in learning_file.rows]
    if user.is_superuser:
        return set(program_ids)
    return set(user.organized_programs.filter(pk__in=program_ids).values_list("pk", flat=True))


def page(request, trainee, *, own):
    learning_file = file_for(request, trainee)
    return render(
        request,
        "completion/learning_file.html",
        {
            "file": learning_file,
            "trainee": trainee,
            "own": own,
            "organized": set() if own else organized(request.user, learning_file),
        },
    )


@role_required(TRAINEE)
def my_file(request):
    """我的档案: the signed-in trainee's programs across the years."""
    return page(request, own_trainee(request), own=True)


@role_required(TRAINEE)
def my_file_pdf(request):
    trainee = own_trainee(request)
    title = title_of(trainee)
    content = files.trainee_pdf(file_for(request, trainee), title=title)
    return attachment(content, PDF, f"{title}.pdf")


def trainee_file(request, pk):
    """A trainee's learning file, for the organizers of his programs (those programs only)
    and the leadership of his unit."""
    trainee = get_object_or_404(TRAINEES, pk=pk)
    return page(request, trainee, own=False)


def trainee_file_pdf(request, pk):
    trainee = get_object_or_404(TRAINEES, pk=pk)
    title = title_of(trainee)
    content = files.trainee_pdf(file_for(request, trainee), title=title)
    return attachment(content, PDF, f"{title} {trainee.police_id}.pdf")


def unit_file_xlsx(request, pk):
    """The learning files of the trainees of a unit and of the units under it, one row a
    trainee a program, over the programs the reader sees."""
    unit = get_object_or_404(Unit, pk=pk)
    programs, unit_ids = unit_programs(request.user, unit)
    title = _("Learning files of %(unit)s") % {"unit": unit.name}
    content = files.unit_xlsx(unit_file(unit_ids, programs), title=title)
    return attachment(content, XLSX, f"{title}.xlsx")
