"""Leave (请假): a trainee's request and the organizer's decision; approved leave marks the
activities it covers on the roll call.
"""

from dataclasses import dataclass

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


@dataclass
class LeaveCoverage:
    """What approved leave covers, activity by activity. `marked`: recorded as leave now (or
    already), because the activity has begun, is closed or has a record; `later`: not begun and
    not marked, recorded as leave when its roll call is closed or the rest are marked present
    (sessions.services.rollcall reads approved leave then); `attended`: the trainee was there,
    and the record stays."""

    marked: int = 0
    later: int = 0
    attended: int = 0

    @property
    def total(self):
        return self.marked + self.later + self.attended


@transaction.atomic
def leave_decide(*, leave, approve, user):
    """Approve or reject; approved leave marks every activity it covers that has begun, closed
    ones too, except where the trainee was there. Returns (leave, LeaveCoverage)."""
    leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
    if leave.status != LeaveRequest.Status.PENDING:
        raise ValueError(_("This request has been decided already."))
    leave.status = LeaveRequest.Status.APPROVED if approve else LeaveRequest.Status.REJECTED
    leave.decided_by, leave.decided_at = user, timezone.now()
    leave.save(update_fields=["status", "decided_by", "decided_at"])
    coverage = LeaveCoverage()
    if not approve:
        return leave, coverage
    covered = Activity.objects.filter(
        program_id=leave.enrollment.program_id,
        starts_at__lt=leave.ends_at,
        ends_at__gt=leave.starts_at,
    ).filter(Q(group__isnull=True) | Q(group_id=leave.enrollment.group_id))
    for activity in covered:
        attendance = Attendance.objects.filter(
            activity=activity, enrollment=leave.enrollment
        ).first()
        if attendance and attendance.attended:
            coverage.attended += 1
        elif attendance and attendance.status == Status.LEAVE:
            coverage.marked += 1
        elif attendance or activity.closed_at or activity.starts_at <= timezone.now():
            attendance_set(
                activity=activity,
                enrollment=leave.enrollment,
                status=Status.LEAVE,
                user=user,
                reason="leave approved",
            )
            coverage.marked += 1
        else:
            coverage.later += 1
    return leave, coverage
