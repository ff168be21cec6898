"""Writes of participant-level records (CONVENTIONS.md: multi-row writes live here).

Every function takes keyword-only arguments, checks what the database cannot (dates in the
future, a withdrawn participant, a peer group of another site) and raises
django.core.exceptions.ValidationError with a Vietnamese message when the input is bad, so
nothing is saved. A raw UIC passed in lives only in this call's memory: only its keyed hash is
stored, and it never appears in a message or a log line.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from .models import Contact, Enrolment, EstablishmentAssessment, Participant, RightsAssessment
from .uic import is_valid_uic, uic_hash

RIGHTS_FIELDS = (*RightsAssessment.CORE_RIGHTS, "social_insurance", "health_insurance")
MIN_AGE = 10
MAX_AGE = 90


def today():
    return timezone.localdate()


def check_not_future(day, label):
    """Refuse a date after today (the server's local day)."""
    if day is not None and day > today():
        raise ValidationError(
            _("%(label)s không được sau ngày hôm nay.") % {"label": label}, code="future"
        )


def check_birth_year(birth_year, on):
    """An age (by birth year, on the day `on`) between MIN_AGE and MAX_AGE."""
    age = on.year - birth_year
    if age < MIN_AGE or age > MAX_AGE:
        raise ValidationError(
            _("Năm sinh không hợp lệ: tuổi của người tham gia phải từ %(min)s đến %(max)s.")
            % {"min": MIN_AGE, "max": MAX_AGE},
            code="age",
        )


def check_peer_group(peer_group, site):
    if peer_group is not None and peer_group.site_id != site.pk:
        raise ValidationError(
            _("Nhóm đồng đẳng không thuộc địa bàn đã chọn."), code="peer_group_site"
        )


@transaction.atomic
@sensitive_variables("uic")
def participant_enrol(
    *,
    uic,
    category,
    sex,
    birth_year,
    residence,
    consent_on,
    site,
    enrolled_on,
    peer_group=None,
    by=None,
):
    """Enrol the person with this UIC at `site`: reuse the participant with the same UIC hash
    anywhere in the country (adding an Enrolment for this site if there is none yet), or create
    one. Returns (participant, created). An existing participant's recorded attributes are not
    changed; one who had withdrawn and consents again is active again."""
    if not is_valid_uic(uic):
        raise ValidationError(_("Mã UIC không hợp lệ."), code="uic")
    if consent_on is None:
        raise ValidationError(
            _("Cần có sự đồng ý của người tham gia trước khi ghi danh."), code="consent"
        )
    check_not_future(enrolled_on, _("Ngày ghi danh"))
    check_not_future(consent_on, _("Ngày đồng ý tham gia"))
    if consent_on > enrolled_on:
        raise ValidationError(
            _("Ngày đồng ý tham gia không được sau ngày ghi danh."), code="consent_after"
        )
    check_birth_year(birth_year, enrolled_on)
    check_peer_group(peer_group, site)

    digest = uic_hash(uic)
    participant = Participant.objects.select_for_update().filter(uic_hash=digest).first()
    created = False
    if participant is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    uic_hash=digest,
                    category=category,
                    sex=sex,
                    birth_year=birth_year,
                    residence=residence,
                    consent_on=consent_on,
                )
                created = True
        except IntegrityError:
            # Enrolled at the same moment somewhere else: reuse that record.
            participant = Participant.objects.select_for_update().get(uic_hash=digest)
    elif participant.withdrawn_on is not None:
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


@transaction.atomic
def participant_withdraw(*, participant, on, by=None):
    """Flag the participant as withdrawn from `on`: hidden from lists, past events still
    counted in aggregates."""
    if participant.withdrawn_on is not None:
        raise ValidationError(
            _("Người tham gia này đã rút khỏi chương trình."), code="already_withdrawn"
        )
    check_not_future(on, _("Ngày rút khỏi chương trình"))
    if on < participant.consent_on:
        raise ValidationError(
            _("Ngày rút khỏi chương trình không được trước ngày đồng ý tham gia."),
            code="withdrawn_before_consent",
        )
    participant.withdrawn_on = on
    participant.version += 1
    participant.save(update_fields=["withdrawn_on", "version", "updated_at"])
    return participant


@transaction.atomic
def contact_log(*, participant, date, site, kind, needs, peer_group=None, by=None):
    """Record one contact with a participant and the needs identified. Returns the Contact."""
    if participant.withdrawn_on is not None:
        raise ValidationError(
            _("Người tham gia này đã rút khỏi chương trình: không thể ghi nhận lần tiếp cận mới."),
            code="withdrawn",
        )
    check_not_future(date, _("Ngày tiếp cận"))
    check_peer_group(peer_group, site)
    if kind not in Contact.Kind.values:
        raise ValidationError(_("Hình thức tiếp cận không hợp lệ."), code="kind")
    if Contact.objects.filter(participant=participant, date=date, site=site, kind=kind).exists():
        raise ValidationError(
            _(
                "Lần tiếp cận này (cùng người, ngày, địa bàn và hình thức) đã được ghi nhận "
                "trước đó."
            ),
            code="duplicate",
        )
    return Contact.objects.create(
        participant=participant,
        date=date,
        site=site,
        peer_group=peer_group,
        kind=kind,
        needs=list(needs or []),
        recorded_by=by,
    )


def _check_assessment_date(date):
    check_not_future(date, _("Ngày đánh giá"))


@transaction.atomic
def rights_assessment_record(*, participant, establishment, date, answers, by=None):
    """Create or update (on participant, establishment, date) a worker rights assessment.
    `answers` maps field names of RightsAssessment's eight questions to booleans. Returns
    (assessment, created)."""
    if participant.withdrawn_on is not None:
        raise ValidationError(_("Người tham gia này đã rút khỏi chương trình."), code="withdrawn")
    _check_assessment_date(date)
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
def establishment_assessment_record(*, establishment, date, answers, by=None):
    """Create or update (on establishment, date) an establishment assessment. Returns
    (assessment, created)."""
    _check_assessment_date(date)
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


def enrol_where_met(*, contacts=None, batch_size=5000):
    """Keep "met at a site => enrolled there" true after bulk writes that skip the Contact
    post_save signal (imports, bulk_create): adds the missing Enrolment for every (participant,
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
    return len(new)
