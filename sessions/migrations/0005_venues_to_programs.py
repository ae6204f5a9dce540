"""Each venue goes to the program whose activities use it; a venue used by several programs is
copied, one copy per program, and each program's activities move to its own copy."""

from django.db import migrations


def venues_to_programs(apps, schema_editor):
    Venue = apps.get_model("timetable", "Venue")
    Activity = apps.get_model("timetable", "Activity")
    for venue in Venue.objects.filter(program__isnull=True).order_by("pk"):
        program_ids = sorted(
            set(Activity.objects.filter(venue=venue).values_list("program_id", flat=True))
        )
        if not program_ids:
            continue  # used by no activity: it stays without a program, offered nowhere
        first, *others = program_ids
        venue.program_id = first
        venue.save(update_fields=["program"])
        for program_id in others:
            copy = Venue.objects.create(
                program_id=program_id,
                name=venue.name,
                address=venue.address,
                capacity=venue.capacity,
            )
            Activity.objects.filter(venue=venue, program_id=program_id).update(venue=copy)


def venues_shared_again(apps, schema_editor):
    """Back to one venue per name (the name was unique): copies merge into the oldest."""
    Venue = apps.get_model("timetable", "Venue")
    Activity = apps.get_model("timetable", "Activity")
    kept = {}
    for venue in Venue.objects.order_by("pk"):
        if venue.name in kept:
            Activity.objects.filter(venue=venue).update(venue=kept[venue.name])
            venue.delete()
        else:
            kept[venue.name] = venue
    Venue.objects.update(program=None)


class Migration(migrations.Migration):
    dependencies = [
        ("timetable", "0004_venue_program"),
    ]

    operations = [
        migrations.RunPython(venues_to_programs, venues_shared_again),
    ]
