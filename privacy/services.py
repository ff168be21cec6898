"""Writes of the privacy app: erasing people (on request or when their retention has run out)
and reviewing harvesting alerts.

How erasure keeps the indicators (README "Data protection"). The indicators count distinct
people over any period, scope and breakdown the dashboards ask for, so a person's contribution
cannot be folded into per-day or per-site totals and added back exactly. Erasure therefore
keeps the events the engine counts, and takes away everything that leads to the person:

- the national identity (`Person.uic_hash`) becomes "erased:" and its row id, which no UIC
  hashes to: no UIC answers find the person again, and the same answers later enrol a new one;
- each province record becomes a tombstone: a code made of its row id that is never shown, its
  consent and withdrawal dates replaced by its first enrolment date, and only what the
  breakdowns read (sex, birth year, category, residence); it is marked `ErasedRecord`, and every
  `visible_to` leaves the record and its events out for everyone, so no page, list, export or
  look-up reaches them;
- the events keep their dates, sites and flags; their links to the staff who recorded them go,
  open referrals are closed as lost;
- the audit history and activity log entries that name the records are blanked (who did what
  kind of thing when stays); the phones' submission results forget the code;
- what waits in users' sessions with the person's hash (a pending enrolment, a contact's
  look-up or new-person step) is removed, and answers kept from before the erasure are refused
  (`answers_predate_erasure`), so a pending enrolment can no longer be confirmed; every import
  preview waiting for confirmation is deleted (the server cannot read them without the
  uploaders' keys, exchange.uploads).

The tombstones still group the person's events under one anonymous id, so every distinct count
of every period stays exactly as it was; published releases are stored tables and never move.
Everything is written with queryset updates: no history entry is made for the changes.
"""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    DateTimeField,
    F,
    Min,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ActivityEvent
from offline.models import Submission as OfflineSubmission
from participants.models import (
    Contact,
    Enrolment,
    Participant,
    Person,
    PersonProfile,
    RightsAssessment,
)
from referrals.models import Referral, ReferralEvent, Support

from .models import ERASED_PREFIX, ErasedRecord, ErasureRun, HarvestAlert
from .selectors import COUNT_LABELS, expired_people

if TYPE_CHECKING:
    from accounts.models import User

BATCH = 500
BLANK = "—"
# A tombstone's code: no "P-", so never taken for a display code (`normalize_code` never
# produces it).
ERASED_CODE_PREFIX = "X"

# Every model related to a participant record, each handled in `_erase_batch`
# (tests/privacy/test_dossier.py compares this with the models found by walking the relations,
# so a new one cannot be missed).
HANDLED = (
    Person,
    PersonProfile,
    Participant,
    ErasedRecord,
    Enrolment,
    Contact,
    RightsAssessment,
    Referral,
    ReferralEvent,
    Support,
)


def today() -> datetime.date:
    return timezone.localdate()


def _blank_history(model: type[Model], ids: list[int] | QuerySet[Any, Any]) -> int:
    """Blank the audit history of `model`'s rows `ids` (a queryset of ids): who did what kind of
    change when stays, what the rows were and what changed goes."""
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=ids
    ).update(
        object_pk="",
        object_id=None,
        object_repr=BLANK,
        changes=None,
        changes_text="",
        serialized_data=None,
        additional_data=None,
    )


def _forget_in_sessions(digests: set[str]) -> int:
    """Remove every session entry that holds one of `digests` (a dict with the "digest" key:
    participants.views' pending enrolment, pending contact and kept answers). Expired sessions
    are deleted (what `clearsessions` does). Returns how many entries went."""
    from importlib import import_module

    from django.contrib.sessions.models import Session

    if not digests or not settings.SESSION_ENGINE.startswith("django.contrib.sessions.backends."):
        return 0
    if "db" not in settings.SESSION_ENGINE.rsplit(".", 1)[-1]:
        return 0
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    now = timezone.now()
    Session.objects.filter(expire_date__lte=now).delete()
    removed = 0
    for session in Session.objects.filter(expire_date__gt=now).iterator(chunk_size=500):
        data = session.get_decoded()
        holding = [
            key
            for key, value in data.items()
            if isinstance(value, dict) and value.get("digest") in digests
        ]
        if holding:
            store = store_class(session_key=session.session_key)
            for key in holding:
                store.pop(key, None)
            store.save(must_create=False)
            removed += len(holding)
    return removed


def _forget_previews() -> int:
    from exchange import uploads

    return uploads.purge_all()


