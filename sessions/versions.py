"""What raises a program's timetable version (TimetableVersion), in the transaction of the
change itself: every save or deletion of what a trainee's timetable shows. Signals, so that
no write path (the form, the import, the copy of a day, the admin) can forget it; a bulk
write that bypasses them (QuerySet.update, bulk_create) must call `timetable_version_raise`.
"""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from sessions.models import Activity, ActivityChange, Material, TimetableVersion, Venue
from trainees.models import Group


def timetable_version_raise(*, program_id):
    """One more version of the program's timetable: the cached one is not read again."""
    if program_id is None:
        return
    raised = TimetableVersion.objects.filter(program_id=program_id).update(version=F("version") + 1)
    if not raised:
        try:
            with transaction.atomic():
                TimetableVersion.objects.create(program_id=program_id, version=1)
        except IntegrityError:  # created meanwhile by another change
            TimetableVersion.objects.filter(program_id=program_id).update(version=F("version") + 1)


def version_of(program):
    """The program's timetable version (0 before any change); no query when read with
    select_related("timetable_version")."""
    try:
        return program.timetable_version.version
    except TimetableVersion.DoesNotExist:
        return 0


def on_program_part(sender, instance, origin=None, **kwargs):
    if deleting_program(origin):
        return  # its timetable goes with it (and a version row would outlive it)
    timetable_version_raise(program_id=instance.program_id)


def deleting_program(origin):
    from trainees.models import Program

    model = getattr(origin, "model", type(origin))
    return model is Program


def on_speakers(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # a speaker's activities changed: each of their programs
        programs = Activity.objects.filter(pk__in=pk_set or ()).values_list("program_id")
        for program_id in {p for (p,) in programs}:
            timetable_version_raise(program_id=program_id)
    else:
        timetable_version_raise(program_id=instance.program_id)


def on_speaker(sender, instance, **kwargs):
    """A speaker's name or title shows on every programme that has them."""
    programs = Activity.objects.filter(speakers=instance).values_list("program_id", flat=True)
    for program_id in set(programs):
        timetable_version_raise(program_id=program_id)


def connect():
    from sessions.models import Speaker

    for model in (Activity, Venue, Group, Material):
        post_save.connect(on_program_part, sender=model, dispatch_uid=f"version-{model.__name__}")
        post_delete.connect(
            on_program_part, sender=model, dispatch_uid=f"version-del-{model.__name__}"
        )
    post_save.connect(on_program_part, sender=ActivityChange, dispatch_uid="version-change")
    post_save.connect(on_speaker, sender=Speaker, dispatch_uid="version-speaker")
    # Before: a deleted speaker's links to activities go without m2m_changed, and are gone
    # after (the deletion's transaction holds both).
    pre_delete.connect(on_speaker, sender=Speaker, dispatch_uid="version-del-speaker")
    m2m_changed.connect(
        on_speakers, sender=Activity.speakers.through, dispatch_uid="version-speakers"
    )
