"""Timetable objects for tests: an activity on a day of a program, at given Beijing times."""

from datetime import datetime, time

from django.utils import timezone

from sessions.models import Activity, Speaker, Venue


def at(day, clock):
    hour, minute = map(int, clock.split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def activity(program, day=None, start="08:30", end="10:00", speakers=(), **fields):
    """A saved activity (no clash check: tests of clashes build theirs with Activity(...))."""
    day = day or program.start_date
    fields.setdefault("kind", Activity.Kind.LECTURE)
    fields.setdefault("title", "专题辅导")
    if isinstance(fields.get("venue"), str):
        fields["venue"] = Venue.objects.get_or_create(program=program, name=fields["venue"])[0]
    created = Activity.objects.create(
        program=program, starts_at=at(day, start), ends_at=at(day, end), **fields
    )
    created.speakers.set(speakers)
    return created


def speaker(name="吕平洋", title="支队长", organization="常州市公安局督察支队"):
    return Speaker.objects.get_or_create(name=name, title=title, organization=organization)[0]
