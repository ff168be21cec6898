"""Contacts carry their participant's person, step 3: required, and the reports' covering
index of a period's contacts."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("participants", "0007_contact_person_fill")]

    operations = [
        migrations.AlterField(
            model_name="contact",
            name="person",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="participants.person",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                fields=["date", "site", "person", "participant", "peer_group", "needs"],
                name="contact_report_scan",
            ),
        ),
    ]
