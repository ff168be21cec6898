import secrets

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.auditing import audit
from accounts.models import Role, VersionedModel
from programs.services_catalog import ServiceSetField

# Display codes avoid letters and digits that read alike on a phone screen (0/O, 1/I/L).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_display_code():
    return "P-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(7))


class Person(models.Model):
    """The national identity behind a participant: only the keyed hash of the UIC. Never shown to
    anyone and never scoped to a user: it exists so that the same person met in two provinces is
    counted once nationally (docs/indicators.md). Each province knows the person through its own
    `Participant` record."""

    uic_hash = models.CharField(_("mã băm UIC"), max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("người (định danh toàn quốc)")
        verbose_name_plural = _("người (định danh toàn quốc)")

    def __str__(self):
        return f"#{self.pk}"


class PersonProfile(models.Model):
    """What the national live figures break the people reached down by, one row per person who
    has a record: sex and birth year when all the person's records agree (NULL when provinces
    recorded them differently: the figures then read the record met), category and residence of
    the record of the person's latest enrolment (greatest date, then id; NULL without one).
    Derived, never shown, never exported: `participants.profiles.refresh` rebuilds it from the
    records and enrolments, and every writer of those calls it (docs/architecture.md)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    sex = models.CharField(max_length=10, null=True)
    birth_year = models.PositiveSmallIntegerField(null=True)
    category = models.CharField(max_length=30, null=True)
    residence = models.CharField(max_length=10, null=True)

    class Meta:
        verbose_name = _("hồ sơ tổng hợp của người")
        verbose_name_plural = _("hồ sơ tổng hợp của người")

    def __str__(self):
        return f"#{self.person_id}"


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Participant records a user may see: administrators all; an officer the records of
        their (2025) province; a peer leader those their group enrolled or met; the ministry and
        everyone else none (they see aggregates only). Records of erased people are nobody's."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self.not_erased()
        if user.role == Role.OFFICER:
            return self.not_erased().filter(province_id=user.province_id)
        if user.role == Role.PEER_LEADER:
            # Derived from the scoping of enrolments and contacts (CaseEventQuerySet): one rule.
            enrolled = Enrolment.objects.visible_to(user).values("participant_id")
            met = Contact.objects.visible_to(user).values("participant_id")
            return self.filter(Q(pk__in=enrolled) | Q(pk__in=met))
        return self.none()

    def not_erased(self):
        """Leave out the records of erased people (privacy.services): they stay, detached from
        any identity, only for the indicators."""
        return self.exclude(Exists(erased_records().filter(participant_id=OuterRef("pk"))))

    def not_withdrawn(self):
        return self.filter(withdrawn_on__isnull=True)


class Participant(VersionedModel):
    """A pseudonymous person as one province knows them. Nothing here identifies them: no name,
    ID number, phone, address, photo or raw UIC. What a province records (display code, category,
    residence, consent, withdrawal) belongs to its own record: the same person enrolled in two
    provinces has two records, one per province, tied to one `Person` (the UIC hash) so national
    figures count them once. No province reads, changes or withdraws another's record, and a UIC
    known only elsewhere looks exactly like one known nowhere."""

    class Category(models.TextChoices):
        SEX_WORKER = "sex_worker", _("Người bán dâm")
        ESTABLISHMENT_WORKER = "establishment_worker", _("Người lao động tại cơ sở")
        ESTABLISHMENT_OWNER = "establishment_owner", _("Chủ cơ sở")
        OTHER = "other", _("Khác")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Nữ")
        MALE = "male", _("Nam")
        OTHER = "other", _("Khác")

    class Residence(models.TextChoices):
        PERMANENT = "permanent", _("Thường trú")
        TEMPORARY = "temporary", _("Tạm trú")
        NONE = "none", _("Không đăng ký cư trú")

    code = models.CharField(
        _("mã hiển thị"), max_length=12, unique=True, default=new_display_code, editable=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="participants", editable=False
    )
    province = models.ForeignKey(
        "sites.Province",
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"unit_set": "2025"},
        editable=False,
    )
    category = models.CharField(_("nhóm đối tượng"), max_length=30, choices=Category.choices)
    sex = models.CharField(_("giới tính"), max_length=10, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    residence = models.CharField(_("tình trạng cư trú"), max_length=10, choices=Residence.choices)
    consent_on = models.DateField(_("ngày đồng ý tham gia"))
    withdrawn_on = models.DateField(_("ngày rút khỏi chương trình"), null=True, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("người tham gia")
        verbose_name_plural = _("người tham gia")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "province"], name="participant_once_per_province"
            )
        ]

    def __str__(self):
        return self.code

    @property
    def is_withdrawn(self):
        return self.withdrawn_on is not None


def erased_records():
    """The marks of the participant records whose person was erased (privacy.models.ErasedRecord),
    for `NOT EXISTS`: one index probe per row a page reads, rather than a join or a hash of every
    erased record on every list."""
    from django.apps import apps

    return apps.get_model("privacy", "ErasedRecord").objects.all()


def _province_sites(user):
    """The ids of the sites in an officer's (2025) province, as a subquery: events are filtered
    with `site_id IN (…)` instead of a join through site and province on every row."""
    from sites.models import Site

    return Site.objects.filter(province__current_id=user.province_id).values("id")


class CaseEventQuerySet(models.QuerySet):
    """Scoping of participant-level events: administrators all; an officer events at sites of
    their province; a peer leader (when the event has a peer group) their group's; nobody else
    anything; events of erased people nobody. `site_path` is the path to the event's site,
    `participant_path` to its participant record (None: the event is about no participant)."""

    site_path = "site"
    has_peer_group = True
    participant_path = "participant"

    def not_erased(self):
        """Leave out the events of erased people (privacy.services): they still count in the
        indicators, but lead to nobody."""
        if self.participant_path is None:
            return self
        of_this = erased_records().filter(participant_id=OuterRef(f"{self.participant_path}_id"))
        return self.exclude(Exists(of_this))

    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self.not_erased()
        if user.role == Role.OFFICER:
            return self.not_erased().filter(**{f"{self.site_path}__in": _province_sites(user)})
        if user.role == Role.PEER_LEADER and self.has_peer_group:
            return self.not_erased().filter(peer_group_id=user.peer_group_id)
        return self.none()


class Enrolment(models.Model):
    """A participant's enrolment at a site. The same person enrolled at two sites (found by the
    UIC hash) has one Participant and two Enrolments."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("người tham gia"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    site = models.ForeignKey(
        "sites.Site",
        verbose_name=_("địa bàn"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    peer_group = models.ForeignKey(
        "sites.PeerGroup",
        verbose_name=_("nhóm đồng đẳng"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    enrolled_on = models.DateField(_("ngày ghi danh"))
    enrolled_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("ghi danh")
        verbose_name_plural = _("ghi danh")
        constraints = [
            models.UniqueConstraint(fields=["participant", "site"], name="enrolment_once_per_site")
        ]
        indexes = [models.Index(fields=["site", "participant"], name="enrolment_site_participant")]

    def __str__(self):
        return f"{self.participant} @ {self.site.code}"


class Contact(VersionedModel):
    """One outreach contact with a participant, with the needs identified."""

    class Kind(models.TextChoices):
        OUTREACH = "outreach", _("Tiếp cận cộng đồng")
        COUNSELLING = "counselling", _("Tư vấn")
        GROUP_SESSION = "group_session", _("Sinh hoạt nhóm")
        FOLLOW_UP = "follow_up", _("Theo dõi")

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("người tham gia"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    # The participant's person, carried for the reports (one person counted once nationally,
    # without joining every contact to its participant record): set by `save` and by every
    # bulk write (participants.services.carry_person), never edited.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", editable=False)
    date = models.DateField(_("ngày"))
    site = models.ForeignKey(
        "sites.Site", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="contacts"
    )
    peer_group = models.ForeignKey(
        "sites.PeerGroup",
        verbose_name=_("nhóm đồng đẳng"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    kind = models.CharField(_("hình thức"), max_length=20, choices=Kind.choices)
    needs = ServiceSetField(_("nhu cầu"))
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần tiếp cận")
        verbose_name_plural = _("lần tiếp cận")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "date", "site", "kind"], name="contact_natural_key"
            )
        ]
        indexes = [
            models.Index(fields=["date", "site", "participant"]),
            # The reports' scan of a period: everything they read of a contact is in the index.
            models.Index(
                fields=["date", "site", "person", "participant", "peer_group", "needs"],
                name="contact_report_scan",
            ),
        ]

    def __str__(self):
        return f"{self.participant} {self.date:%d/%m/%Y} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        carry_person(self)
        super().save(*args, **kwargs)


def carry_person(event):
    """Set a new event's `person` from its participant record (a contact's, a referral's; the
    participant of an event never changes)."""
    if event.person_id is None and event.participant_id is not None:
        event.person_id = event.participant.person_id


def carry_persons(events):
    """`carry_person` for many events written in bulk: one query per 5,000 participants."""
    missing = {e.participant_id for e in events if e.person_id is None and e.participant_id}
    persons = {}
    ids = sorted(missing)
    for i in range(0, len(ids), 5000):
        rows = Participant.objects.filter(pk__in=ids[i : i + 5000]).values_list("pk", "person_id")
        persons.update(rows)
    for event in events:
        if event.person_id is None and event.participant_id in persons:
            event.person_id = persons[event.participant_id]


class RightsAssessmentQuerySet(CaseEventQuerySet):
    site_path = "establishment__site"
    has_peer_group = False


class RightsAssessment(VersionedModel):
    """An assessment of one worker's rights at one establishment on one day."""

    CORE_RIGHTS = (
        "labour_contract",
        "wages_paid",
        "protected_at_work",
        "health_care",
        "counselling_access",
        "free_to_change_job",
    )

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("người tham gia"),
        on_delete=models.PROTECT,
        related_name="rights_assessments",
    )
    establishment = models.ForeignKey(
        "sites.Establishment",
        verbose_name=_("cơ sở"),
        on_delete=models.PROTECT,
        related_name="rights_assessments",
    )
    date = models.DateField(_("ngày đánh giá"))
    labour_contract = models.BooleanField(_("có hợp đồng lao động"), default=False)
    wages_paid = models.BooleanField(_("được trả lương đầy đủ"), default=False)
    protected_at_work = models.BooleanField(_("được bảo vệ tại nơi làm việc"), default=False)
    health_care = models.BooleanField(_("được chăm sóc sức khỏe"), default=False)
    counselling_access = models.BooleanField(
        _("được tiếp cận tư vấn tâm lý, pháp lý"), default=False
    )
    free_to_change_job = models.BooleanField(_("được tự do chuyển đổi công việc"), default=False)
    social_insurance = models.BooleanField(_("có bảo hiểm xã hội tự nguyện"), default=False)
    health_insurance = models.BooleanField(_("có thẻ bảo hiểm y tế"), default=False)

    objects = RightsAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("đánh giá quyền người lao động")
        verbose_name_plural = _("đánh giá quyền người lao động")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "establishment", "date"],
                name="rights_assessment_natural_key",
            )
        ]
        indexes = [models.Index(fields=["date", "participant"])]

    def __str__(self):
        return f"{self.participant} {self.establishment.code} {self.date:%d/%m/%Y}"

    @property
    def rights_ensured(self):
        return all(getattr(self, name) for name in self.CORE_RIGHTS)


