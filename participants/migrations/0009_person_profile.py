"""Each person's national profile (participants.profiles), filled for everyone. The statement is
the one `profiles.refresh` ran when this migration was written, frozen here: a migration keeps
what the schema was at its step."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
INSERT INTO participants_personprofile (person_id, sex, birth_year, category, residence)
SELECT r.person_id,
       CASE WHEN MIN(r.sex) = MAX(r.sex) THEN MIN(r.sex) END,
       CASE WHEN MIN(r.birth_year) = MAX(r.birth_year) THEN MIN(r.birth_year) END,
       (SELECT p.category FROM participants_enrolment e
          JOIN participants_participant p ON p.id = e.participant_id
         WHERE p.person_id = r.person_id ORDER BY e.enrolled_on DESC, e.id DESC LIMIT 1),
       (SELECT p.residence FROM participants_enrolment e
          JOIN participants_participant p ON p.id = e.participant_id
         WHERE p.person_id = r.person_id ORDER BY e.enrolled_on DESC, e.id DESC LIMIT 1)
FROM participants_participant r GROUP BY r.person_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0008_contact_person_required"),
    ]

    operations = [
        migrations.CreateModel(
            name="PersonProfile",
            fields=[
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="profile",
                        serialize=False,
                        to="participants.person",
                    ),
                ),
                ("sex", models.CharField(max_length=10, null=True)),
                ("birth_year", models.PositiveSmallIntegerField(null=True)),
                ("category", models.CharField(max_length=30, null=True)),
                ("residence", models.CharField(max_length=10, null=True)),
            ],
            options={
                "verbose_name": "hồ sơ tổng hợp của người",
                "verbose_name_plural": "hồ sơ tổng hợp của người",
            },
        ),
        migrations.RunSQL(FILL, "DELETE FROM participants_personprofile"),
    ]
