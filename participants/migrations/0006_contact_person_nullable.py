"""Contacts carry their participant's person (for the reports), step 1: the column, empty."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("participants", "0005_participant_once_per_province")]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="person",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="participants.person",
            ),
        ),
    ]
