"""This app's part of a trainee's personal data (trainees.personal_data): their attendance and
leave requests in the download; the erasure blanks their leave reasons, the attendance stays."""

from sessions.models import Attendance, LeaveRequest


def trainee_data(trainee):
    """The trainee's attendance and leave requests, as plain data (sections of the download)."""
    return {
        "attendance": list(
            Attendance.objects.filter(enrollment__trainee=trainee)
            .order_by("activity__starts_at")
            .values(
                "activity__program__code",
                "activity__title",
                "activity__starts_at",
                "status",
                "minutes_late",
                "checked_in_at",
            )
        ),
        "leave_requests": list(
            LeaveRequest.objects.filter(enrollment__trainee=trainee).values(
                "enrollment__program__code", "starts_at", "ends_at", "reason", "status"
            )
        ),
    }


def trainee_erase(trainee, former):
    """Blank the reasons of the trainee's leave requests (a step of the erasure)."""
    LeaveRequest.objects.filter(enrollment__trainee=trainee).update(reason="")
