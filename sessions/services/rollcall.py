"""Roll call (点名): rotating check-in codes, check-ins and check-outs, the organizer's sheet,
closing an ended activity. One transaction each, and every change of an attendance record is
kept in AttendanceChange. Who is expected and the counts are read in sessions.selectors.rollcall;
leave is in sessions.services.leave.
"""

import hashlib
import hmac
import math
import unicodedata
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sessions.models import Activity, Attendance, AttendanceChange
from sessions.selectors.rollcall import check_in_candidates, covering_leave, expected
from trainees.rows import cache_per_process, fetch, table
from trainees.summaries import programs_changed
from trainees.throttle import WrongCodes, minutes

STEP_SECONDS = 30  # a code lives 30 seconds
GRACE_SECONDS = 10  # the previous code is still taken this long into the next step
SAME_MINUTE = timedelta(seconds=60)
CHECKOUT_MARGIN = timedelta(minutes=15)
Status = Attendance.Status
# Guessing a code: a trainee's wrong codes are counted (per trainee, not per address: a class
# shares one NAT address), and past CHECKIN_WRONG_CODES_LIMIT within the window they wait.
WRONG_CODES = WrongCodes(
    "check-in",
    limit_setting="CHECKIN_WRONG_CODES_LIMIT",
    window_setting="CHECKIN_WRONG_CODES_WINDOW",
)


class CheckInRefused(Exception):
    """A check-in that cannot be taken; the message says why, for the trainee."""


# Codes ------------------------------------------------------------------------------------


def step_of(moment):
    return int(moment.timestamp()) // STEP_SECONDS


def code_for(activity, step, purpose="in"):
    """The 6-digit code of an activity for one 30-second step (check-in or check-out)."""
    message = f"{purpose}:{activity.pk}:{activity.checkin_secret}:{step}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def current_code(activity, now=None, purpose="in"):
    """(code, seconds it has left) for the projector."""
    now = now or timezone.now()
    step = step_of(now)
    left = STEP_SECONDS - int(now.timestamp()) % STEP_SECONDS
    return code_for(activity, step, purpose), left


def code_is_valid(activity, code, now, purpose="in"):
    """The code of this step, or of the previous one during the first seconds of this one."""
    step = step_of(now)
    steps = [step]
    if int(now.timestamp()) % STEP_SECONDS < GRACE_SECONDS:
        steps.append(step - 1)
    return any(hmac.compare_digest(code, code_for(activity, s, purpose)) for s in steps)


# The check-in window and lateness -------------------------------------------------------


def window(activity):
    """(opens, closes) of self check-in: N minutes before the start, until the end."""
    opens = activity.starts_at - timedelta(minutes=activity.program.checkin_opens_minutes)
    return opens, activity.ends_at


def is_late(activity, moment):
    """Late once past the start plus the program's grace minutes."""
    return moment > activity.starts_at + timedelta(minutes=activity.program.late_grace_minutes)


def checkout_window(activity):
    """Check-out: from 15 minutes before the end to 15 minutes after it."""
    return activity.ends_at - CHECKOUT_MARGIN, activity.ends_at + CHECKOUT_MARGIN


def late_minutes(activity, moment):
    """Minutes late, counted from the start and rounded up (45 seconds late is 1 minute);
    0 within the grace. A moment after the end counts as the end."""
    moment = min(moment, activity.ends_at)
    if not is_late(activity, moment):
        return 0
    return math.ceil((moment - activity.starts_at).total_seconds() / 60)


# Writes -----------------------------------------------------------------------------------


def record(attendance, *, status, minutes_late, user, reason, old=None):
    """Keep the change of one attendance record."""
    old_status, old_minutes = old or ("", 0)
    if (old_status, old_minutes) == (status, minutes_late):
        return None
    return AttendanceChange.objects.create(
        attendance=attendance,
        changed_by=user,
        old_status=old_status,
        new_status=status,
        old_minutes_late=old_minutes,
        new_minutes_late=minutes_late,
        reason=reason,
    )


