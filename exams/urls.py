from django.urls import path

from exams import attempt_views, dashboard_views, report_views, views

app_name = "exams"

urlpatterns = [
    # Dashboards: the bureau, a program, the drill-down to a unit and a trainee
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path(
        "dashboard/programs/<str:code>/",
        dashboard_views.program_dashboard,
        name="dashboard-program",
    ),
    path("dashboard/units/<int:pk>/", dashboard_views.unit_detail, name="dashboard-unit"),
    path("dashboard/trainees/<int:pk>/", dashboard_views.trainee_detail, name="dashboard-trainee"),
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
    # The score report: preview, recipients, publishing, the delivery log
    path("programs/<str:code>/report/", report_views.report, name="report"),
    path("programs/<str:code>/report/xlsx/", report_views.report_xlsx, name="report-xlsx"),
    path("programs/<str:code>/report/pdf/", report_views.report_pdf, name="report-pdf"),
    path(
        "programs/<str:code>/report/recipients/",
        report_views.recipients,
        name="report-recipients",
    ),
    path(
        "programs/<str:code>/report/recipients/default/",
        report_views.recipients_default,
        name="report-recipients-default",
    ),
    path(
        "programs/<str:code>/report/recipients/<int:pk>/delete/",
        report_views.recipient_delete,
        name="report-recipient-delete",
    ),
    path("programs/<str:code>/report/publish/", report_views.report_publish, name="report-publish"),
    path("programs/<str:code>/reports/<int:number>/", report_views.report_log, name="report-log"),
    path(
        "programs/<str:code>/reports/<int:number>/resend/",
        report_views.report_resend,
        name="report-resend",
    ),
    path(
        "programs/<str:code>/reports/<int:number>/files/<int:pk>.<str:kind>",
        report_views.report_file,
        name="report-file",
    ),
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
