from django.urls import path

from exams import attempt_views, views

app_name = "exams"

urlpatterns = [
    # The question bank
    path("bank/", views.bank_list, name="bank"),
    path("bank/import/", views.bank_import, name="bank-import"),
    path("bank/export/", views.bank_export, name="bank-export"),
    path("bank/new/", views.question_form, name="question-create"),
    path("bank/<int:pk>/", views.question_form, name="question-update"),
    # A program's exams (organizers; leadership reads)
    path("programs/<str:code>/", views.exam_list, name="exam-list"),
    path("programs/<str:code>/new/", views.exam_form, name="exam-create"),
    path("programs/<str:code>/gains/", views.program_gains, name="program-gains"),
    path("programs/<str:code>/<int:pk>/", views.exam_detail, name="exam-detail"),
    path("programs/<str:code>/<int:pk>/edit/", views.exam_form, name="exam-update"),
    path("programs/<str:code>/<int:pk>/questions/", views.exam_questions, name="exam-questions"),
    path("programs/<str:code>/<int:pk>/release/", views.exam_release, name="exam-release"),
    path(
        "programs/<str:code>/<int:pk>/grading/<int:question_pk>/",
        views.exam_grading,
        name="exam-grading",
    ),
    path("programs/<str:code>/<int:pk>/scores/", views.paper_scores, name="paper-scores"),
    path("programs/<str:code>/<int:pk>/scores/import/", views.paper_import, name="paper-import"),
    path("programs/<str:code>/<int:pk>/results/", views.exam_results, name="exam-results"),
    # The trainee's side
    path("mine/", attempt_views.my_exams, name="my-exams"),
    path("<int:pk>/start/", attempt_views.exam_start, name="exam-start"),
    path("attempts/<int:pk>/", attempt_views.attempt_page, name="attempt"),
    path("attempts/<int:pk>/answer/", attempt_views.answer_save, name="answer-save"),
    path("attempts/<int:pk>/submit/", attempt_views.attempt_submit, name="attempt-submit"),
    path("attempts/<int:pk>/result/", attempt_views.attempt_result, name="attempt-result"),
]