@transaction.atomic
def attendance_set(
    *, activity, enrollment, status, user, minutes_late=None, left_at=None, reason="sheet"
):
    """Set one trainee's status on the roll-call sheet (a tap); the change is kept."""
    if status not in Status.values:
        raise ValueError(status)
    attendance, created = Attendance.objects.select_for_update().get_or_create(
        activity=activity,
        enrollment=enrollment,
        defaults={"status": status, "marked_by": user, "method": Attendance.Method.SHEET},
    )
    old = None if created else (attendance.status, attendance.minutes_late)
    if status != Status.LATE:
        minutes_late = 0
    elif minutes_late is None:  # a tap on 迟到 during the class: late until now
        minutes_late = attendance.minutes_late or late_minutes(activity, timezone.now())
    attendance.status, attendance.minutes_late, attendance.marked_by = status, minutes_late, user
    if status == Status.LEFT_EARLY:
        attendance.left_at = left_at or timezone.now()
    attendance.save()
    record(attendance, status=status, minutes_late=minutes_late, user=user, reason=reason, old=old)
    return attendance


@transaction.atomic
def mark_remaining_present(*, activity, user):
    """ "Mark all remaining present": every expected trainee with no record yet."""
    have = Attendance.objects.filter(activity=activity).values("enrollment_id")
    missing = list(expected(activity).exclude(pk__in=have))
    on_leave = covering_leave(activity)  # approved leave stays leave
    Attendance.objects.bulk_create(
        [
            Attendance(
                activity=activity,
                enrollment=e,
                marked_by=user,
                status=Status.LEAVE if e.pk in on_leave else Status.PRESENT,
            )
            for e in missing
        ],
        ignore_conflicts=True,
    )
    saved = Attendance.objects.filter(activity=activity, enrollment__in=missing, history=None)
    changes = AttendanceChange.objects.bulk_create(
        AttendanceChange(
            attendance=a, changed_by=user, new_status=a.status, reason="all remaining present"
        )
        for a in saved
    )
    programs_changed([activity.program_id])  # bulk: the dashboards' summaries do not see it
    return sum(1 for change in changes if change.new_status == Status.PRESENT)


def check_in(*, activity_id=None, code, user, device, now=None, purpose="in"):
    """A trainee's self check-in (or check-out) with a code typed or scanned.

    Raises CheckInRefused with a message that says what is wrong. Two check-ins at once
    make one record (the unique constraint decides); the second is told it is done.

    A code that is no code of the trainee's activities, now or in the last five minutes, is
    wrong, and counted (WRONG_CODES); too many, and every code is refused for a while. An
    expired code or another group's is a code someone read off the screen, not a guess: it
    is not counted. A right code costs the throttle one cache read.
    """
    now = now or timezone.now()
    waiting = WRONG_CODES.wait(user.pk, now=now.timestamp())
    if waiting:
        raise CheckInRefused(too_many_wrong_codes(waiting))
    code = "".join(ch for ch in unicodedata.normalize("NFKC", code) if ch in "0123456789")
    found = check_in_candidates(
        user, now + timedelta(hours=2), now - timedelta(minutes=30), activity_id
    )
    candidates = [activity for activity, _enrollment in found]
    matching = [a for a in candidates if code_is_valid(a, code, now, purpose)]
    if not matching:
        recent = [step_of(now) - back for back in range(1, 11)]  # the last five minutes
        if any(
            hmac.compare_digest(code, code_for(a, s, purpose)) for a in candidates for s in recent
        ):
            raise CheckInRefused(_("This code has expired: type the code on the screen now."))
        waiting = WRONG_CODES.failed(user.pk, now=now.timestamp())
        if waiting:
            raise CheckInRefused(too_many_wrong_codes(waiting))
        raise CheckInRefused(
            _("This code is not the code of a current activity of yours: check the screen.")
        )
    activity = matching[0]
    enrollment = dict(found)[activity]
    if activity.group_id and enrollment.group_id != activity.group_id:
        raise CheckInRefused(
            _("This code belongs to %(title)s of %(group)s, not to your activity.")
            % {"title": activity.title, "group": activity.group}
        )
    opens, closes = window(activity) if purpose == "in" else checkout_window(activity)
    if now < opens:
        raise CheckInRefused(
            _("Check-in opens at %(time)s.") % {"time": timezone.localtime(opens).strftime("%H:%M")}
        )
    if now > closes:
        raise CheckInRefused(_("%(title)s is over: check-in is closed.") % {"title": activity})
    if purpose == "out":
        return check_out(activity, enrollment, user, now)
    return take_check_in(activity, enrollment, user, device, now)


