"""Each person's national profile (`PersonProfile`), kept in step with their records and
enrolments: the one rule is `refresh`, which rebuilds the profiles of the people it is given
from their records and enrolments, whatever was there before.

Who calls it: a record or an enrolment saved or deleted one at a time (the forms, the services,
the offline sync, the admin, a cascade) reaches it through the model signals `connect` ties to
it; the bulk writers call it themselves — the importer's participants file
(`participants.loaders`), `services.enrol_where_met` (imports of contacts), and the benchmark's
build. A record's display code, consent or withdrawal does not change a profile and does not
refresh it. `tests/participants/test_profiles.py` checks every writer against profiles worked
out by hand."""

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save

from exchange.contract import chunks

from .models import Enrolment, Participant, PersonProfile

# What a profile is made of: saving a record with other fields only (update_fields) keeps it.
PROFILE_FIELDS = frozenset({"sex", "birth_year", "category", "residence"})
CHUNK = 2000


def _tables() -> tuple[str, str, str]:
    quote = connection.ops.quote_name
    return (
        quote(PersonProfile._meta.db_table),
        quote(Participant._meta.db_table),
        quote(Enrolment._meta.db_table),
    )


def _latest(column: str, participants: str, enrolments: str) -> str:
    """The `column` of the record of the person's latest enrolment (greatest date, then id)."""
    return (
        f"(SELECT p.{column} FROM {enrolments} e JOIN {participants} p "  # noqa: S608
        "ON p.id = e.participant_id WHERE p.person_id = r.person_id "
        "ORDER BY e.enrolled_on DESC, e.id DESC LIMIT 1)"
    )


def _insert_sql(where: str) -> str:
    profiles, participants, enrolments = _tables()
    return (
        f"INSERT INTO {profiles} (person_id, sex, birth_year, category, residence) "  # noqa: S608
        "SELECT r.person_id, "
        "CASE WHEN MIN(r.sex) = MAX(r.sex) THEN MIN(r.sex) END, "
        "CASE WHEN MIN(r.birth_year) = MAX(r.birth_year) THEN MIN(r.birth_year) END, "
        f"{_latest('category', participants, enrolments)}, "
        f"{_latest('residence', participants, enrolments)} "
        f"FROM {participants} r {where} GROUP BY r.person_id"
    )


def refresh(*, persons: Iterable[int] | None = None, records: Iterable[int] | None = None) -> None:
    """Rebuild the profiles of `persons` (person ids) and of the persons of `records`
    (participant record ids); of everyone when both are None. A person left with no record
    has no profile."""
    with connection.cursor() as cursor:
        if persons is None and records is None:
            PersonProfile.objects.all().delete()
            cursor.execute(_insert_sql(""))
            return
        wanted = set(persons or ())
        for chunk in chunks(set(records or ()), CHUNK):
            wanted.update(
                Participant.objects.filter(pk__in=chunk).values_list("person_id", flat=True)
            )
        for chunk in chunks(sorted(wanted), CHUNK):
            PersonProfile.objects.filter(person_id__in=chunk).delete()
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(_insert_sql(f"WHERE r.person_id IN ({marks})"), chunk)


def _record_written(
    sender: type[Participant],
    instance: Participant,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw or (update_fields is not None and not PROFILE_FIELDS & set(update_fields)):
        return
    refresh(persons=[instance.person_id])


def _record_deleted(sender: type[Participant], instance: Participant, **kwargs: Any) -> None:
    refresh(persons=[instance.person_id])


def _enrolment_written(
    sender: type[Enrolment],
    instance: Enrolment,
    raw: bool = False,
    update_fields: Iterable[str] | None = None,
    **kwargs: Any,
) -> None:
    if raw or (update_fields is not None and "enrolled_on" not in update_fields):
        return
    refresh(records=[instance.participant_id])


def _enrolment_deleted(sender: type[Enrolment], instance: Enrolment, **kwargs: Any) -> None:
    # In a cascade from the record, the record's own post_delete follows.
    refresh(records=[instance.participant_id])


def connect() -> None:
    """Tie single-row writes of records and enrolments to `refresh` (ParticipantsConfig.ready)."""
    for signal, model, receiver in (
        (post_save, Participant, _record_written),
        (post_delete, Participant, _record_deleted),
        (post_save, Enrolment, _enrolment_written),
        (post_delete, Enrolment, _enrolment_deleted),
    ):
        signal.connect(receiver, sender=model, dispatch_uid=f"profiles.{receiver.__name__}")
