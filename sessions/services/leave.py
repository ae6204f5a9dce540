"""Leave (请假): a trainee's request and the organizer's decision; approved leave marks the
activities it covers on the roll call.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sessions.models import Activity, Attendance, LeaveRequest
from sessions.services.rollcall import attendance_set

Status = Attendance.Status


@transaction.atomic
def leave_request(*, enrollment, starts_at, ends_at, reason):
    """A trainee asks for leave (请假)."""
    return LeaveRequest.objects.create(
        enrollment=enrollment, starts_at=starts_at, ends_at=ends_at, reason=reason
    )


@transaction.atomic
def leave_decide(*, leave, approve, user):
    """Approve or reject; approved leave marks every activity it covers, closed ones too,
    except where the trainee was there."""
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    if leave.status != LeaveRequest.Status.PENDING:
        raise ValueError(_("This request has been decided already."))
    leave.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REJECTED
    leave.decided_by, leave.decided_at = user, timezone.now()
    leave.save(update_fields=["status", "decided_by", "decided_at"])
    if not approve:
        return leave, 0
    covered = Activity.objects.filter(
        program_id=leave.enrollment.program_id,
        starts_at__lt=leave.ends_at,
        ends_at__gt=leave.starts_at,
    ).filter(Q(group__isnull=True) | Q(group_id=leave.enrollment.group_id))
    marked = 0
    for activity in covered:
        attendance = Attendance.objects.filter(
            activity=activity, enrollment=leave.enrollment
        ).first()
        if attendance and (attendance.attended or attendance.status == Status.LEAVE):
            continue
        if attendance or activity.closed_at or activity.starts_at <= timezone.now():
            attendance_set(
                activity=activity,
                enrollment=leave.enrollment,
                status=Status.LEAVE,
                user=user,
                reason="leave approved",
            )
            marked += 1
    return leave, marked
