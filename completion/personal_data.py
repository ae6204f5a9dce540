"""This app's part of a trainee's personal data (trainees.personal_data): their results at the
close, their certificates, and which activities they evaluated — never what they answered,
which no row joins to them (completion.models). The erasure leaves these: a certificate names
its holder through the enrollment, whose trainee the erasure renames, so its public page then
shows the erased label, masked."""

from completion.models import Certificate, Completion, EvaluationReceipt


def trainee_data(trainee):
    """The trainee's completions, certificates and evaluated activities, as plain data."""
    return {
        "completions": list(
            Completion.objects.filter(enrollment__trainee=trainee)
            .order_by("enrollment__program__start_date")
            .values(
                "enrollment__program__code", "completed", "hours", "attendance_rate", "shortfalls"
            )
        ),
        "certificates": list(
            Certificate.objects.filter(enrollment__trainee=trainee)
            .order_by("serial")
            .values("serial", "enrollment__program__code", "hours", "issued_at", "revoked_at")
        ),
        "evaluated_activities": list(
            EvaluationReceipt.objects.filter(enrollment__trainee=trainee)
            .order_by("activity__starts_at")
            .values("activity__program__code", "activity__title", "activity__starts_at")
        ),
    }
