from django.urls import path

from exams.views import attempts, bank, exams, grading, results

app_name = "exams"

urlpatterns = [
    # The trainee's side first: the URL is matched against each pattern in turn, and the
    # exam rush's autosave is the most frequent request of the app (no pattern overlaps).
    path("attempts/<int:pk>/answer/", attempts.answer_save, name="answer-save"),
    path("mine/", attempts.my_exams, name="my-exams"),
    path("<int:pk>/start/", attempts.exam_start, name="exam-start"),
    path("attempts/<int:pk>/", attempts.attempt_page, name="attempt"),
    path("attempts/<int:pk>/submit/", attempts.attempt_submit, name="attempt-submit"),
    path("attempts/<int:pk>/result/", attempts.attempt_result, name="attempt-result"),
    # The question bank
    path("bank/", bank.bank_list, name="bank"),
    path("bank/import/", bank.bank_import, name="bank-import"),
    path("bank/export/", bank.bank_export, name="bank-export"),
    path("bank/new/", bank.question_form, name="question-create"),
    path("bank/<int:pk>/", bank.question_form, name="question-update"),
    # A program's exams (organizers; leadership reads)
    path("programs/<str:code>/", exams.exam_list, name="exam-list"),
    path("programs/<str:code>/new/", exams.exam_form, name="exam-create"),
    path("programs/<str:code>/gains/", results.program_gains, name="program-gains"),
    path("programs/<str:code>/<int:pk>/", exams.exam_detail, name="exam-detail"),
    path("programs/<str:code>/<int:pk>/edit/", exams.exam_form, name="exam-update"),
    path("programs/<str:code>/<int:pk>/questions/", exams.exam_questions, name="exam-questions"),
    path("programs/<str:code>/<int:pk>/release/", exams.exam_release, name="exam-release"),
    path(
        "programs/<str:code>/<int:pk>/grading/<int:question_pk>/",
        grading.exam_grading,
        name="exam-grading",
    ),
    path("programs/<str:code>/<int:pk>/scores/", grading.paper_scores, name="paper-scores"),
    path("programs/<str:code>/<int:pk>/scores/import/", grading.paper_import, name="paper-import"),
    path("programs/<str:code>/<int:pk>/results/", results.exam_results, name="exam-results"),
]
