"""Check-ins kept their phone's session key (Attendance.device) to flag a second phone within
the minute; they now keep a digest of it (sessions.views.rollcall.device_of). The keys kept
by the check-ins of the last 15 days, whose sessions may still be alive (14 days), are
blanked: the flag needs a device only within the minute of its check-in."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def blank_recent_keys(apps, schema_editor):
    Attendance = apps.get_model("timetable", "Attendance")
    since = timezone.now() - timedelta(days=15)
    Attendance.objects.filter(checked_in_at__gte=since).exclude(device="").update(device="")


class Migration(migrations.Migration):
    dependencies = [("timetable", "0007_timetable_version")]

    operations = [migrations.RunPython(blank_recent_keys, migrations.RunPython.noop)]
