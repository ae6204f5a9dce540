"""The timetable as iCalendar (RFC 5545), for the calendar apps of trainees' phones."""

from django.utils import timezone
from icalendar import Calendar, Event


def ics(program, activities):
    """An .ics document of `activities` in Beijing time; each event keeps its UID when the
    activity is edited, so a subscribed calendar updates it in place."""
    calendar = Calendar()
    calendar.add("prodid", "-//Jingxun//Timetable//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", program.title)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    stamp = timezone.now()
    for activity in activities:
        event = Event()
        event.add("uid", activity.ical_uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", timezone.localtime(activity.starts_at))
        event.add("dtend", timezone.localtime(activity.ends_at))
        event.add("summary", activity.title)
        event.add("categories", [activity.get_kind_display()])
        if activity.venue:
            event.add("location", activity.venue.name)
        lines = [activity.get_kind_display()]
        if activity.group:
            lines.append(str(activity.group))
        speakers = [str(speaker) for speaker in activity.speakers.all()]
        if speakers:
            lines.append("、".join(speakers))
        if activity.description:
            lines.append(activity.description)
        event.add("description", "\n".join(lines))
        calendar.add_component(event)
    calendar.add_missing_timezones()  # a VTIMEZONE for Asia/Shanghai, which DTSTART names
    return calendar.to_ical()
