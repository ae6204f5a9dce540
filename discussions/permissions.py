"""Who may see and change discussion records, forum talks and essays: the one place the
discussions app decides it.

- organizers of the program (and superusers) read and change everything of it;
- leadership reads everything and changes nothing;
- a reviewer named for the program reads and grades its essays;
- a host or anyone else named the recorder of a record reads and writes that record;
- a trainee of the program (active enrollment) reads the forum, their group's records and the
  records shared with the class, writes a record they are named the recorder of, and writes
  their own essay. Another trainee's essay is a 404;
- anyone else gets 404 for every page of the program.

One rule for every refusal: whoever may not read a thing gets 404; whoever may read it but
not change it (leadership, a trainee of the group who is not its recorder) gets 403.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from discussions.models import DiscussionRecord, EssayReviewer
from trainees.models import Enrollment, Program
from trainees.permissions import leadership_reads
from trainees.roles import user_roles


@dataclass(frozen=True)
class Access:
    """What the signed-in user may do in one program."""

    program: Program
    user: object
    organizer: bool = False
    leadership: bool = False
    reviewer: bool = False
    enrollment: Enrollment | None = None  # the user's own place in the class, if a trainee
    recorder: bool = False  # named to write a record of this program (a host's account)

    @property
    def reads_all(self):
        """Organizers and leadership read every record and every essay of the program."""
        return self.organizer or self.leadership

    @property
    def reviews(self):
        """May grade, comment on and mark essays."""
        return self.organizer or self.reviewer

    @property
    def reads_essays(self):
        return self.reads_all or self.reviewer


def access_for(user, code):
    """The user's Access to program `code`; 404 if they have none."""
    program = get_object_or_404(Program, code=code)
    roles = user_roles(user)
    organizer = user.is_superuser or (
        roles.organizer and program.organizers.filter(pk=user.pk).exists()
    )
    reviewer = not organizer and EssayReviewer.objects.filter(program=program, user=user).exists()
    enrollment = None
    if roles.trainee:
        enrollment = (
            Enrollment.objects.select_related("trainee", "group")
            .filter(program=program, trainee__user=user, status=Enrollment.Status.ACTIVE)
            .first()
        )
    # A host's account named the recorder; a withdrawn trainee keeps no way in.
    recorder = not (organizer or roles.leadership or reviewer or enrollment) and (
        DiscussionRecord.objects.filter(activity__program=program, recorder=user).exists()
        and not Enrollment.objects.filter(program=program, trainee__user=user).exists()
    )
    access = Access(
        program=program,
        user=user,
        organizer=organizer,
        leadership=leadership_reads(user, program),
        reviewer=reviewer,
        enrollment=enrollment,
        recorder=recorder,
    )
    if not (access.reads_all or reviewer or enrollment or recorder):
        raise Http404
    return access


def may_read_record(access, record):
    """Organizers and leadership; the record's group and recorder; the whole class once it is
    shared."""
    if access.reads_all or record.recorder_id == access.user.pk:
        return True
    if access.enrollment is None:
        return False
    return record.shared_at is not None or record.group_id == access.enrollment.group_id


def may_write_record(access, record):
    """Organizers, and the recorder they named (the host or a trainee of the group)."""
    return access.organizer or (
        record.recorder_id is not None and record.recorder_id == access.user.pk
    )


def may_read_forum(access):
    """The forum and its slides: organizers, leadership and the program's trainees (not a
    reviewer or a host's account as such)."""
    return access.reads_all or access.enrollment is not None


def reads_essays_of(user, program):
    """Whether the user may read the essays of `program` (for the similar essays of other
    programs: a match shows another program's text only to those who may read it there)."""
    if leadership_reads(user, program):
        return True
    return (
        program.organizers.filter(pk=user.pk).exists()
        or EssayReviewer.objects.filter(program=program, user=user).exists()
    )


def refuse(readable):
    """403 to whoever may read the thing, 404 to the rest."""
    if readable:
        raise PermissionDenied
    raise Http404


def require_record_write(access, record):
    """Organizers and the record's recorder write it."""
    if not may_write_record(access, record):
        refuse(may_read_record(access, record))


def require_record_organizer(access, record):
    """Naming the recorder, sharing, starring: organizers only."""
    if not access.organizer:
        refuse(may_read_record(access, record))


def forum_access(user, code, *, change=False):
    """The user's Access to the program's forum (change=True: to change it)."""
    access = access_for(user, code)
    if not may_read_forum(access) or (change and not access.organizer):
        refuse(may_read_forum(access))
    return access


def own_enrollment(request, code):
    """The signed-in trainee's active place in program `code` (their way to their own essay),
    or 404: one query, as the autosave runs every few seconds."""
    return get_object_or_404(
        Enrollment.objects.select_related("program"),
        program__code=code,
        trainee__user=request.user,
        status=Enrollment.Status.ACTIVE,
    )


def essay_access(user, code, *, change=False):
    """The user's Access to the program's essays: organizers, leadership and named reviewers
    read them (trainees reach only their own, through the editor); change=True: organizers
    only (returns, extensions, reviewers)."""
    access = access_for(user, code)
    if not access.reads_essays or (change and not access.organizer):
        refuse(access.reads_essays)
    return access
