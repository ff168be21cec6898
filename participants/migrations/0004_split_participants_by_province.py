"""Participant records become per province (issue 13): what a province records about a person
(display code, category, residence, consent, withdrawal) belongs to that province's record; the
national identity (the UIC hash) moves to `Person`, so the same person is still counted once
nationally.

Existing data: every participant gets a Person with its hash and, as its province, the 2025
province of its earliest event (enrolment, contact, referral, support or rights assessment). A
participant with events in other provinces is split: each other province gets its own record (a
new display code, the same attributes) and that province's events are moved onto it. A
participant with no event at all is seen by nobody and is removed.
"""

import secrets
from collections import defaultdict

from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CHUNK = 5000


def _code():
    return "P-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(7))


def _event_models(apps):
    """(model, date field, path to the site) of every record that points at a participant."""
    return (
        (apps.get_model("participants", "Enrolment"), "enrolled_on", "site__"),
        (apps.get_model("participants", "Contact"), "date", "site__"),
        (apps.get_model("referrals", "Referral"), "date", "site__"),
        (apps.get_model("referrals", "Support"), "date", "site__"),
        (apps.get_model("participants", "RightsAssessment"), "date", "establishment__site__"),
    )


def split_by_province(apps, schema_editor):
    Participant = apps.get_model("participants", "Participant")
    Person = apps.get_model("participants", "Person")

    hashes = Participant.objects.order_by().values_list("uic_hash", flat=True)
    Person.objects.bulk_create(
        (Person(uic_hash=digest) for digest in hashes.iterator()), batch_size=CHUNK
    )
    Participant.objects.update(
        person_id=Subquery(Person.objects.filter(uic_hash=OuterRef("uic_hash")).values("pk")[:1])
    )

    # The provinces each participant was seen in, with the first day there.
    seen = defaultdict(dict)
    for model, date_field, site in _event_models(apps):
        rows = (
            model.objects.order_by()
            .values("participant_id", province=models.F(f"{site}province__current_id"))
            .annotate(first=Min(date_field))
        )
        for row in rows.iterator():
            days = seen[row["participant_id"]]
            day = days.get(row["province"])
            if day is None or row["first"] < day:
                days[row["province"]] = row["first"]

    home = defaultdict(list)
    others = []
    for pid, days in seen.items():
        first = min(days, key=lambda province: (days[province], province))
        home[first].append(pid)
        others += [(pid, province) for province in days if province != first]
    for province, pids in home.items():
        for start in range(0, len(pids), CHUNK):
            Participant.objects.filter(pk__in=pids[start : start + CHUNK]).update(
                province_id=province
            )
    Participant.objects.filter(province_id__isnull=True).delete()
    Person.objects.filter(participants__isnull=True).delete()

    fields = ("person_id", "category", "sex", "birth_year", "residence", "consent_on")
    for pid, province in others:
        original = Participant.objects.get(pk=pid)
        clone = Participant.objects.create(
            code=_code(),
            province_id=province,
            uic_hash=original.uic_hash,
            withdrawn_on=original.withdrawn_on,
            **{name: getattr(original, name) for name in fields},
        )
        for model, _date, site in _event_models(apps):
            model.objects.filter(
                participant_id=pid, **{f"{site}province__current_id": province}
            ).update(participant_id=clone.pk)


class Migration(migrations.Migration):
    dependencies = [("participants", "0003_person_and_province")]

    operations = [
        migrations.RunPython(split_by_province, migrations.RunPython.noop),
    ]
