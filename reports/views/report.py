"""The score report (成绩通报) pages: the preview and its files, the recipients, publishing
(a confirmation page first), and the delivery log of each published report. Organizers of
the program change; leadership reads (403 on a change); anyone else gets 404
(reports.permissions)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reports import files
from reports.forms import PublishForm, RecipientForm
from reports.models import ReportDelivery, ReportFile
from reports.permissions import published_for
from reports.selectors import report as reports
from reports.selectors.readiness import publish_readiness
from reports.services import outbox
from trainees.downloads import PDF, XLSX, attachment
from trainees.permissions import may_change, program_for
from trainees.text import whole_number


def report_for(request, code):
    """The program, its report cut to `?unit=` (a unit and the units under it; the whole
    program without one; 404 for a unit without a trainee of the program under it) and the
    report's title."""
    program = program_for(request.user, code)
    unit = request.GET.get("unit", "")
    if unit and whole_number(unit) is None:  # "²" or 30 digits: no unit's id
        raise Http404
    scope_unit = get_object_or_404(reports.report_units(program), pk=unit) if unit else None
    report = reports.program_report(program, scope_unit=scope_unit)
    return program, report, outbox.report_title(program, scope_unit)


def report(request, code):
    """成绩通报 preview: the report as it will be circulated, with its .xlsx and PDF; the
    recipients, the publish button and the reports published so far."""
    program, score_report, title = report_for(request, code)
    branches = reports.program_branches(program)
    scope = score_report.scope_unit
    return render(
        request,
        "reports/report.html",
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
            "published": reports.report_log(program),
        },
    )


def report_xlsx(request, code):
    _program, score_report, title = report_for(request, code)
    content = files.report_xlsx(score_report, title=title)
    return attachment(content, XLSX, f"{title}.xlsx")


def report_pdf(request, code):
    _program, score_report, title = report_for(request, code)
    content = files.report_pdf(score_report, title=title)
    return attachment(content, PDF, f"{title}.pdf")


# Recipients -----------------------------------------------------------------------------------


def recipients(request, code):
    """The program's report recipients; organizers add, remove and fill in the default list."""
    program = program_for(request.user, code, change=request.method == "POST")
    form = RecipientForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        form.instance.program = program
        form.save()
        messages.success(request, _("The recipient has been added."))
        return redirect("reports:report-recipients", program.code)
    return render(
        request,
        "reports/report_recipients.html",
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
    added, missing = outbox.recipients_fill_default(program=program)
    messages.success(
        request, _("%(count)s recipients of the default list added.") % {"count": len(added)}
    )
    if missing:
        messages.warning(
            request,
            _("Without an email, left out: %(units)s. Give the unit an email, or add it here.")
            % {"units": "、".join(missing)},
        )
    return redirect("reports:report-recipients", program.code)


@require_POST
def recipient_delete(request, code, pk):
    program = program_for(request.user, code, change=True)
    recipient = get_object_or_404(program.report_recipients, pk=pk)
    recipient.delete()
    messages.success(request, _("%(name)s removed from the recipients.") % {"name": recipient})
    return redirect("reports:report-recipients", program.code)


# Publishing and the delivery log --------------------------------------------------------------


def report_publish(request, code):
    """发布: the confirmation page (GET) shows each recipient and the rows it will be mailed,
    and what is not final yet, in red; publishing (POST) mails them. With figures not final,
    the organizer ticks "provisional", or the page comes back with the error and nothing is
    published or sent (the outbox's rule)."""
    program = program_for(request.user, code, change=True)
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        form.is_valid()  # two optional checkboxes: always valid
        try:
            published = outbox.report_publish(
                program=program,
                user=request.user,
                notify_trainees=form.cleaned_data["notify_trainees"],
                provisional=form.cleaned_data["provisional"],
            )
        except outbox.FiguresIncomplete as refusal:
            form.add_error("provisional", str(refusal))
        except outbox.ReportRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("reports:report", program.code)
        else:
            messages.success(
                request,
                _("Score report no. %(number)s published; its emails are being sent.")
                % {"number": published.number},
            )
            return redirect("reports:report-log", program.code, published.number)
    whole = reports.program_report(program)
    return render(
        request,
        "reports/report_publish.html",
        {
            "program": program,
            "report": whole,
            "title": outbox.report_title(program, None),
            "mailings": reports.report_mailing(program, whole),
            "readiness": publish_readiness(program, whole),
            "with_email": sum(1 for row in whole.rows if row.trainee.email),
            "form": form,
        },
    )


def report_log(request, code, number):
    """A published report: its files as mailed, and each delivery's status, attempts and last
    error; whether the scores have changed since."""
    program, published = published_for(request.user, code, number)
    current = reports.program_report(program)
    deliveries = list(published.deliveries.select_related("scope_unit", "enrollment__trainee"))
    counts = dict.fromkeys(ReportDelivery.Status.values, 0)
    for delivery in deliveries:
        counts[delivery.status] += 1
    return render(
        request,
        "reports/report_log.html",
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
    program, published = published_for(request.user, code, number, change=True)
    delivery, chosen = None, request.POST.get("delivery", "")
    if chosen:
        if whole_number(chosen) is None:
            raise Http404
        delivery = get_object_or_404(published.deliveries, pk=chosen)
    count = outbox.deliveries_resend(report=published, delivery=delivery)
    messages.success(request, _("%(count)s emails are being sent again.") % {"count": count})
    return redirect("reports:report-log", program.code, published.number)


def report_file(request, code, number, pk, kind):
    """A published report's .xlsx or PDF, as it was mailed."""
    if kind not in ("xlsx", "pdf"):
        raise Http404
    _program, published = published_for(request.user, code, number)
    file = get_object_or_404(ReportFile, report=published, pk=pk)
    if kind == "xlsx":
        return attachment(bytes(file.xlsx), XLSX, f"{file.title}.xlsx")
    return attachment(bytes(file.pdf), PDF, f"{file.title}.pdf")
