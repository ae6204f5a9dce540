from django.db.models import Count, Q

from trainees.models import Enrollment, Program


def program_list_for(user):
    """The programs a user organizes (all of them for a superuser), with their class sizes."""
    programs = Program.objects.all() if user.is_superuser else user.organized_programs.all()
    return programs.annotate(
        trainee_count=Count("enrollments", filter=Q(enrollments__status="active"))
    ).order_by("-start_date", "code")


def enrollments_of(user):
    """The signed-in trainee's enrollments, newest program first, with program and group."""
    return (
        Enrollment.objects.filter(trainee__user=user)
        .select_related("program", "group", "trainee__unit")
        .order_by("-program__start_date")
    )