class EstablishmentAssessmentQuerySet(CaseEventQuerySet):
    site_path = "establishment__site"
    has_peer_group = False
    participant_path = None


class EstablishmentAssessment(VersionedModel):
    """An assessment of whether an establishment carries out an employer's duties."""

    DUTIES = (
        "owner_commitment",
        "contracts",
        "wages_on_time",
        "health_checks",
        "workers_informed",
        "no_violations",
    )

    establishment = models.ForeignKey(
        "sites.Establishment",
        verbose_name=_("cơ sở"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    date = models.DateField(_("ngày đánh giá"))
    owner_commitment = models.BooleanField(_("chủ cơ sở đã ký cam kết"), default=False)
    contracts = models.BooleanField(_("ký hợp đồng lao động"), default=False)
    wages_on_time = models.BooleanField(_("trả lương đúng hạn"), default=False)
    health_checks = models.BooleanField(_("tổ chức khám sức khỏe"), default=False)
    workers_informed = models.BooleanField(
        _("người lao động được thông tin về quyền"), default=False
    )
    no_violations = models.BooleanField(_("không có vi phạm"), default=False)

    objects = EstablishmentAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("đánh giá cơ sở")
        verbose_name_plural = _("đánh giá cơ sở")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "date"], name="establishment_assessment_natural_key"
            )
        ]

    def __str__(self):
        return f"{self.establishment.code} {self.date:%d/%m/%Y}"

    @property
    def compliant(self):
        return all(getattr(self, name) for name in self.DUTIES)


# The national identity stays out of the history: its id would tell whether the person was known
# before, somewhere else.
audit(Participant, exclude=["person"])
audit(Contact, exclude=["person"])
for _model in (Enrolment, RightsAssessment, EstablishmentAssessment):
    audit(_model)