def too_many_wrong_codes(seconds):
    """The refusal while a trainee waits out their wrong codes: how long, in minutes."""
    count = minutes(seconds)
    return ngettext(
        "Too many wrong codes: try again in %(minutes)s minute.",
        "Too many wrong codes: try again in %(minutes)s minutes.",
        count,
    ) % {"minutes": count}


def take_check_in(activity, enrollment, user, device, now):
    minutes = late_minutes(activity, now)
    status = Status.LATE if is_late(activity, now) else Status.PRESENT
    attendance = Attendance(
        activity=activity,
        enrollment=enrollment,
        status=status,
        minutes_late=minutes,
        checked_in_at=now,
        method=Attendance.Method.CODE,
        marked_by=user,
        device=device,
    )
    try:
        if connection.vendor == "postgresql":
            record_insert(attendance, user)
        else:
            with transaction.atomic():
                attendance.save()
                record(attendance, status=status, minutes_late=minutes, user=user, reason="code")
    except IntegrityError:
        existing = Attendance.objects.get(activity=activity, enrollment=enrollment)
        if existing.status == Status.ABSENT and existing.method != Attendance.Method.CODE:
            # Marked absent at roll call, then arrived: the check-in says when.
            return arrived_after_roll_call(existing, status, minutes, user, device, now)
        if (
            existing.device
            and existing.device != device
            and existing.checked_in_at
            and now - existing.checked_in_at < SAME_MINUTE
        ):
            # 代签? The same account from another device within the minute.
            Attendance.objects.filter(pk=existing.pk).update(
                flagged=_("checked in from two devices within one minute")
            )
        raise CheckInRefused(
            _("You are already checked in for %(title)s.") % {"title": activity}
        ) from None
    return attendance


@cache_per_process
def record_insert_sql():
    """The check-in's record and its change in one statement (PostgreSQL: an INSERT in a WITH),
    each value a parameter, in the models' column order."""
    quote = connection.ops.quote_name

    def columns(model):
        return [f for f in model._meta.concrete_fields if not f.primary_key]

    record, change = columns(Attendance), columns(AttendanceChange)
    names = [quote(f.column) for f in record]
    change_names = [quote(f.column) for f in change]
    values = ["made.id" if f.name == "attendance" else "%s" for f in change]
    return (
        (
            f"WITH made AS (INSERT INTO {table(Attendance)} ({', '.join(names)})"
            f" VALUES ({', '.join(['%s'] * len(names))}) RETURNING id)"
            f" INSERT INTO {table(AttendanceChange)} ({', '.join(change_names)})"
            f" SELECT {', '.join(values)} FROM made RETURNING {quote('attendance_id')}"
        ),
        record,
        change,
    )


