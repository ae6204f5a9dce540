"""Reads of reflection essays: the review list with each trainee's progress, an essay's kept
versions and its most similar essays. Records and ideas are read in selectors/records.py, the
forum in selectors/forum.py."""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery

from discussions.models import Essay, EssayMatch, EssayReview, EssayRevision
from discussions.services.essays import essay_window
from trainees.audit import Change, HistoryEntry, entries_of, label, shown
from trainees.models import Enrollment

# Where a trainee's essay stands, in the order the review list counts them.
STATES = ("missing", "returned", "submitted", "reviewed")


@dataclass
class EssayRow:
    enrollment: Enrollment
    essay: Essay | None
    state: str
    late: bool
    top_similarity: float | None


@dataclass
class Progress:
    rows: list
    counts: dict = field(default_factory=dict)


def essay_state(essay):
    """missing (nothing handed in: no essay, or a draft), returned, submitted, reviewed."""
    if essay is None or essay.status == Essay.Status.DRAFT:
        return "missing"
    if essay.status == Essay.Status.RETURNED:
        return "returned"
    return "reviewed" if essay.grade else "submitted"


def essay_progress(program):
    """Every active trainee of the program with their essay and where it stands, and the
    counts of each state and of late ones: one query, whatever the size of the class."""
    _opens, deadline = essay_window(program)
    top = EssayMatch.objects.filter(essay=OuterRef("essay")).order_by("-similarity")
    enrollments = (
        Enrollment.objects.filter(program=program, status=Enrollment.Status.ACTIVE)
        .select_related("trainee__unit", "group", "essay")
        .defer("essay__body", "essay__signature")
        .annotate(top_similarity=Subquery(top.values("similarity")[:1]))
        .order_by("group__number", "trainee__police_id")
    )
    rows = []
    for enrollment in enrollments:
        essay = getattr(enrollment, "essay", None)  # the reverse one-to-one raises when absent
        late = bool(deadline and essay and essay.submitted_at and essay.submitted_at > deadline)
        rows.append(
            EssayRow(enrollment, essay, essay_state(essay), late, enrollment.top_similarity)
        )
    counts = {state: sum(row.state == state for row in rows) for state in STATES}
    counts["late"] = sum(row.late for row in rows)
    counts["total"] = len(rows)
    counts["handed_in"] = counts["submitted"] + counts["reviewed"]
    counts["excellent"] = sum(bool(row.essay and row.essay.excellent) for row in rows)
    return Progress(rows, counts)


def essay_revisions(essay, limit=30):
    """The versions the trainee can restore, newest first."""
    return list(
        EssayRevision.objects.filter(essay=essay)
        .defer("body")
        .order_by("-created_at", "-pk")[:limit]
    )


def essay_matches(essay, limit=5):
    """The essays most like this one, of any program, most similar first."""
    return list(
        EssayMatch.objects.filter(essay=essay)
        .select_related(
            "other__enrollment__trainee__unit",
            "other__enrollment__program",
            "other__enrollment__group",
        )
        .order_by("-similarity")[:limit]
    )


def essays_for_export(program, *, excellent_only=False):
    """The handed-in essays of a program in group and police-ID order, for the compilation."""
    essays = Essay.objects.filter(
        enrollment__program=program,
        enrollment__status=Enrollment.Status.ACTIVE,
        status=Essay.Status.SUBMITTED,
    ).select_related("enrollment__trainee__unit", "enrollment__group")
    if excellent_only:
        essays = essays.filter(excellent=True)
    return list(essays.order_by("enrollment__group__number", "enrollment__trainee__police_id"))


def essay_history(enrollment):
    """The trainee's essay reviews, and the essay's changes of state (handed in, returned and
    why, extended) with who made them (trainees.audit): two queries. A review's grade is told
    once, by the review."""

    def value(record, name):
        if name == "status":
            return shown(record.get_status_display())
        return shown(getattr(record, name))

    topic = Essay._meta.verbose_name
    entries = entries_of(
        Essay.history.filter(enrollment_id=enrollment.pk).select_related("history_user"),
        Essay,
        ("status", "returned_comment", "extended_until"),
        value,
        topic=topic,
        reasons={},
        created=False,  # an empty draft, made when the trainee first opens the page
    )
    for review in EssayReview.objects.filter(essay__enrollment=enrollment).select_related(
        "reviewer"
    ):
        changes = [Change(label(EssayReview, "grade"), None, review.get_grade_display())]
        if review.excellent:
            changes.append(Change(label(EssayReview, "excellent"), None, "✓"))
        entries.append(
            HistoryEntry(
                when=review.created_at,
                topic=topic,
                subject=EssayReview._meta.verbose_name,
                changes=changes,
                who=review.reviewer,
                note=review.comment,
            )
        )
    return entries
