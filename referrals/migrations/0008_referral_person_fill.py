"""Referrals carry their participant's person, step 2: filled from the participant records."""

from django.db import migrations

from participants.migrations import _carry


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_referral_person_nullable")]

    operations = [
        migrations.RunPython(_carry.fill("referrals_referral"), migrations.RunPython.noop),
    ]
