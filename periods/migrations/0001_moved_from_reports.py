"""The reporting calendar and the approval state move from `reports` to `periods` (the ground
floor, where every writer asks the lock). The tables keep their names (`db_table`), so this is a
change of Django's state only: no table is created, renamed or copied, on SQLite as on
PostgreSQL. The content types follow the models, so the audit history, the admin log and the
permissions of existing rows stay attached to them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("reportingperiod", "submission", "submissionevent")


def move_content_types(apps, schema_editor, source="reports", target="periods"):
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not rows.filter(app_label=target, model=model).exists():
            rows.filter(app_label=source, model=model).update(app_label=target)


def move_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="periods", target="reports")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("reports", "0002_load_periods"),
        ("sites", "0003_locality_counts"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ReportingPeriod',
                    fields=[
                        ('code', models.CharField(max_length=20, primary_key=True, serialize=False, verbose_name='mã')),
                        ('kind', models.CharField(choices=[('quarter', 'Quý'), ('year', 'Năm'), ('phase', 'Giai đoạn')], max_length=10, verbose_name='loại kỳ')),
                        ('start', models.DateField(verbose_name='ngày bắt đầu')),
                        ('end', models.DateField(verbose_name='ngày kết thúc')),
                    ],
                    options={
                        'verbose_name': 'kỳ báo cáo',
                        'verbose_name_plural': 'kỳ báo cáo',
                        'db_table': 'reports_reportingperiod',
                        'ordering': ['-end', 'start'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('end__gte', models.F('start'))), name='period_end_after_start'), models.UniqueConstraint(fields=('start', 'end'), name='period_unique_range')],
                    },
                ),
                migrations.CreateModel(
                    name='Submission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(default=0, editable=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('status', models.CharField(choices=[('submitted', 'Đã trình, chờ Bộ duyệt'), ('returned', 'Bộ trả lại'), ('approved', 'Đã phê duyệt (khoá)'), ('reopened', 'Bộ đã mở lại')], max_length=10, verbose_name='trạng thái')),
                        ('figures', models.JSONField(blank=True, default=dict, verbose_name='số liệu đã trình')),
                        ('comment', models.TextField(blank=True, verbose_name='ý kiến gần nhất')),
                        ('period', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='periods.reportingperiod', verbose_name='kỳ báo cáo')),
                        ('province', models.ForeignKey(limit_choices_to={'unit_set': '2025'}, on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='sites.province', verbose_name='tỉnh/thành phố')),
                    ],
                    options={
                        'verbose_name': 'báo cáo kỳ của tỉnh',
                        'verbose_name_plural': 'báo cáo kỳ của tỉnh',
                        'db_table': 'reports_submission',
                        'ordering': ['period', 'province__name'],
                    },
                ),
                migrations.CreateModel(
                    name='SubmissionEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('submit', 'Trình Bộ'), ('return', 'Trả lại'), ('approve', 'Phê duyệt'), ('reopen', 'Mở lại')], max_length=10, verbose_name='thao tác')),
                        ('at', models.DateTimeField(auto_now_add=True, verbose_name='thời điểm')),
                        ('comment', models.TextField(blank=True, verbose_name='ý kiến')),
                        ('figures', models.JSONField(blank=True, default=dict, verbose_name='số liệu')),
                        ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL, verbose_name='người thực hiện')),
                        ('submission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='periods.submission', verbose_name='báo cáo kỳ')),
                    ],
                    options={
                        'verbose_name': 'bước của báo cáo kỳ',
                        'verbose_name_plural': 'bước của báo cáo kỳ',
                        'db_table': 'reports_submissionevent',
                        'ordering': ['at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='submission',
                    index=models.Index(fields=['status', 'province'], name='reports_sub_status_3d1368_idx'),
                ),
                migrations.AddConstraint(
                    model_name='submission',
                    constraint=models.UniqueConstraint(fields=('period', 'province'), name='submission_one_per_province_period'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_back),
    ]
