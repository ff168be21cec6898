"""Contacts carry their participant's person, step 2: filled from the participant records (one
UPDATE; in its own transaction, so that step 3 may alter the table)."""

from django.db import migrations

from participants.migrations import _carry


class Migration(migrations.Migration):
    dependencies = [("participants", "0006_contact_person_nullable")]

    operations = [
        migrations.RunPython(_carry.fill("participants_contact"), migrations.RunPython.noop),
    ]
