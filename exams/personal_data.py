"""This app's part of a trainee's personal data (trainees.personal_data): their exams in the
download. The erasure leaves the scores, anonymous, so this app has no erasure step."""

from exams.models import Attempt


def trainee_data(trainee):
    """The trainee's exam attempts, as plain data (a section of the download). A score the
    organizers have not released yet is left out, as on the results page and the learning
    file: the download is no way round the release."""
    attempts = (
        Attempt.objects.filter(enrollment__trainee=trainee)
        .order_by("exam__opens_at")
        .values(
            "exam__program__code",
            "exam__title",
            "exam__kind",
            "exam__released_at",
            "submitted_at",
            "score",
            "status",
        )
    )
    exams = []
    for attempt in attempts:
        released = attempt.pop("exam__released_at") is not None
        exams.append({**attempt, "score": attempt["score"] if released else None})
    return {"exams": exams}
