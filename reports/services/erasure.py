"""This app's part of a trainee's erasure (trainees.personal_data): the published score reports
that name them.

A published report is frozen: its .xlsx and PDF are what the bureau was mailed, and its
figures must stay what was mailed. So the erasure redacts the stored files, it does not
regenerate them: regenerating from today's data would change the figures of every row whose
scores, attendance or unit have changed since (and drop the erased trainee's row, changing
the counts and the means), and the report would no longer be the one the bureau holds. In the
.xlsx, the trainee's police ID and name become the labels of the erasure (trainees.
personal_data) in each of their rows (the trainees' table, the best and lowest scores), every
other cell as it was; a PDF's text cannot be edited in place, so the PDF is made again from
the redacted .xlsx, whose cells hold every heading, note and figure of the PDF
(reports.files.frozen_pdf). The emails written at publishing lose the trainee's name too: a
recipient's mail names the best scores, and the trainee's own score mail is addressed to them.
"""

from django.conf import settings
from django.utils import translation

from reports import files
from reports.models import ReportDelivery, ReportFile
from trainees import workbooks


def trainee_erase(trainee, former):
    """Take the erased `trainee` (who was `former`) out of the published reports of their
    programs: their rows of each file and the emails that carry it, and their own score
    emails, the sent ones kept without name or address, the unsent ones deleted (a step of
    the erasure)."""
    chosen = (
        ReportFile.objects.filter(report__program__enrollments__trainee=trainee)
        .defer("pdf")
        .order_by("pk")
    )
    with translation.override(settings.LANGUAGE_CODE):  # the files' language (publishing's)
        for file in chosen:
            file_redact(file, trainee, former)
    own = ReportDelivery.objects.filter(enrollment__trainee=trainee)
    own.exclude(status=ReportDelivery.Status.SENT).delete()
    for delivery in own.filter(status=ReportDelivery.Status.SENT):
        body = delivery.body
        for name in sorted(former.names, key=len, reverse=True):  # 王小明 before 王小
            body = body.replace(name, trainee.name)
        delivery.body, delivery.recipient_name = body, trainee.name
        delivery.recipient_email = delivery.last_error = ""
        delivery.save(update_fields=["body", "recipient_name", "recipient_email", "last_error"])


def file_redact(file, trainee, former):
    """Redact `file` if it has a row of the trainee (see the module's docstring), and the
    bodies of the emails that carry it."""
    workbook = workbooks.opened(bytes(file.xlsx))
    best = files.best_rows(workbook)
    theirs = [
        (police_id, name)
        for police_id, name in files.trainee_cells(workbook)
        if police_id.value in former.police_ids
    ]
    if not theirs:
        return
    for police_id, name in theirs:
        workbooks.assign(police_id, trainee.police_id)
        workbooks.assign(name, trainee.name)
    file.xlsx = workbooks.content(workbook)
    file.pdf = files.frozen_pdf(workbook, title=file.title)
    file.save(update_fields=["xlsx", "pdf"])
    for delivery in file.deliveries.all():
        delivery.body = body_redact(delivery.body, best, trainee, former)
        delivery.save(update_fields=["body"])


def body_redact(body, best, trainee, former):
    """A recipient's email with the trainee's entry among the best scores, "名字（单位）" as
    reports/email/report.txt writes it, under their erased name. The entries are found in
    their order, each after the one before, so that a namesake's entry keeps its name."""
    start = 0
    for police_id, name, unit in best:
        entry = f"{name}（{unit}）"
        found = body.find(entry, start)
        if found < 0:
            break
        if police_id in former.police_ids:
            erased = f"{trainee.name}（{unit}）"
            body, entry = body[:found] + erased + body[found + len(entry) :], erased
        start = found + len(entry)
    return body
