"""Who may see what of the exams app: an organizer's exam within the programs they may see
(or change), a trainee's own attempts. Anything else is a 404."""

from django.shortcuts import get_object_or_404

from exams.models import Attempt, Exam
from trainees.models import Enrollment
from trainees.permissions import program_for


def exam_for(request, code, pk, *, change=False, mode=None):
    program = program_for(request.user, code, change=change)
    exams = Exam.objects.select_related("program").filter(program=program)
    if mode:
        exams = exams.filter(mode=mode)
    return program, get_object_or_404(exams, pk=pk)


def own_enrollments(user):
    return list(Enrollment.objects.filter(trainee__user=user).select_related("program"))


def own_attempt(request, pk):
    return get_object_or_404(
        Attempt.objects.select_related("exam__program", "enrollment__trainee"),
        pk=pk,
        enrollment__trainee__user=request.user,
    )
