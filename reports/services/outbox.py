"""Publishing the score report (成绩通报): the recipients, and the outbox.

Publishing is a deliberate act: the organizer confirms on a page that shows what is about to
be mailed and what is not final yet (reports.selectors.readiness). Figures that are not final
are published only as provisional (暂定), which the organizer ticks: the report keeps the
reasons, and each email's subject, its first paragraph and the files say so.

Publishing writes everything an email needs (subject, body, the scope's .xlsx and PDF, the
Message-ID) in the transaction that creates the report, as one ReportDelivery row per email;
once it commits, `deliveries_written` announces them and reports.tasks sends a Celery task
per delivery, which sends it (reports.services.sending). Publishing never imports the tasks:
they connect to the signal when the app is ready (reports.apps). A delivery whose task is
lost (Redis down at publishing, a worker killed) stays pending, and beat's sweep sends it
again.
"""

import logging
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from reports import files
from reports.models import ReportDelivery, ReportFile, ReportRecipient, ScoreReport
from reports.selectors import readiness
from reports.selectors import report as reports
from trainees.models import Unit

logger = logging.getLogger(__name__)

POLITICAL_DEPARTMENT = "政治部"
# A second "publish" of the same figures this soon is a double click, refused.
REPUBLISH_AFTER = timedelta(minutes=2)


# Sent once the transaction that wrote deliveries has committed, with their ids (`ids`).
deliveries_written = Signal()


class ReportRefused(Exception):
    """A score report that cannot be published; the message says why."""


class FiguresIncomplete(ReportRefused):
    """Figures not final, and the organizer has not confirmed publishing them as provisional."""


# Recipients ---------------------------------------------------------------------------------


def default_recipients(program):
    """The default list: the political department of the program's bureau (a unit named 政治部
    directly under Program.bureau, else under a root unit: a city bureau's under a province)
    for the whole program, and each branch with trainees in the program for its own units, as
    (name, email, scope_unit); and the units left out for want of an email. The city bureau
    itself is not a branch here: its department already gets every row."""
    chosen, missing = [], []
    departments = (
        Unit.objects.filter(name=POLITICAL_DEPARTMENT)
        .exclude(parent=None)
        .exclude(email="")
        .select_related("parent")
        .order_by("pk")
    )
    department = None
    if program.bureau_id is not None:
        department = departments.filter(parent_id=program.bureau_id).first()
    if department is None:
        department = departments.filter(parent__parent__isnull=True).first()
    if department is None:
        missing.append(POLITICAL_DEPARTMENT)
    else:
        chosen.append((f"{department.parent.name}{department.name}", department.email, None))
    branch_ids = [pk for pk, _name in reports.program_branches(program)]
    branches = Unit.objects.filter(pk__in=branch_ids).order_by("name")
    if department is not None:
        branches = branches.exclude(pk=department.parent_id)
    for unit in branches:
        if unit.email:
            chosen.append((unit.name, unit.email, unit))
        else:
            missing.append(unit.name)
    return chosen, missing


@transaction.atomic
def recipients_fill_default(*, program):
    """Add the default recipients the program does not have yet (same email, same scope);
    returns (added, the names of the units left out for want of an email)."""
    chosen, missing = default_recipients(program)
    have = set(program.report_recipients.values_list("email", "scope_unit_id"))
    added = [
        ReportRecipient(program=program, name=name, email=email, scope_unit=unit)
        for name, email, unit in chosen
        if (email, unit.pk if unit else None) not in have
    ]
    ReportRecipient.objects.bulk_create(added)
    return added, missing


# Publishing ---------------------------------------------------------------------------------


def report_title(program, scope_unit):
    """The report's title, cut to the 300 characters its fields hold (a 200-character program
    name and a 100-character unit name would not fit)."""
    if scope_unit is None:
        title = _("%(program)s score report") % {"program": program.title}
    else:
        title = _("%(program)s score report (%(unit)s)") % {
            "program": program.title,
            "unit": scope_unit.name,
        }
    return Truncator(title).chars(300)


def provisional_title(title):
    """【暂定】 before a provisional report's subject and file names."""
    return Truncator(_("[Provisional] %(title)s") % {"title": title}).chars(300)


def message_id(report, number):
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN
    return f"<jingxun.report-{report.pk}.{number}@{domain}>"


