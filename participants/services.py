"""Writes of participant-level records (docs/conventions.md: multi-row writes live here).

Every function takes keyword-only arguments, checks what the database cannot (dates in the
future, a withdrawn participant, a peer group of another site) and raises
django.core.exceptions.ValidationError with a Vietnamese message when the input is bad, so
nothing is saved. A raw UIC passed in lives only in this call's memory: only its keyed hash is
stored, and it never appears in a message or a log line.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import Role
from periods.lock import check_period_open

from . import profiles
from .models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    Person,
    RightsAssessment,
)
from .uic import is_valid_uic, uic_hash

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User
    from sites.models import Establishment, PeerGroup, Site

RIGHTS_FIELDS = (*RightsAssessment.CORE_RIGHTS, "social_insurance", "health_insurance")
MIN_AGE = 10
MAX_AGE = 90

# One message per rule: the forms show it on their field, the importer on its row.
WITHDRAWN = _(
    "Người tham gia này đã rút khỏi chương trình: không thể ghi nhận hoạt động sau ngày rút."
)
OTHER_PROVINCE = _(
    "Người tham gia này không có trong danh sách của tỉnh/thành phố có địa bàn đã chọn."
)
NO_CONSENT = _("Cần có sự đồng ý của người tham gia trước khi ghi danh.")
CONSENT_AFTER = _("Ngày đồng ý tham gia không được sau ngày ghi danh.")
PEER_GROUP_SITE = _("Nhóm đồng đẳng không thuộc địa bàn đã chọn.")
DUPLICATE_CONTACT = _(
    "Lần tiếp cận này (cùng người, ngày, địa bàn và hình thức) đã được ghi nhận trước đó."
)


def today() -> datetime.date:
    return timezone.localdate()


def _error(field: str, message: Any, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def check_not_future(day: datetime.date | None, label: Any, field: str | None = None) -> None:
    """Refuse a date after today (the server's local day)."""
    if day is not None and day > today():
        message = _("%(label)s không được sau ngày hôm nay.") % {"label": label}
        if field is None:
            raise ValidationError(message, code="future")
        raise _error(field, message, "future")


def check_birth_year(birth_year: int, on: datetime.date, field: str = "birth_year") -> None:
    """An age (by birth year, on the day `on`) between MIN_AGE and MAX_AGE."""
    age = on.year - birth_year
    if age < MIN_AGE or age > MAX_AGE:
        raise _error(
            field,
            _("Năm sinh không hợp lệ: tuổi của người tham gia phải từ %(min)s đến %(max)s.")
            % {"min": MIN_AGE, "max": MAX_AGE},
            "age",
        )


def check_peer_group(
    peer_group: "PeerGroup | None", site: "Site | None", field: str = "peer_group"
) -> None:
    if peer_group is not None and site is not None and peer_group.site_id != site.pk:
        raise _error(field, PEER_GROUP_SITE, "peer_group_site")


def check_enrolment(
    *,
    enrolled_on: datetime.date | None,
    consent_on: datetime.date | None,
    birth_year: int | None = None,
    birth_field: str = "birth_year",
) -> None:
    """The rules of an enrolment's dates, all errors at once: consent given, no future dates,
    consent not after enrolment, a plausible age."""
    errors = {}
    if consent_on is None:
        errors["consent_on"] = [ValidationError(NO_CONSENT, code="consent")]
    for name, day, label in (
        ("enrolled_on", enrolled_on, _("Ngày ghi danh")),
        ("consent_on", consent_on, _("Ngày đồng ý tham gia")),
    ):
        try:
            check_not_future(day, label, name)
        except ValidationError as error:
            errors.setdefault(name, []).extend(error.error_dict[name])
    if not errors and enrolled_on and consent_on and consent_on > enrolled_on:
        errors["consent_on"] = [ValidationError(CONSENT_AFTER, code="consent_after")]
    if birth_year is not None and enrolled_on is not None:
        try:
            check_birth_year(birth_year, enrolled_on, birth_field)
        except ValidationError as error:
            errors.setdefault(birth_field, []).extend(error.error_dict[birth_field])
    if errors:
        raise ValidationError(errors)


def check_active(
    participant: Participant, field: str = "participant", day: datetime.date | None = None
) -> None:
    """No activity for a participant their province has withdrawn, dated after the withdrawal
    (what happened before it stays history, and can still be entered late or imported)."""
    withdrawn_on = participant.withdrawn_on
    if withdrawn_on is not None and (day is None or day > withdrawn_on):
        raise _error(field, WITHDRAWN, "withdrawn")


def check_same_province(
    participant: Participant, site: "Site | None", field: str = "participant"
) -> None:
    """An event at `site` belongs to the record of the site's province: a province never writes
    onto another's record."""
    if site is not None and participant.province_id != site.province.current_id:
        raise _error(field, OTHER_PROVINCE, "other_province")


def check_event(
    *,
    participant: Participant,
    site: "Site",
    day: datetime.date,
    date_label: Any,
    participant_field: str = "participant",
) -> None:
    """What every participant-level event (contact, referral, assessment) must respect."""
    check_active(participant, participant_field, day)
    check_same_province(participant, site, participant_field)
    check_not_future(day, date_label, "date")
    check_period_open(site=site, day=day)


@transaction.atomic
@sensitive_variables("uic")
def participant_enrol(
    *,
    category: str,
    sex: str,
    birth_year: int,
    residence: str,
    consent_on: datetime.date,
    site: "Site",
    enrolled_on: datetime.date,
    uic: str | None = None,
    uic_digest: str | None = None,
    peer_group: "PeerGroup | None" = None,
    by: "User | None" = None,
) -> tuple[Participant, bool]:
    """Enrol the person at `site`, given their raw `uic` or its keyed hash `uic_digest` (what a
    two-step form kept on the server). The record is the one of the site's (2025) province:
    found if this province already knows the person, created otherwise, whatever other
    provinces know (national de-duplication goes through `Person` and is invisible to users).
    Returns (participant, created). An existing record's attributes are not changed; one the
    province had withdrawn and who consents again is active again."""
    if uic_digest is None:
        if not is_valid_uic(uic):
            raise ValidationError(_("Mã UIC không hợp lệ."), code="uic")
        uic_digest = uic_hash(uic)
    check_enrolment(enrolled_on=enrolled_on, consent_on=consent_on, birth_year=birth_year)
    check_peer_group(peer_group, site)
    check_period_open(site=site, day=enrolled_on)

    person, _new = Person.objects.get_or_create(uic_hash=uic_digest)
    # Every site's province names its 2025 province (sites.models.Province.current).
    province_id = cast(int, site.province.current_id)
    participant = (
        Participant.objects.select_for_update()
        .filter(person=person, province_id=province_id)
        .first()
    )
    created = False
    if participant is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    person=person,
                    province_id=province_id,
                    category=category,
                    sex=sex,
                    birth_year=birth_year,
                    residence=residence,
                    consent_on=consent_on,
                )
                created = True
        except IntegrityError:
            # Enrolled at the same moment elsewhere in the province: reuse that record.
            participant = Participant.objects.select_for_update().get(
                person=person, province_id=province_id
            )
    elif participant.withdrawn_on is not None:
        # Taking back a withdrawal changes the period it was counted in.
        check_period_open(province=province_id, day=participant.withdrawn_on)
        participant.withdrawn_on = None
        participant.consent_on = consent_on
        participant.version += 1
        participant.save(update_fields=["withdrawn_on", "consent_on", "version", "updated_at"])

    enrolment = Enrolment.objects.filter(participant=participant, site=site).first()
    if enrolment is None:
        Enrolment.objects.create(
            participant=participant,
            site=site,
            peer_group=peer_group,
            enrolled_on=enrolled_on,
            enrolled_by=by,
        )
    elif enrolment.peer_group_id is None and peer_group is not None:
        enrolment.peer_group = peer_group
        enrolment.save(update_fields=["peer_group"])
    return participant, created