def _erase_batch(person_ids: list[int], counts: dict[str, int]) -> None:
    digests = set(Person.objects.filter(pk__in=person_ids).values_list("uic_hash", flat=True))
    counts["session_entries"] += _forget_in_sessions(digests)
    records = list(
        Participant.objects.filter(person_id__in=person_ids).values_list("pk", "code", "consent_on")
    )
    record_ids = [pk for pk, _code, _consent in records]
    events = {
        "enrolments": Enrolment.objects.filter(participant_id__in=record_ids),
        "contacts": Contact.objects.filter(participant_id__in=record_ids),
        "rights_assessments": RightsAssessment.objects.filter(participant_id__in=record_ids),
        "referrals": Referral.objects.filter(participant_id__in=record_ids),
        "referral_events": ReferralEvent.objects.filter(referral__participant_id__in=record_ids),
        "supports": Support.objects.filter(participant_id__in=record_ids),
    }
    counts["records"] += len(record_ids)
    for name, rows in events.items():
        counts[name] += rows.count()

    # Values made of the row's own id: unique, meaningless outside the database, and one UPDATE
    # for the whole batch.
    Person.objects.filter(pk__in=person_ids).update(
        uic_hash=Concat(Value(ERASED_PREFIX), Cast("pk", CharField()))
    )
    # PersonProfile stays as it is: it holds what the records keep for the tables (sex, birth
    # year, category, residence), and once the hash is gone no UIC leads to it.
    first = Coalesce(
        Subquery(
            Enrolment.objects.filter(participant_id=OuterRef("pk"))
            .order_by()
            .values("participant_id")
            .annotate(first=Min("enrolled_on"))
            .values("first")[:1]
        ),
        F("consent_on"),
    )
    Participant.objects.filter(pk__in=record_ids).update(
        code=Concat(Value(ERASED_CODE_PREFIX), Cast("pk", CharField())),
        consent_on=first,
        withdrawn_on=first,
        created_at=Cast(first, DateTimeField()),
        updated_at=Cast(first, DateTimeField()),
    )
    ErasedRecord.objects.bulk_create([ErasedRecord(participant_id=pk) for pk in record_ids])

    # Only the rows that name someone are rewritten.
    events["enrolments"].exclude(enrolled_by=None).update(enrolled_by=None)
    events["contacts"].exclude(recorded_by=None).update(recorded_by=None)
    events["referrals"].filter(status__in=Referral.OPEN_STATUSES).update(
        status=Referral.Status.LOST
    )
    events["referrals"].exclude(made_by=None).update(made_by=None)
    events["referral_events"].exclude(by=None).update(by=None)

    counts["log_entries"] += _blank_history(Participant, record_ids)
    for model, name in (
        (Enrolment, "enrolments"),
        (Contact, "contacts"),
        (RightsAssessment, "rights_assessments"),
        (Referral, "referrals"),
        (Support, "supports"),
    ):
        counts["log_entries"] += _blank_history(model, events[name].values("pk"))
    counts["activity_events"] += ActivityEvent.objects.filter(
        kind=ActivityEvent.Kind.VIEW, detail__participant__in=record_ids
    ).update(what=BLANK, detail={})
    submissions = OfflineSubmission.objects.filter(
        code__in=[code for _pk, code, _consent in records]
    )
    counts["log_entries"] += _blank_history(OfflineSubmission, submissions.values("pk"))
    counts["offline_submissions"] += submissions.update(code="")


def _erase(person_ids: Iterable[int], *, kind: str, by: "User | None") -> ErasureRun:
    counts = dict.fromkeys(COUNT_LABELS, 0)
    person_ids = sorted(set(person_ids))
    for start in range(0, len(person_ids), BATCH):
        _erase_batch(person_ids[start : start + BATCH], counts)
    if person_ids:
        counts["import_previews"] += _forget_previews()
    return ErasureRun.objects.create(kind=kind, by=by, people=len(person_ids), counts=counts)


@transaction.atomic
def person_erase(*, person: Person, by: "User | None") -> ErasureRun:
    """Erase one person at their request (an administrator found them by their UIC answers):
    every province's record of them. Returns the ErasureRun, whose certificate the person
    receives."""
    locked = Person.objects.select_for_update().filter(pk=person.pk).first()
    if locked is None or locked.uic_hash.startswith(ERASED_PREFIX):
        raise ValidationError(_("Người này đã được xoá."), code="already_erased")
    return _erase([locked.pk], kind=ErasureRun.Kind.REQUEST, by=by)


@transaction.atomic
def erase_expired(*, today: datetime.date) -> ErasureRun:
    """Erase everyone whose retention has run out on `today` (privacy.selectors.expired_people),
    all or none, and record the run. Returns the ErasureRun, also when nobody had expired: the
    register then shows that the schedule runs."""
    person_ids = list(expired_people(today=today).select_for_update().values_list("pk", flat=True))
    return _erase(person_ids, kind=ErasureRun.Kind.RETENTION, by=None)


@transaction.atomic
def alerts_review(*, alerts: Iterable[HarvestAlert], by: "User", note: str = "") -> int:
    """Mark harvesting alerts as reviewed by `by`, with what was found. Returns how many."""
    if not alerts:
        raise ValidationError({"alerts": _("Hãy chọn ít nhất một cảnh báo.")})
    now = timezone.now()
    reviewed = 0
    for alert in HarvestAlert.objects.select_for_update().filter(
        pk__in=[alert.pk for alert in alerts], reviewed_at__isnull=True
    ):
        alert.reviewed_at, alert.reviewed_by, alert.note = now, by, note.strip()
        alert.save(update_fields=["reviewed_at", "reviewed_by", "note"])
        reviewed += 1
    return reviewed
