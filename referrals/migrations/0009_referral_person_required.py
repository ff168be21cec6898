"""Referrals carry their participant's person, step 3: required, and the reports' covering
index of a period's referrals."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("referrals", "0008_referral_person_fill")]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="person",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="participants.person",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["date", "site", "person", "status"], name="referral_report_scan"
            ),
        ),
    ]