def record_insert(attendance, user):
    """A check-in's record and the change that keeps it (record: from nothing to its status)
    in one statement, with no transaction around it (the statement is one; in a request's
    autocommit, BEGIN and COMMIT were two more round trips, and the ORM's two saves most of
    the check-in's time). A second check-in of the same trainee fails it whole with the
    unique constraint's IntegrityError, as the ORM's would. Tells the summaries, as the
    record's post_save would (trainees.summaries). In a transaction already, a savepoint
    keeps that transaction usable after the IntegrityError."""
    sql, record, change = record_insert_sql()
    made = AttendanceChange(
        changed_by=user,
        new_status=attendance.status,
        new_minutes_late=attendance.minutes_late,
        reason="code",
    )
    params = [f.get_db_prep_save(f.pre_save(attendance, True), connection) for f in record]
    # pre_save, as the ORM's save: changed_at (auto_now_add) is the moment of the write.
    params += [
        f.get_db_prep_save(f.pre_save(made, True), connection)
        for f in change
        if f.name != "attendance"
    ]
    with transaction.atomic() if connection.in_atomic_block else nullcontext():
        [(attendance.pk,)] = fetch(sql, params)
    attendance._state.adding = False
    programs_changed([attendance.activity.program_id])
    return attendance


@transaction.atomic
def arrived_after_roll_call(attendance, status, minutes, user, device, now):
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    old = (attendance.status, attendance.minutes_late)
    attendance.status, attendance.minutes_late = status, minutes
    attendance.checked_in_at, attendance.method, attendance.device = now, "code", device
    attendance.save()
    record(
        attendance,
        status=status,
        minutes_late=minutes,
        user=user,
        reason="code after roll call",
        old=old,
    )
    return attendance


@transaction.atomic
def check_out(activity, enrollment, user, now):
    attendance = (
        Attendance.objects.select_for_update()
        .filter(activity=activity, enrollment=enrollment)
        .first()
    )
    if attendance is None:
        raise CheckInRefused(_("You did not check in for %(title)s.") % {"title": activity})
    if attendance.checked_out_at:
        raise CheckInRefused(_("You are already checked out."))
    attendance.checked_out_at = now
    attendance.save(update_fields=["checked_out_at"])
    return attendance


@transaction.atomic
def activity_close(*, activity, now=None):
    """After the end: every expected trainee without a record is absent, or on leave if
    approved leave covers the activity. Running it again changes nothing."""
    now = now or timezone.now()
    if activity.ends_at > now:
        return 0
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    have = Attendance.objects.filter(activity=activity).values("enrollment_id")
    missing = list(expected(activity).exclude(pk__in=have).values_list("pk", flat=True))
    on_leave = covering_leave(activity)
    rows = [
        Attendance(
            activity=activity,
            enrollment_id=pk,
            method=Attendance.Method.AUTO,
            status=Status.LEAVE if pk in on_leave else Status.ABSENT,
        )
        for pk in missing
    ]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    AttendanceChange.objects.bulk_create(
        AttendanceChange(attendance=a, new_status=a.status, reason="closed")
        for a in Attendance.objects.filter(
            activity=activity, enrollment_id__in=missing, history=None
        )
    )
    if activity.checkout_required and activity.closed_at is None:
        # 签退 was required: those who came but never checked out left early.
        for attendance in Attendance.objects.filter(
            activity=activity, status__in=[Status.PRESENT, Status.LATE], checked_out_at=None
        ):
            old = (attendance.status, attendance.minutes_late)
            attendance.status, attendance.minutes_late = Status.LEFT_EARLY, 0
            attendance.save(update_fields=["status", "minutes_late"])
            record(
                attendance,
                status=Status.LEFT_EARLY,
                minutes_late=0,
                user=None,
                reason="no check-out",
                old=old,
            )
    if activity.closed_at is None:
        Activity.objects.filter(pk=activity.pk).update(closed_at=now)
    if rows:
        programs_changed([activity.program_id])  # bulk: the dashboards' summaries
    return len(rows)


def close_ended(now=None):
    """Close every ended activity not closed yet (the beat task)."""
    now = now or timezone.now()
    closed = 0
    for activity in Activity.objects.filter(ends_at__lte=now, closed_at__isnull=True):
        closed += activity_close(activity=activity, now=now) or 0
    return closed
