"""Study hours (学时): the one place that says what an attended activity earns.

A trainee earns, for each activity of a counted kind (ProgramClosing.counted_kinds) that
they attended, the minutes they were there, divided by the program's study hour (45 minutes
unless the program says otherwise), to one decimal:

- present: the whole activity;
- late: the whole activity less the minutes late (Attendance.minutes_late);
- left early: from the start (less any minutes late) to the time they left
  (Attendance.left_at); without a recorded time, half the activity;
- absent, on leave (approved or not), or no record: nothing.

Worked example (a 90-minute lecture, study hour 45 minutes): present 2.0; 15 minutes late
(90 - 15) / 45 = 1.7 (1.67 rounded half up to one decimal); left 30 minutes before the end
(60 / 45) = 1.3; on leave 0.

A trainee's hours in a program are the minutes of every counted activity that has ended and
was theirs, summed, then made hours once (completion.selectors.hours): late 15 minutes to
that lecture and present at a 120-minute case study, (75 + 120) / 45 = 4.3, not 1.7 + 2.7.
"""

from decimal import ROUND_HALF_UP, Decimal

from sessions.models import Attendance

ONE_DECIMAL = Decimal("0.1")


def attended_minutes(activity, attendance):
    """The minutes of `activity` that `attendance` (or None) credits."""
    if attendance is None or attendance.status not in Attendance.ATTENDED:
        return 0
    length = max(0, int((activity.ends_at - activity.starts_at).total_seconds() // 60))
    late = min(attendance.minutes_late or 0, length)
    if attendance.status == Attendance.Status.LEFT_EARLY:
        if attendance.left_at is None:
            return length // 2
        stayed = int((attendance.left_at - activity.starts_at).total_seconds() // 60)
        return max(0, min(length, stayed) - late)
    return length - late


def as_hours(minutes, hour_minutes):
    """Minutes as study hours, to one decimal (half up)."""
    return (Decimal(minutes) / Decimal(hour_minutes)).quantize(ONE_DECIMAL, ROUND_HALF_UP)
