from django.db import migrations


class Migration(migrations.Migration):
    """The score report's models moved to the reports app (reports 0001), tables and rows
    included: they leave this app's state only, and nothing in the database changes."""

    dependencies = [
        ("exams", "0005_score_change_points"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ReportDelivery"),
                migrations.DeleteModel(name="ReportFile"),
                migrations.DeleteModel(name="ScoreReport"),
                migrations.DeleteModel(name="ReportRecipient"),
            ],
        ),
    ]
