"""The score report (成绩通报) pages: the preview and its files, the recipients, publishing,
and the delivery log of each published report. Organizers of the program change; leadership
reads (403 on a change); anyone else gets 404 (trainees.permissions.program_for)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from exams import mailing, report_files, reports
from exams.forms import PublishForm, RecipientForm
from exams.models import ReportDelivery, ReportFile, ScoreReport
from trainees.models import Unit
from trainees.permissions import may_change, program_for

XLSX = report_files.XLSX


def report_for(request, code):
    """The program, its report cut to `?unit=` (a unit and the units under it; the whole
    program without one) and the report's title."""
    program = program_for(request.user, code)
    unit = request.GET.get("unit", "")
    if unit and not (unit.isascii() and unit.isdigit()):  # "²".isdigit() is true
        raise Http404
    scope_unit = get_object_or_404(Unit, pk=unit) if unit else None
    report = reports.program_report(program, scope_unit=scope_unit)
    return program, report, mailing.report_title(program, scope_unit)


def report_download(content, content_type, title, extension):
    response = HttpResponse(content, content_type=content_type)
    name = report_files.file_name(title)
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{extension}")
    return response


def report(request, code):
    """成绩通报 preview: the report as it will be circulated, with its .xlsx and PDF; the
    recipients, the publish button and the reports published so far."""
    program, score_report, title = report_for(request, code)
    branches = reports.program_branches(program)
    scope = score_report.scope_unit
    return render(
        request,
        "exams/report.html",
        {
            "program": program,
            "report": score_report,
            "title": title,
            "branches": branches,
            # A scope that is not a branch (a station's link) is still offered as chosen.
            "other_scope": scope if scope and scope.pk not in dict(branches) else None,
            "query": f"?unit={scope.pk}" if scope else "",
            "can_change": may_change(request.user, program),
            "recipients": program.report_recipients.select_related("scope_unit"),
            "published": mailing.report_log(program),
            "publish_form": PublishForm(),
        },
    )


def report_xlsx(request, code):
    _program, score_report, title = report_for(request, code)
    content = report_files.report_xlsx(score_report, title=title)
    return report_download(content, XLSX, title, "xlsx")


def report_pdf(request, code):
    _program, score_report, title = report_for(request, code)
    content = report_files.report_pdf(score_report, title=title)
    return report_download(content, "application/pdf", title, "pdf")


# Recipients -----------------------------------------------------------------------------------


def recipients(request, code):
    """The program's report recipients; organizers add, remove and fill in the default list."""
    program = program_for(request.user, code, change=request.method == "POST")
    form = RecipientForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        form.instance.program = program
        form.save()
        messages.success(request, _("The recipient has been added."))
        return redirect("exams:report-recipients", program.code)
    return render(
        request,
        "exams/report_recipients.html",
        {
            "program": program,
            "form": form,
            "recipients": program.report_recipients.select_related("scope_unit"),
            "can_change": may_change(request.user, program),
        },
    )


@require_POST
def recipients_default(request, code):
    program = program_for(request.user, code, change=True)
    added, missing = mailing.recipients_fill_default(program=program)
    messages.success(
        request, _("%(count)s recipients of the default list added.") % {"count": len(added)}
    )
    if missing:
        messages.warning(
            request,
            _("Without an email, left out: %(units)s. Give the unit an email, or add it here.")
            % {"units": "、".join(missing)},
        )
    return redirect("exams:report-recipients", program.code)


@require_POST
def recipient_delete(request, code, pk):
    program = program_for(request.user, code, change=True)
    recipient = get_object_or_404(program.report_recipients, pk=pk)
    recipient.delete()
    messages.success(request, _("%(name)s removed from the recipients.") % {"name": recipient})
    return redirect("exams:report-recipients", program.code)


# Publishing and the delivery log --------------------------------------------------------------


@require_POST
def report_publish(request, code):
    program = program_for(request.user, code, change=True)
    form = PublishForm(request.POST)
    form.is_valid()  # one optional checkbox: always valid
    try:
        published = mailing.report_publish(
            program=program,
            user=request.user,
            notify_trainees=form.cleaned_data["notify_trainees"],
        )
    except mailing.ReportRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("exams:report", program.code)
    messages.success(
        request,
        _("Score report no. %(number)s published; its emails are being sent.")
        % {"number": published.number},
    )
    return redirect("exams:report-log", program.code, published.number)


def published_for(request, code, number, *, change=False):
    program = program_for(request.user, code, change=change)
    return program, get_object_or_404(ScoreReport, program=program, number=number)


def report_log(request, code, number):
    """A published report: its files as mailed, and each delivery's status, attempts and last
    error; whether the scores have changed since."""
    program, published = published_for(request, code, number)
    current = reports.program_report(program)
    deliveries = list(published.deliveries.select_related("scope_unit", "enrollment__trainee"))
    counts = dict.fromkeys(ReportDelivery.Status.values, 0)
    for delivery in deliveries:
        counts[delivery.status] += 1
    return render(
        request,
        "exams/report_log.html",
        {
            "program": program,
            "published": published,
            "files": published.files.select_related("scope_unit").defer("xlsx", "pdf"),
            "deliveries": deliveries,
            "counts": counts,
            "changed": reports.fingerprint(current) != published.fingerprint,
            "can_change": may_change(request.user, program),
        },
    )


@require_POST
def report_resend(request, code, number):
    """Resend one delivery (`delivery` in the form) or every failed one."""
    program, published = published_for(request, code, number, change=True)
    delivery, chosen = None, request.POST.get("delivery", "")
    if chosen:
        if not (chosen.isascii() and chosen.isdigit()):
            raise Http404
        delivery = get_object_or_404(published.deliveries, pk=chosen)
    count = mailing.deliveries_resend(report=published, delivery=delivery)
    messages.success(request, _("%(count)s emails are being sent again.") % {"count": count})
    return redirect("exams:report-log", program.code, published.number)


def report_file(request, code, number, pk, kind):
    """A published report's .xlsx or PDF, as it was mailed."""
    if kind not in ("xlsx", "pdf"):
        raise Http404
    _program, published = published_for(request, code, number)
    file = get_object_or_404(ReportFile, report=published, pk=pk)
    if kind == "xlsx":
        return report_download(bytes(file.xlsx), XLSX, file.title, "xlsx")
    return report_download(bytes(file.pdf), "application/pdf", file.title, "pdf")
