"""Participant records become per province (issue 13), step 3: the hash lives on `Person` only,
and each person has at most one record per province."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("participants", "0004_split_participants_by_province")]

    operations = [
        migrations.RemoveField(model_name="participant", name="uic_hash"),
        migrations.AlterField(
            model_name="participant",
            name="person",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="participants",
                to="participants.person",
            ),
        ),
        migrations.AlterField(
            model_name="participant",
            name="province",
            field=models.ForeignKey(
                editable=False,
                limit_choices_to={"unit_set": "2025"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sites.province",
                verbose_name="tỉnh/thành phố",
            ),
        ),
        migrations.AddConstraint(
            model_name="participant",
            constraint=models.UniqueConstraint(
                fields=("person", "province"), name="participant_once_per_province"
            ),
        ),
    ]
