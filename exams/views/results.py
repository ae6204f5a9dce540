"""What an exam and a program came to: an exam's results (成绩分析) and a program's entry to
graduation gains."""

from django.shortcuts import render

from exams.models import Exam
from exams.permissions import exam_for
from exams.selectors import results as results_selectors
from exams.selectors import scores
from exams.services import attempts
from trainees.permissions import may_change, program_for


def exam_results(request, code, pk):
    """成绩分析: distribution, mean, median, pass rate, ranking and item analysis."""
    program, exam = exam_for(request, code, pk)
    if may_change(request.user, program):
        attempts.attempts_close_expired(exam=exam)
    results = results_selectors.exam_results(exam)
    peak = max((count for _label, count in results.distribution), default=0)
    return render(
        request,
        "exams/exam_results.html",
        {
            "program": program,
            "exam": exam,
            "results": results,
            "items": results_selectors.item_analysis(exam) if exam.mode == Exam.Mode.ONLINE else [],
            "bars": [
                (label, count, 5 * round(20 * count / peak) if peak else 0)
                for label, count in results.distribution
            ],
        },
    )


def program_gains(request, code):
    """Entry against graduation: per trainee, per group and per unit."""
    program = program_for(request.user, code)
    return render(
        request,
        "exams/program_gains.html",
        {"program": program, "scores": scores.program_scores(program)},
    )
