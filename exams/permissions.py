"""Who may see what of the exams app: an organizer's exam within the programs they may see
(or change), the exams whose questions they may copy, a trainee's own attempts. Anything else
is a 404."""

from django.shortcuts import get_object_or_404

from exams.models import Attempt, Exam, ExamQuestion
from trainees.models import Enrollment
from trainees.permissions import program_for, readable_programs


def exam_for(request, code, pk, *, change=False, mode=None):
    program = program_for(request.user, code, change=change)
    exams = Exam.objects.select_related("program").filter(program=program)
    if mode:
        exams = exams.filter(mode=mode)
    return program, get_object_or_404(exams, pk=pk)


def exams_to_copy(user, exam):
    """The exams whose questions `exam` may take over: those with questions of the programs
    `user` reads (an organizer's own, of this year or an earlier one), `exam` itself excepted.
    Another organizer's exam is theirs, a graduation exam not yet sat included: its questions
    come to `exam` through the shared bank, or once that organizer names `user` a co-organizer.
    """
    return (
        Exam.objects.filter(program__in=readable_programs(user), exam_questions__isnull=False)
        .exclude(pk=exam.pk)
        .distinct()
    )


def own_enrollments(user):
    return list(Enrollment.objects.filter(trainee__user=user).select_related("program"))


def own_attempt(request, pk):
    return get_object_or_404(
        Attempt.objects.select_related("exam__program", "enrollment__trainee"),
        pk=pk,
        enrollment__trainee__user=request.user,
    )


def questions_of_others(user, question_ids):
    """The ids of those bank questions that are placed in an exam of a program `user` does not
    organize: the bank is shared, but changing such a question would change another program's
    paper (its answer key). None for a superuser, or without a user (the command line)."""
    if user is None or user.is_superuser:
        return set()
    return set(
        ExamQuestion.objects.filter(question_id__in=list(question_ids))
        .exclude(exam__program__organizers=user)
        .values_list("question_id", flat=True)
    )