def check_withdrawal(*, on: datetime.date, consent_on: datetime.date) -> None:
    """A withdrawal is dated no later than today and not before consent."""
    check_not_future(on, _("Ngày rút khỏi chương trình"), "withdrawn_on")
    if on < consent_on:
        raise _error(
            "withdrawn_on",
            _("Ngày rút khỏi chương trình không được trước ngày đồng ý tham gia."),
            "withdrawn_before_consent",
        )


@transaction.atomic
def participant_withdraw(
    *, participant: Participant, on: datetime.date, by: "User | None" = None
) -> Participant:
    """Flag the province's record as withdrawn from `on`: hidden from its lists, past events
    still counted in aggregates. Other provinces' records of the same person are untouched."""
    if participant.withdrawn_on is not None:
        raise _error(
            "withdrawn_on",
            _("Người tham gia này đã rút khỏi chương trình."),
            "already_withdrawn",
        )
    check_withdrawal(on=on, consent_on=participant.consent_on)
    try:
        check_period_open(province=participant.province_id, day=on)
    except ValidationError as error:
        raise _error("withdrawn_on", error.message_dict["date"][0], "period_locked") from None
    participant.withdrawn_on = on
    participant.version += 1
    participant.save(update_fields=["withdrawn_on", "version", "updated_at"])
    return participant


