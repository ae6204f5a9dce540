"""What marks a program's summary for a refresh (reports.summaries.programs_mark):
every save and delete of a row the summaries sum, through Django's signals, and the bulk
writes of the apps below, through trainees.summaries (they cannot import reports). Connected
in ReportsConfig.ready().

A receiver finds the program without a query when it can: the row's own program id, or a
related row already loaded (a check-in creates its attendance with the activity in hand);
otherwise once per process and row (an activity, an exam or an enrollment never changes
program).
"""

from django.db.models.signals import post_delete, post_init, post_save

from completion.models import Certificate, Completion, ProgramClosing
from discussions.models import Essay
from exams.models import Attempt, Exam
from reports.summaries import programs_mark
from sessions.models import Activity, Attendance
from trainees import summaries
from trainees.models import Enrollment, Trainee

PROGRAM_OF = {}  # (model, pk) → program id, for the rows that never change program
PROGRAM_OF_LIMIT = 100_000


def program_of(instance, relation, model):
    """The program id of `instance`'s `relation` (an Activity, Exam or Enrollment)."""
    field = type(instance)._meta.get_field(relation)
    if field.is_cached(instance):
        related = field.get_cached_value(instance)
        if related is not None:
            return related.program_id
    pk = getattr(instance, field.attname)
    if (model, pk) not in PROGRAM_OF:
        if len(PROGRAM_OF) > PROGRAM_OF_LIMIT:
            PROGRAM_OF.clear()
        PROGRAM_OF[model, pk] = (
            model.objects.filter(pk=pk).values_list("program_id", flat=True).first()
        )
    return PROGRAM_OF[model, pk]


def of_own_program(sender, instance, **kwargs):
    programs_mark([instance.program_id])


def of_activity(sender, instance, **kwargs):
    programs_mark([program_of(instance, "activity", Activity)])


def of_exam(sender, instance, **kwargs):
    programs_mark([program_of(instance, "exam", Exam)])


def of_enrollment(sender, instance, **kwargs):
    programs_mark([program_of(instance, "enrollment", Enrollment)])


UNKNOWN = object()


def trainee_loaded(sender, instance, **kwargs):
    # A trainee read without his unit (.only()) is not asked for it: a query for each.
    if "unit_id" in instance.__dict__:
        instance._summary_unit_id = instance.unit_id


def trainee_saved(sender, instance, created, **kwargs):
    """A trainee moved to another unit: his programs' units change (a new one has none; one
    read without his unit may have moved)."""
    if not created and instance.unit_id != getattr(instance, "_summary_unit_id", UNKNOWN):
        programs_mark(instance.enrollments.values_list("program_id", flat=True))
    instance._summary_unit_id = instance.unit_id


RECEIVERS = [
    (Enrollment, of_own_program),
    (Activity, of_own_program),
    (Exam, of_own_program),
    (ProgramClosing, of_own_program),
    (Attendance, of_activity),
    (Attempt, of_exam),
    (Essay, of_enrollment),
    (Completion, of_enrollment),
    (Certificate, of_enrollment),
]


def connect():
    for model, receiver in RECEIVERS:
        uid = f"reports.summaries.{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid)
    post_init.connect(trainee_loaded, sender=Trainee, dispatch_uid="reports.summaries.trainee")
    post_save.connect(trainee_saved, sender=Trainee, dispatch_uid="reports.summaries.trainee")
    summaries.listener_register(programs_mark)
