"""Course evaluation (评教) objects for tests: a running program, a lecture that ended
yesterday, trainees who attended it, and their answers."""

from datetime import timedelta

from django.utils import timezone

from completion.services import evaluation as services
from sessions.models import Attendance
from tests import factories
from tests.timetable.factories import activity, speaker


def running_program(organizers=(), code="CZ2023"):
    """A program from the day before yesterday to tomorrow, its timetable published."""
    today = timezone.localdate()
    return factories.program(
        organizers=list(organizers),
        code=code,
        start_date=today - timedelta(days=2),
        end_date=today + timedelta(days=1),
        timetable_published_at=timezone.now(),
    )


def yesterdays_lecture(program, title="聚焦派出所主防", start="14:00", end="15:30", **fields):
    """A lecture that ended yesterday (its window to evaluate is open), by 吕平洋 unless
    `speakers` says otherwise."""
    fields.setdefault("speakers", [speaker()])
    day = timezone.localdate() - timedelta(days=1)
    return activity(program, day=day, start=start, end=end, title=title, **fields)


def attended(activity_, n=1, status=Attendance.Status.PRESENT, start=0):
    """`n` new trainees enrolled in the activity's program who attended it: their enrollments."""
    enrollments = []
    for index in range(start, start + n):
        trainee = factories.trainee(police_id=f"{700000 + index}", name=f"学员{index:03d}")
        enrollment = factories.enrollment(activity_.program, trainee)
        Attendance.objects.create(activity=activity_, enrollment=enrollment, status=status)
        enrollments.append(enrollment)
    return enrollments


def answer(activity_, enrollment, score=4, comment=""):
    """The trainee's answer: every item scored `score` (or score[i] for item i)."""
    items = services.evaluation_items_for(program=activity_.program)
    scores = score if isinstance(score, list) else [score] * len(items)
    return services.evaluation_submit(
        activity=activity_,
        enrollment=enrollment,
        scores={item.pk: value for item, value in zip(items, scores, strict=True)},
        comment=comment,
    )


def answered(activity_, n, start=0, score=4, comments=()):
    """`n` trainees attended the activity and answered it; the i-th with comments[i] if any."""
    enrollments = attended(activity_, n, start=start)
    for index, enrollment in enumerate(enrollments):
        comment = comments[index] if index < len(comments) else ""
        answer(activity_, enrollment, score=score, comment=comment)
    return enrollments