def check_contact(
    *,
    participant: Participant,
    date: datetime.date,
    site: "Site",
    kind: str,
    peer_group: "PeerGroup | None" = None,
    exclude: Contact | None = None,
) -> None:
    """Every rule of a contact, as the form, the importer and the offline sync apply it."""
    check_event(participant=participant, site=site, day=date, date_label=_("Ngày tiếp cận"))
    check_peer_group(peer_group, site)
    if kind not in Contact.Kind.values:
        raise _error("kind", _("Hình thức tiếp cận không hợp lệ."), "kind")
    check_contact_key(participant=participant, date=date, site=site, kind=kind, exclude=exclude)


def check_contact_key(
    *,
    participant: Participant,
    date: datetime.date,
    site: "Site",
    kind: str,
    exclude: Contact | None = None,
) -> None:
    """One contact per person, day, site and kind (the contact `exclude` being corrected aside).
    The importer refuses the same key twice in one file with this message; a key already
    stored is updated there (a re-import changes nothing)."""
    same = Contact.objects.filter(participant=participant, date=date, site=site, kind=kind)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise _error("kind", DUPLICATE_CONTACT, "duplicate")


@transaction.atomic
def contact_log(
    *,
    participant: Participant,
    date: datetime.date,
    site: "Site",
    kind: str,
    needs: Iterable[str] | None,
    peer_group: "PeerGroup | None" = None,
    by: "User | None" = None,
) -> Contact:
    """Record one contact with a participant and the needs identified. Returns the Contact."""
    check_contact(participant=participant, date=date, site=site, kind=kind, peer_group=peer_group)
    contact = Contact.objects.create(
        participant=participant,
        date=date,
        site=site,
        peer_group=peer_group,
        kind=kind,
        needs=list(needs or []),
        recorded_by=by,
    )
    enrol_at_contact_site(contact)
    return contact


def enrol_at_contact_site(contact: Contact) -> tuple[Enrolment, bool]:
    """Keep "met at a site => enrolled there" true (the officers' scoping of participants relies
    on it): a contact at a site where the participant has no enrolment adds one, dated the
    contact's day. `contact_log` calls it for every contact; bulk writes (imports) call
    `enrol_where_met`. Returns (enrolment, created)."""
    return Enrolment.objects.get_or_create(
        participant_id=contact.participant_id,
        site_id=contact.site_id,
        defaults={"peer_group_id": contact.peer_group_id, "enrolled_on": contact.date},
    )


@transaction.atomic
def contact_log_new_person(
    *,
    uic_digest: str,
    sex: str,
    birth_year: int,
    category: str,
    residence: str,
    consent_on: datetime.date,
    site: "Site",
    date: datetime.date,
    kind: str,
    needs: Iterable[str] | None,
    peer_group: "PeerGroup | None" = None,
    by: "User | None" = None,
) -> tuple[Participant, Contact]:
    """A person met for the first time: enrolled at the contact's site on the contact's day,
    and the contact logged, in one go (the contact form's new-person step, online or from the
    phone's queue). Returns (participant, contact)."""
    participant, _created = participant_enrol(
        uic_digest=uic_digest,
        category=category,
        sex=sex,
        birth_year=birth_year,
        residence=residence,
        consent_on=consent_on,
        site=site,
        enrolled_on=date,
        peer_group=peer_group,
        by=by,
    )
    contact = contact_log(
        participant=participant,
        date=date,
        site=site,
        kind=kind,
        needs=needs,
        peer_group=peer_group,
        by=by,
    )
    return participant, contact


NOT_RECORDER = _("Chỉ người đã ghi nhận lần tiếp cận này (hoặc cán bộ của tỉnh) mới được sửa nó.")