@transaction.atomic
def report_publish(*, program, user, notify_trainees=False, provisional=False, now=None):
    """Publish the score report of `program`: freeze its figures, write one email per
    recipient (the rows of their scope, as .xlsx and PDF) and, with `notify_trainees`, one per
    trainee with an email (their own scores), all in this transaction; send them after it
    commits. Earlier reports of the program are marked superseded. Figures that are not final
    (reports.selectors.readiness) are refused unless `provisional`: then the report, its
    emails and its files say they are provisional, and why."""
    now = now or timezone.now()
    recipients = list(program.report_recipients.select_related("scope_unit"))
    if not recipients and not notify_trainees:
        raise ReportRefused(_("Add at least one recipient first."))
    whole = reports.program_report(program, now=now)
    if not whole.rows:
        raise ReportRefused(_("The program has no trainees to report on."))
    with translation.override(settings.LANGUAGE_CODE):  # kept as the bureau reads them
        reasons = readiness.publish_readiness(program, whole, now=now).reasons()
    if reasons and not provisional:
        raise FiguresIncomplete(
            _(
                "Some figures are not final yet. To publish them now, tick “Figures are "
                "provisional”: the emails and the files will say so, and why."
            )
        )
    # Under the program's row lock: two organizers publishing at once get 1 and 2, and a
    # second click on "publish" finds the first report.
    type(program).objects.select_for_update().filter(pk=program.pk).first()
    figures = reports.fingerprint(whole)
    latest = program.score_reports.order_by("-number").first()
    if latest and latest.fingerprint == figures and now - latest.created_at < REPUBLISH_AFTER:
        raise ReportRefused(
            _("Report no. %(number)s with these figures was published a moment ago.")
            % {"number": latest.number}
        )
    last = latest.number if latest else 0
    program.score_reports.filter(status=ScoreReport.Status.PUBLISHED).update(
        status=ScoreReport.Status.SUPERSEDED
    )
    with translation.override(settings.LANGUAGE_CODE):  # the bureau reads Chinese
        report = ScoreReport.objects.create(
            program=program,
            number=last + 1,
            title=report_title(program, None),
            created_by=user,
            notify_trainees=notify_trainees,
            fingerprint=figures,
            provisional_reasons=reasons,
        )
        files, deliveries = {}, []
        for recipient in recipients:
            scope = recipient.scope_unit
            if scope not in files:
                files[scope] = scope_file(report, whole, scope)
            part, file = files[scope]
            context = {
                "report": part,
                "program": program,
                "name": recipient.name,
                "now": now,
                "reasons": reasons,
            }
            deliveries.append(
                ReportDelivery(
                    report=report,
                    file=file,
                    recipient_name=recipient.name,
                    recipient_email=recipient.email,
                    scope_unit=scope,
                    subject=file.title,
                    body=render_to_string("reports/email/report.txt", context),
                    next_attempt_at=now,
                )
            )
        if notify_trainees:
            for row in whole.rows:
                if not row.trainee.email:
                    continue
                context = {
                    "report": whole,
                    "row": row,
                    "program": program,
                    "now": now,
                    "reasons": reasons,
                }
                subject = _("Your scores in %(program)s") % {"program": program.title}
                deliveries.append(
                    ReportDelivery(
                        report=report,
                        enrollment=row.enrollment,
                        recipient_name=row.name,
                        recipient_email=row.trainee.email,
                        subject=provisional_title(subject) if reasons else subject,
                        body=render_to_string("reports/email/trainee_scores.txt", context),
                        next_attempt_at=now,
                    )
                )
    if not deliveries:
        raise ReportRefused(_("No recipient and no trainee with an email: nothing to mail."))
    for number, delivery in enumerate(deliveries, start=1):
        delivery.message_id = message_id(report, number)
    created = ReportDelivery.objects.bulk_create(deliveries)
    ids = [delivery.pk for delivery in created]
    transaction.on_commit(lambda: deliveries_written.send(ReportDelivery, ids=ids))
    return report


def scope_file(report, whole, scope):
    """(the report of `scope`, its saved ReportFile with the .xlsx and the PDF); a provisional
    report's title begins with 【暂定】 and its files print why."""
    part = whole if scope is None else reports.narrowed(whole, scope)
    title = report_title(report.program, scope)
    if report.provisional:
        part = replace(part, provisional=report.provisional_reasons)
        title = provisional_title(title)
    file = ReportFile.objects.create(
        report=report,
        scope_unit=scope,
        title=title,
        rows=len(part.rows),
        xlsx=files.report_xlsx(part, title=title),
        pdf=files.report_pdf(part, title=title),
    )
    return part, file


@transaction.atomic
def deliveries_resend(*, report, delivery=None, now=None):
    """Put a failed (or still pending) delivery, or every failed one of `report`, back to
    pending and send it now. Returns how many."""
    now = now or timezone.now()
    chosen = report.deliveries.select_for_update().exclude(status=ReportDelivery.Status.SENT)
    if delivery is not None:
        chosen = chosen.filter(pk=delivery.pk)
    else:
        chosen = chosen.filter(status=ReportDelivery.Status.FAILED)
    ids = list(chosen.values_list("pk", flat=True))
    ReportDelivery.objects.filter(pk__in=ids).update(
        status=ReportDelivery.Status.PENDING, next_attempt_at=now, attempts=0
    )
    transaction.on_commit(lambda: deliveries_written.send(ReportDelivery, ids=ids))
    return len(ids)
