"""Participant records become per province (issue 13), step 1: the national `Person` and the
record's province (filled by the next migration)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0002_enrolment_enrolment_site_participant"),
        ("referrals", "0003_referral_referral_open_by_date_and_more"),
        ("sites", "0003_locality_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="Person",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "uic_hash",
                    models.CharField(
                        editable=False, max_length=64, unique=True, verbose_name="mã băm UIC"
                    ),
                ),
            ],
            options={
                "verbose_name": "người (định danh toàn quốc)",
                "verbose_name_plural": "người (định danh toàn quốc)",
            },
        ),
        migrations.AlterField(
            model_name="participant",
            name="uic_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=False, verbose_name="mã băm UIC"
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="person",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="participants",
                to="participants.person",
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="province",
            field=models.ForeignKey(
                editable=False,
                null=True,
                limit_choices_to={"unit_set": "2025"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sites.province",
                verbose_name="tỉnh/thành phố",
            ),
        ),
    ]