def may_correct(contact: Contact, user: Any) -> bool:
    """Whoever recorded a contact corrects it; so do the officers and administrators who may
    change the records of its site (the contact is already in their scope)."""
    if user is None or not user.is_authenticated:
        return False
    return contact.recorded_by_id == user.pk or user.role in (Role.OFFICER, Role.ADMIN)


@transaction.atomic
def contact_correct(
    *,
    contact: Contact,
    by: "User",
    date: datetime.date,
    kind: str,
    needs: Iterable[str] | None,
) -> Contact:
    """Correct a contact's day, kind and needs (the participant and the site stay). Only its
    recorder (or an officer or administrator in scope) may, and only while the reporting
    periods of the old and the new day are open for the site's province. The change is
    audited (the Contact model is). Returns the contact."""
    if not may_correct(contact, by):
        raise ValidationError(NOT_RECORDER, code="not_recorder")
    locked = (
        Contact.objects.select_for_update().select_related("site", "participant").get(pk=contact.pk)
    )
    check_period_open(site=locked.site, day=locked.date)
    check_contact(
        participant=locked.participant,
        date=date,
        site=locked.site,
        kind=kind,
        peer_group=locked.peer_group,
        exclude=locked,
    )
    check_period_open(site=locked.site, day=date)
    locked.date = date
    locked.kind = kind
    locked.needs = list(needs or [])
    locked.version += 1
    locked.save()
    return locked


def _check_assessment_date(date: datetime.date) -> None:
    check_not_future(date, _("Ngày đánh giá"), "date")


@transaction.atomic
def rights_assessment_record(
    *,
    participant: Participant,
    establishment: "Establishment",
    date: datetime.date,
    answers: Mapping[str, Any],
    by: "User | None" = None,
) -> tuple[RightsAssessment, bool]:
    """Create or update (on participant, establishment, date) a worker rights assessment.
    `answers` maps field names of RightsAssessment's eight questions to booleans. Returns
    (assessment, created)."""
    check_event(
        participant=participant,
        site=establishment.site,
        day=date,
        date_label=_("Ngày đánh giá"),
    )
    fields = {name: bool(answers.get(name)) for name in RIGHTS_FIELDS}
    assessment, created = RightsAssessment.objects.select_for_update().get_or_create(
        participant=participant, establishment=establishment, date=date, defaults=fields
    )
    if not created:
        for name, value in fields.items():
            setattr(assessment, name, value)
        assessment.version += 1
        assessment.save()
    return assessment, created


@transaction.atomic
def establishment_assessment_record(
    *,
    establishment: "Establishment",
    date: datetime.date,
    answers: Mapping[str, Any],
    by: "User | None" = None,
) -> tuple[EstablishmentAssessment, bool]:
    """Create or update (on establishment, date) an establishment assessment. Returns
    (assessment, created)."""
    _check_assessment_date(date)
    check_period_open(site=establishment.site, day=date)
    fields = {name: bool(answers.get(name)) for name in EstablishmentAssessment.DUTIES}
    assessment, created = EstablishmentAssessment.objects.select_for_update().get_or_create(
        establishment=establishment, date=date, defaults=fields
    )
    if not created:
        for name, value in fields.items():
            setattr(assessment, name, value)
        assessment.version += 1
        assessment.save()
    return assessment, created


def enrol_where_met(*, contacts: "QuerySet[Contact] | None" = None, batch_size: int = 5000) -> int:
    """Keep "met at a site => enrolled there" true after bulk writes (imports, bulk_create),
    which do not go through `contact_log`: adds the missing Enrolment for every (participant,
    site) of `contacts` (a Contact queryset; all contacts when None), dated the first contact
    there. Officers see participants through their enrolments. Returns the number added."""
    from django.db.models import Exists, Min, OuterRef

    contacts = Contact.objects.all() if contacts is None else contacts
    missing = (
        contacts.filter(
            ~Exists(
                Enrolment.objects.filter(participant=OuterRef("participant"), site=OuterRef("site"))
            )
        )
        .order_by()
        .values("participant_id", "site_id")
        .annotate(first=Min("date"))
    )
    new = [
        Enrolment(
            participant_id=row["participant_id"], site_id=row["site_id"], enrolled_on=row["first"]
        )
        for row in missing.iterator()
    ]
    Enrolment.objects.bulk_create(new, batch_size=batch_size, ignore_conflicts=True)
    profiles.refresh(records={enrolment.participant_id for enrolment in new})
    return len(new)
