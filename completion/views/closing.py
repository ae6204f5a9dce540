"""The close of a program (结业): the page that lists who completes and who does not and
why, the rules, the exceptions, the close itself and revoking a certificate. Organizers of
the program (and superusers) change; the city bureau's leadership reads (403 on a change);
anyone else gets 404 (trainees.permissions.program_for). A trainee named in a POST is looked
for among the program's own: another program's is a 404, as an unknown one is."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from completion.closing_forms import CloseForm, ClosingRulesForm, ExceptionForm, RevokeForm
from completion.models import Certificate
from completion.rules import any_rule, closing_of
from completion.selectors.closing import closing_overview
from completion.services import certificates, closing
from sessions.models import Activity
from trainees.models import Enrollment
from trainees.permissions import may_change, program_for
from trainees.text import whole_number


def back_to(program, enrollment):
    """The close page, scrolled to the trainee's row."""
    return redirect(reverse("completion:closing", args=[program.code]) + f"#row-{enrollment.pk}")


def posted_enrollment(request, program, *, active=True):
    """The (active) trainee of `program` named by the POST's `enrollment`, else 404."""
    value = whole_number(request.POST.get("enrollment", ""))
    if value is None:
        raise Http404
    enrollments = Enrollment.objects.select_related("trainee", "program").filter(program=program)
    if active:
        enrollments = enrollments.filter(status=Enrollment.Status.ACTIVE)
    return get_object_or_404(enrollments, pk=value)


def closing_page(request, code):
    """结业: the rules; before the close, each trainee's hours, attendance rate, graduation
    score and essay grade, the rules not met and the exceptions, and the close button; after
    it, the frozen result and the certificates."""
    program = program_for(request.user, code)
    overview = closing_overview(program)
    kinds = dict(Activity.Kind.choices)
    return render(
        request,
        "completion/closing.html",
        {
            "program": program,
            "overview": overview,
            "closing": overview.closing,
            "counted_labels": [kinds.get(kind, kind) for kind in overview.closing.counted_kinds],
            "any_rule": any_rule(overview.closing),
            "can_change": may_change(request.user, program),
            "close_form": CloseForm(),
        },
    )


def closing_rules(request, code):
    """The program's study hour, counted and evaluated kinds, and completion rules."""
    program = program_for(request.user, code, change=True)
    current = closing_of(program)
    if current.closed_at is not None:
        messages.info(request, _("The program is closed: its rules no longer change."))
        return redirect("completion:closing", program.code)
    form = ClosingRulesForm(
        request.POST if request.method == "POST" else None,
        initial=ClosingRulesForm.initial_of(current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            closing.closing_rules_update(program=program, **form.cleaned_data)
        except closing.ClosingRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The completion rules have been saved."))
        return redirect("completion:closing", program.code)
    return render(request, "completion/closing_rules.html", {"program": program, "form": form})


@require_POST
def closing_exception(request, code):
    """Grant an exception to one trainee, with a reason; or, with `withdraw`, take it back."""
    program = program_for(request.user, code, change=True)
    enrollment = posted_enrollment(request, program)
    name = enrollment.trainee.name
    try:
        if "withdraw" in request.POST:
            closing.completion_exception_withdraw(enrollment=enrollment)
            messages.success(
                request, _("The exception for %(name)s is withdrawn.") % {"name": name}
            )
        else:
            form = ExceptionForm(request.POST)
            if not form.is_valid():
                messages.error(request, form.errors["reason"][0])
            else:
                closing.completion_exception_grant(
                    enrollment=enrollment, reason=form.cleaned_data["reason"], user=request.user
                )
                messages.success(request, _("Exception granted to %(name)s.") % {"name": name})
    except closing.ClosingRefused as refusal:
        messages.error(request, str(refusal))
    return back_to(program, enrollment)


@require_POST
def closing_close(request, code):
    """Close the program: freeze each trainee's result, issue the certificates."""
    program = program_for(request.user, code, change=True)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["confirm"][0])
        return redirect("completion:closing", program.code)
    _closing, closed = closing.program_close(program=program, user=request.user)
    if closed:
        issued = Certificate.objects.filter(enrollment__program=program).count()
        messages.success(
            request,
            _("The program is closed; %(count)s certificates issued.") % {"count": issued},
        )
    else:
        messages.info(request, _("The program was closed already; nothing has changed."))
    return redirect("completion:closing", program.code)


@require_POST
def certificate_revoke(request, code):
    """Revoke the certificate of one trainee of the program, with a reason."""
    program = program_for(request.user, code, change=True)
    enrollment = posted_enrollment(request, program, active=False)
    certificate = get_object_or_404(Certificate, enrollment=enrollment)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
        return back_to(program, enrollment)
    try:
        certificates.certificate_revoke(
            certificate=certificate, user=request.user, reason=form.cleaned_data["reason"]
        )
    except certificates.RevokeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Certificate %(serial)s of %(name)s is revoked.")
            % {"serial": certificate.serial, "name": enrollment.trainee.name},
        )
    return back_to(program, enrollment)
