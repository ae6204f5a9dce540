"""This app's part of a trainee's personal data (trainees.personal_data): their exams in the
download. The erasure leaves the scores, anonymous, so this app has no erasure step."""

from exams.models import Attempt


def trainee_data(trainee):
    """The trainee's exam attempts, as plain data (a section of the download)."""
    return {
        "exams": list(
            Attempt.objects.filter(enrollment__trainee=trainee)
            .order_by("exam__opens_at")
            .values(
                "exam__program__code",
                "exam__title",
                "exam__kind",
                "submitted_at",
                "score",
                "status",
            )
        ),
    }
