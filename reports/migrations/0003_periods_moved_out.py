"""The reporting calendar and the approval state now live in `periods`
(periods/migrations/0001_moved_from_reports): `reports` forgets the three models and its
releases point at `periods.ReportingPeriod`. The tables and the release's foreign key are the
same in the database (a change of Django's state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("periods", "0001_moved_from_reports"),
        ("reports", "0002_load_periods"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="release",
                    name="period",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="releases",
                        to="periods.reportingperiod",
                        verbose_name="kỳ báo cáo",
                    ),
                ),
                migrations.RemoveField(model_name="submission", name="period"),
                migrations.RemoveField(model_name="submission", name="province"),
                migrations.RemoveField(model_name="submissionevent", name="submission"),
                migrations.RemoveField(model_name="submissionevent", name="by"),
                migrations.DeleteModel(name="ReportingPeriod"),
                migrations.DeleteModel(name="Submission"),
                migrations.DeleteModel(name="SubmissionEvent"),
            ],
        ),
    ]
