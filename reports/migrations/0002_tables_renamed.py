from django.db import migrations

MODELS = ["reportrecipient", "scorereport", "reportfile", "reportdelivery"]


def content_types_moved(apps, schema_editor):
    """The models' content types follow them, so the permissions given on them (and the
    admin's log) are kept. A fresh database has none yet: post_migrate makes them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="reports", model__in=MODELS).delete()
    ContentType.objects.filter(app_label="exams", model__in=MODELS).update(app_label="reports")


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="exams", model__in=MODELS).delete()
    ContentType.objects.filter(app_label="reports", model__in=MODELS).update(app_label="exams")


class Migration(migrations.Migration):
    """The tables taken over from exams get this app's names (exams_scorereport →
    reports_scorereport …); their rows, indexes and foreign keys go with them."""

    dependencies = [
        ("reports", "0001_initial"),
        ("exams", "0006_report_models_moved_to_reports"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        *(migrations.AlterModelTable(name=name, table=None) for name in MODELS),
        migrations.RunPython(content_types_moved, content_types_back),
    ]
