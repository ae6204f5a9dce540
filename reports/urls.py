from django.urls import path

from reports.views import dashboards, report

app_name = "reports"

urlpatterns = [
    # Dashboards: the bureau, a program, the drill-down to a unit and a trainee
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path(
        "dashboard/programs/<str:code>/",
        dashboards.program_dashboard_page,
        name="dashboard-program",
    ),
    path("dashboard/units/<int:pk>/", dashboards.unit_detail, name="dashboard-unit"),
    path("dashboard/trainees/<int:pk>/", dashboards.trainee_detail, name="dashboard-trainee"),
    # The score report: preview, recipients, publishing, the delivery log
    path("programs/<str:code>/report/", report.report, name="report"),
    path("programs/<str:code>/report/xlsx/", report.report_xlsx, name="report-xlsx"),
    path("programs/<str:code>/report/pdf/", report.report_pdf, name="report-pdf"),
    path("programs/<str:code>/report/recipients/", report.recipients, name="report-recipients"),
    path(
        "programs/<str:code>/report/recipients/default/",
        report.recipients_default,
        name="report-recipients-default",
    ),
    path(
        "programs/<str:code>/report/recipients/<int:pk>/delete/",
        report.recipient_delete,
        name="report-recipient-delete",
    ),
    path("programs/<str:code>/report/publish/", report.report_publish, name="report-publish"),
    path("programs/<str:code>/reports/<int:number>/", report.report_log, name="report-log"),
    path(
        "programs/<str:code>/reports/<int:number>/resend/",
        report.report_resend,
        name="report-resend",
    ),
    path(
        "programs/<str:code>/reports/<int:number>/files/<int:pk>.<str:kind>",
        report.report_file,
        name="report-file",
    ),
]
