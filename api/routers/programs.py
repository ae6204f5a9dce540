"""Reading programs: the list, one program, its roster and groups, its timetable, and per
trainee its attendance, scores, essays' grades, study hours and certificates. Each figure is
read by the selector the pages read (never computed again here), then cut to the client's
units (api.scope)."""

from django.db.models import Count, Q
from ninja import Query, Router

from api import schemas
from api.pagination import page
from api.scope import (
    client_scope,
    enrollments_in_scope,
    in_scope,
    program_of,
    visible_programs,
)
from completion.selectors.learning_file import file_rows
from discussions.models import Essay
from exams.selectors.scores import program_scores
from sessions.selectors.discipline import discipline
from sessions.selectors.timetable import activities_of
from trainees.models import Enrollment

router = Router(tags=["programs"])


def number(value):
    return None if value is None else float(value)


def program_out(program):
    return {
        "code": program.code,
        "title": program.title,
        "kind": program.kind,
        "start_date": program.start_date,
        "end_date": program.end_date,
        "venue": program.venue,
        "bureau": program.bureau.name if program.bureau else None,
    }


def active_enrollments(client, program):
    """The program's active enrollments of the client's units, in the roster's order."""
    enrollments = program.enrollments.filter(status=Enrollment.Status.ACTIVE)
    return enrollments_in_scope(client, enrollments).order_by("group__number", "trainee__police_id")


@router.get("/programs", response=schemas.answers(schemas.ProgramPage), summary="Programs")
def program_list(request, query: Query[schemas.PageQuery]):
    """The programs the client sees, the latest first."""
    programs = (
        visible_programs(request.auth).select_related("bureau").order_by("-start_date", "code")
    )
    return page(programs, query, program_out)


@router.get(
    "/programs/{code}", response=schemas.answers(schemas.Program, 404), summary="One program"
)
def program_detail(request, code: str):
    return program_out(program_of(request.auth, code))


@router.get(
    "/programs/{code}/groups",
    response=schemas.answers(schemas.GroupPage, 404),
    summary="A program's groups",
)
def program_groups(request, code: str, query: Query[schemas.PageQuery]):
    program = program_of(request.auth, code)
    counted = Q(enrollments__status=Enrollment.Status.ACTIVE)
    unit_ids = client_scope(request.auth).unit_ids
    if unit_ids is not None:
        counted &= Q(enrollments__trainee__unit_id__in=unit_ids)
    groups = program.groups.annotate(trainees=Count("enrollments", filter=counted)).order_by(
        "number"
    )

    def convert(group):
        return {
            "number": group.number,
            "name": group.name,
            "host_name": group.host_name,
            "topic": group.topic,
            "trainees": group.trainees,
        }

    return page(groups, query, convert)


@router.get(
    "/programs/{code}/timetable",
    response=schemas.answers(schemas.ActivityPage, 404),
    summary="A program's timetable",
)
def program_timetable(request, code: str, query: Query[schemas.PageQuery]):
    """Every activity, in the order of its start."""
    program = program_of(request.auth, code)

    def convert(activity):
        return {
            "id": activity.pk,
            "kind": activity.kind,
            "title": activity.title,
            "starts_at": activity.starts_at,
            "ends_at": activity.ends_at,
            "venue": activity.venue.name if activity.venue else "",
            "group": activity.group.number if activity.group else None,
            "speakers": [speaker.name for speaker in activity.speakers.all()],
            "host": activity.host,
        }

    return page(activities_of(program), query, convert)


@router.get(
    "/programs/{code}/attendance",
    response=schemas.answers(schemas.AttendancePage, 404),
    summary="Attendance per trainee",
)
def program_attendance(request, code: str, query: Query[schemas.PageQuery]):
    """Each active trainee's roll call over the activities that have ended (the discipline
    record, sessions.selectors.discipline)."""
    program = program_of(request.auth, code)
    mine = set(active_enrollments(request.auth, program).values_list("pk", flat=True))
    lines = [line for line in discipline(program).trainees if line.enrollment_id in mine]

    def convert(line):
        return {
            "police_id": line.labels[0],
            "name": line.labels[1],
            "expected": line.expected,
            "attended": line.attended,
            "present": line.present,
            "late": line.late,
            "minutes_late": line.minutes_late,
            "left_early": line.left_early,
            "absent": line.absent,
            "leave": line.leave,
            "rate": line.rate,
        }

    return page(lines, query, convert)


@router.get(
    "/programs/{code}/scores",
    response=schemas.answers(schemas.ScorePage, 404),
    summary="Exam scores and gains",
)
def program_score_list(request, code: str, query: Query[schemas.PageQuery]):
    """Entry and graduation scores and the gain of each active trainee: the latest exam of
    each kind, final scores only (exams.selectors.scores.program_scores)."""
    program = program_of(request.auth, code)
    rows = in_scope(
        request.auth,
        program_scores(program).trainees,
        lambda row: row.enrollment.trainee.unit_id,
    )

    def convert(row):
        enrollment = row.enrollment
        return {
            "police_id": enrollment.trainee.police_id,
            "name": enrollment.trainee.name,
            "unit": enrollment.trainee.unit.name,
            "group": enrollment.group.number if enrollment.group else None,
            "entry": number(row.entry),
            "graduation": number(row.graduation),
            "gain": number(row.gain),
        }

    return page(rows, query, convert)


@router.get(
    "/programs/{code}/essays",
    response=schemas.answers(schemas.EssayGradePage, 404),
    summary="Essays' grades",
)
def program_essays(request, code: str, query: Query[schemas.PageQuery]):
    """Each active trainee's reflection essay (学习心得体会): its state and grade, never its
    text."""
    program = program_of(request.auth, code)
    enrollments = active_enrollments(request.auth, program).select_related("trainee", "essay")

    def convert(enrollment):
        try:
            essay = enrollment.essay
        except Essay.DoesNotExist:
            essay = None
        return {
            "police_id": enrollment.trainee.police_id,
            "name": enrollment.trainee.name,
            "status": essay.status if essay else "missing",
            "grade": essay.grade if essay else "",
            "excellent": essay.excellent if essay else False,
            "submitted_at": essay.submitted_at if essay else None,
            "reviewed_at": essay.reviewed_at if essay else None,
        }

    return page(enrollments, query, convert)


@router.get(
    "/programs/{code}/completion",
    response=schemas.answers(schemas.CompletionPage, 404),
    summary="Study hours and certificates",
)
def program_completion(request, code: str, query: Query[schemas.PageQuery]):
    """Each active trainee's study hours (学时), completion (结业) and certificate, as the
    learning file reads them (completion.selectors.learning_file.file_rows)."""
    program = program_of(request.auth, code)
    enrollments = active_enrollments(request.auth, program)
    chosen = page(enrollments, query, lambda enrollment: enrollment.pk)
    order = {pk: index for index, pk in enumerate(chosen["items"])}
    rows = sorted(
        file_rows(Enrollment.objects.filter(pk__in=chosen["items"]).select_related("trainee")),
        key=lambda row: order[row.enrollment.pk],
    )
    chosen["items"] = [
        {
            "police_id": row.trainee.police_id,
            "name": row.trainee.name,
            "hours": float(row.hours),
            "hours_final": row.hours_final,
            "completed": row.completion.completed if row.completion else None,
            "certificate": row.certificate.serial if row.certificate else None,
            "certificate_valid": row.certificate_valid,
        }
        for row in rows
    ]
    return chosen
