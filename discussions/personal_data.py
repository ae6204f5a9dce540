"""This app's part of a trainee's personal data (trainees.personal_data): their essays, the
number of the essays' versions and their ideas in the download; the erasure deletes the
versions, blanks the essays' text and takes them out of the similarity index, the grade
stays."""

from discussions.models import Essay, EssayBand, EssayRevision, Idea


def trainee_data(trainee):
    """The trainee's essays and ideas, as plain data (sections of the download)."""
    return {
        "essays": list(
            Essay.objects.filter(enrollment__trainee=trainee).values(
                "enrollment__program__code", "title", "body", "status", "submitted_at", "grade"
            )
        ),
        "essay_versions": EssayRevision.objects.filter(essay__enrollment__trainee=trainee).count(),
        "ideas": list(
            Idea.objects.filter(author__trainee=trainee).values(
                "record__activity__program__code", "text", "starred"
            )
        ),
    }


def trainee_erase(trainee, former):
    """Delete the versions of the trainee's essays and their bands in the similarity index,
    and blank the essays' text and signature (a step of the erasure)."""
    EssayRevision.objects.filter(essay__enrollment__trainee=trainee).delete()
    EssayBand.objects.filter(essay__enrollment__trainee=trainee).delete()
    Essay.objects.filter(enrollment__trainee=trainee).update(title="", body="", signature=None)
