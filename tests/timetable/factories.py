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


ROOMS = ["第一研讨室", "第二研讨室", "第三研讨室", "第四研讨室"]
ROOMS += ["第五研讨室", "第六研讨室", "第七研讨室", "第八研讨室"]


def group_discussions(program, start="19:00", end="21:00", title="分组讨论"):
    """One discussion per group of `program` at the same time, group N in ROOMS[N - 1] with
    host 主持人N: what the parallel form makes."""
    return [
        activity(
            program,
            start=start,
            end=end,
            kind=Activity.Kind.DISCUSSION,
            title=title,
            group=group,
            venue=ROOMS[group.number - 1],
            host=f"主持人{group.number}",
        )
        for group in program.groups.order_by("number")
    ]
