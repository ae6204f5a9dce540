# A migration of its own: on PostgreSQL, a table cannot be altered in the transaction that
# gave its rows their program (the deferred foreign-key checks of those rows are pending).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("timetable", "0005_venues_to_programs"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="venue",
            constraint=models.UniqueConstraint(
                fields=("program", "name"), name="venue_unique_per_program"
            ),
        ),
    ]
