
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('exams', '0005_score_change_points'),
        ('trainees', '0009_roster_history'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The score report's models moved here from exams with their rows: the tables exams made
    # (0004_report_outbox) are taken over as they are (this migration creates nothing), and
    # 0002 gives them this app's names.
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ReportRecipient',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='Name')),
                        ('email', models.EmailField(max_length=254, verbose_name='Email')),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_recipients', to='trainees.program', verbose_name='Program')),
                        ('scope_unit', models.ForeignKey(blank=True, help_text='Leave empty for the whole program.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trainees.unit', verbose_name='Rows of')),
                    ],
                    options={
                        'db_table': 'exams_reportrecipient',
                        'verbose_name': 'Report recipient',
                        'verbose_name_plural': 'Report recipients',
                        'ordering': ['pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ScoreReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField(verbose_name='Number')),
                        ('title', models.CharField(max_length=300, verbose_name='Title')),
                        ('status', models.CharField(choices=[('published', 'Published'), ('superseded', 'Superseded by a later report')], default='published', max_length=10, verbose_name='Status')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='Published at')),
                        ('notify_trainees', models.BooleanField(default=False, verbose_name='Trainees mailed their own scores')),
                        ('fingerprint', models.CharField(max_length=64)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='Created by')),
                        ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='score_reports', to='trainees.program', verbose_name='Program')),
                    ],
                    options={
                        'db_table': 'exams_scorereport',
                        'verbose_name': 'Score report',
                        'verbose_name_plural': 'Score reports',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ReportFile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=300, verbose_name='Title')),
                        ('rows', models.PositiveIntegerField(verbose_name='Trainees')),
                        ('xlsx', models.BinaryField()),
                        ('pdf', models.BinaryField()),
                        ('scope_unit', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trainees.unit', verbose_name='Rows of')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='reports.scorereport', verbose_name='Score report')),
                    ],
                    options={
                        'db_table': 'exams_reportfile',
                        'verbose_name': 'Report file',
                        'verbose_name_plural': 'Report files',
                        'ordering': ['pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ReportDelivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('recipient_name', models.CharField(max_length=100, verbose_name='Recipient')),
                        ('recipient_email', models.EmailField(max_length=254, verbose_name='Recipient email')),
                        ('subject', models.CharField(max_length=300, verbose_name='Subject')),
                        ('body', models.TextField(verbose_name='Body')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='Status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='Attempts')),
                        ('next_attempt_at', models.DateTimeField(verbose_name='Next attempt at')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='Sent at')),
                        ('message_id', models.CharField(max_length=255, unique=True, verbose_name='Message-ID')),
                        ('last_error', models.TextField(blank=True, verbose_name='Last error')),
                        ('enrollment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='trainees.enrollment', verbose_name='Trainee')),
                        ('scope_unit', models.ForeignKey(blank=True, help_text='Leave empty for the whole program.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='trainees.unit', verbose_name='Rows of')),
                        ('file', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='reports.reportfile')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='reports.scorereport', verbose_name='Score report')),
                    ],
                    options={
                        'db_table': 'exams_reportdelivery',
                        'verbose_name': 'Report delivery',
                        'verbose_name_plural': 'Report deliveries',
                        'ordering': ['pk'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='scorereport',
                    constraint=models.UniqueConstraint(fields=('program', 'number'), name='report_unique_number'),
                ),
                migrations.AddIndex(
                    model_name='reportdelivery',
                    index=models.Index(fields=['status', 'next_attempt_at'], name='delivery_due'),
                ),
            ],
        ),
    ]
