"""Personal data: a trainee downloads everything the app holds about them; an organizer erases
the personal data of a trainee withdrawn from their program, while the anonymous figures
(scores, attendance, essay grades) stay in every statistic.

The roster's part is here. Attendance, exams and essays belong to apps above this one, which
this app must not import (imports flow trainees ← sessions ← discussions ← exams): each of
them registers, in its AppConfig.ready(), a data source (its sections of the download) and an
erasure step (what it erases), as they register their part of the history (trainees.audit).
The pages (the download, the organizer's erase button) are in trainees.views.personal_data.
"""

from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trainees.models import Enrollment, Trainee
from trainees.permissions import ERASE, trainee_refusal


class ErasureRefused(Exception):
    """The trainee's data cannot be erased yet; the message says why."""


@dataclass(frozen=True)
class Former:
    """Who an erased trainee was: every name and police ID the roster's history knows of
    them (a report published before a correction holds the old ones), for the erasure steps
    that look for them in what was written back then."""

    names: frozenset
    police_ids: frozenset


DATA_SOURCES = []  # (position, source)
ERASURE_STEPS = []


def data_source(source, *, position):
    """Add a source of the download: a function(trainee) → {section: plain data}. Its sections
    follow the trainee's own, the sources in ascending `position` (the download's order)."""
    if all(registered is not source for _position, registered in DATA_SOURCES):
        DATA_SOURCES.append((position, source))
        DATA_SOURCES.sort(key=lambda entry: entry[0])
    return source


def erasure_step(step):
    """Add a step of the erasure: a function(trainee, former) that erases the app's personal
    data of the trainee, in trainee_erase's transaction. `trainee` is already erased (its
    name and police ID are the labels that replace them); `former` (a Former) says who they
    were."""
    if step not in ERASURE_STEPS:
        ERASURE_STEPS.append(step)
    return step


def trainee_data(trainee):
    """Everything the app holds about `trainee`, as plain data (the download): the roster's
    part, then each registered source's."""
    enrollments = list(
        Enrollment.objects.filter(trainee=trainee).select_related("program", "group")
    )
    data = {
        "exported_at": timezone.now(),
        "trainee": {
            "name": trainee.name,
            "police_id": trainee.police_id,
            "gender": trainee.get_gender_display(),
            "unit": str(trainee.unit),
            "position": trainee.position,
            "phone": trainee.phone,
            "email": trainee.email,
        },
        "programs": [
            {
                "program": e.program.title,
                "code": e.program.code,
                "dates": [e.program.start_date, e.program.end_date],
                "group": str(e.group or ""),
                "role": e.get_role_display(),
                "status": e.get_status_display(),
            }
            for e in enrollments
        ],
    }
    for _position, source in DATA_SOURCES:
        data.update(source(trainee))
    return data


@transaction.atomic
def trainee_erase(*, enrollment, user):
    """Erase the personal data of a trainee withdrawn from `enrollment`'s program: name,
    police ID, phone, email, position, their account, what each registered erasure step
    erases (the essay's text and its versions, their leave reasons, their rows of the
    published score reports), the sign-in records that hold their user name and the roster's
    history of them. Their enrollment, scores, attendance and essay grade stay, anonymous, so
    no statistic changes. Refused while the trainee is active in any program (that program
    needs them), and for a trainee who also attends a program `user` does not organize
    (trainees.permissions.trainee_refusal)."""
    trainee = Trainee.objects.select_for_update().get(pk=enrollment.trainee_id)
    if enrollment.status != Enrollment.Status.WITHDRAWN:
        raise ErasureRefused(_("Only a withdrawn trainee's data can be erased."))
    refusal = trainee_refusal(user, trainee, ERASE)
    if refusal:
        raise ErasureRefused(refusal)
    if trainee.enrollments.filter(status=Enrollment.Status.ACTIVE).exists():
        raise ErasureRefused(
            _("The trainee is still active in another program: its organizers withdraw them first.")
        )
    former = former_of(trainee)
    label = _("Erased trainee %(number)s") % {"number": trainee.pk}
    trainee.name, trainee.police_id = label[:50], f"erased-{trainee.pk}"
    trainee.gender = trainee.position = trainee.phone = trainee.email = ""
    trainee.initial_password = ""
    trainee.save()
    usernames, account = set(former.police_ids), None  # a trainee signs in with their police ID
    if trainee.user_id is not None:  # kept, for the records that point at it, but dead
        account = get_user_model().objects.get(pk=trainee.user_id)
        usernames.add(account.username)
        account.username = f"erased-{trainee.pk}"
        account.first_name = account.last_name = account.email = ""
        account.is_active = False
        account.set_unusable_password()
        account.save()
    # django-axes' lockout and sign-in records: the failed attempts (and their expiry, by
    # cascade), the sign-ins, the failures' log, under the name typed in; a failure is
    # counted under the name without case (trainees.middleware.lockout_username).
    usernames |= {name.casefold() for name in usernames}
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=usernames).delete()
    admin_log_redact(trainee, account)
    for step in ERASURE_STEPS:
        step(trainee, former)
    history = getattr(trainee, "history", None)  # the roster's audit trail holds the old data
    if history is not None:
        history.all().delete()
    return trainee


def former_of(trainee):
    """The Former of `trainee` before their erasure: their name and police ID, and those
    the roster's history has seen."""
    names, police_ids = {trainee.name}, {trainee.police_id}
    history = getattr(trainee, "history", None)
    if history is not None:
        for name, police_id in history.values_list("name", "police_id"):
            names.add(name)
            police_ids.add(police_id)
    return Former(names=frozenset(names), police_ids=frozenset(police_ids))


def admin_log_redact(trainee, account):
    """The admin's log names what it changed as the object's text of the day ("张伟（320401）",
    the account's user name): those of the erased trainee, their account and enrollments
    are written again from what they are now."""
    objects = [trainee, *trainee.enrollments.select_related("program", "trainee")]
    if account is not None:
        objects.append(account)
    for item in objects:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(item), object_id=str(item.pk)
        ).update(object_repr=str(item)[:200])
