"""Reading trainees: those of the client's units, and one trainee's record across programs
(the learning file, 学习档案)."""

from ninja import Query, Router

from api import schemas
from api.pagination import page
from api.scope import trainee_of, visible_trainees
from completion.selectors.learning_file import learning_file
from trainees.models import Program

router = Router(tags=["trainees"])


def number(value):
    return None if value is None else float(value)


def trainee_out(trainee):
    return {
        "police_id": trainee.police_id,
        "name": trainee.name,
        "gender": trainee.gender,
        "unit": trainee.unit.name,
        "parent_unit": trainee.unit.parent.name if trainee.unit.parent else "",
        "position": trainee.position,
    }


@router.get("/trainees", response=schemas.answers(schemas.TraineePage), summary="Trainees")
def trainee_list(request, query: Query[schemas.PageQuery]):
    """The trainees of the client's units, by police ID."""
    trainees = visible_trainees(request.auth).select_related("unit__parent").order_by("police_id")
    return page(trainees, query, trainee_out)


@router.get(
    "/trainees/{police_id}",
    response=schemas.answers(schemas.TraineeRecord, 404),
    summary="A trainee's record across programs",
)
def trainee_record(request, police_id: str):
    """Every program the trainee attended, oldest first: hours, scores, gain, essay grade,
    completion and certificate (completion.selectors.learning_file)."""
    trainee = trainee_of(request.auth, police_id)
    record = learning_file(trainee, Program.objects.filter(enrollments__trainee=trainee))
    return {
        **trainee_out(trainee),
        "hours": float(record.hours),
        "certificates": record.certificates,
        "programs": [
            {
                "code": row.program.code,
                "title": row.program.title,
                "start_date": row.program.start_date,
                "end_date": row.program.end_date,
                "state": row.state,
                "status": row.enrollment.status,
                "hours": float(row.hours),
                "hours_final": row.hours_final,
                "entry": number(row.entry),
                "graduation": number(row.graduation),
                "gain": number(row.gain),
                "essay_grade": row.essay_grade,
                "completed": row.completion.completed if row.completion else None,
                "certificate": row.certificate.serial if row.certificate else None,
                "certificate_valid": row.certificate_valid,
            }
            for row in record.rows
        ],
    }
