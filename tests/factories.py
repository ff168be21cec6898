"""Factories for tests (factory-boy). Participants are made from a UIC like the app does, so
their hash is real."""

import datetime
import itertools

import factory

from accounts.models import Role, User
from participants.models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    Person,
    RightsAssessment,
)
from participants.services import enrol_at_contact_site
from participants.uic import uic_hash
from programs.models import InterventionModel, Phase
from referrals.models import Provider, Referral, Support
from sites.models import Cost, Establishment, PeerGroup, Province, Site, Training

_uic_numbers = itertools.count(1)


def province(code, unit_set="2025"):
    return Province.objects.get(unit_set=unit_set, code=code)


def next_uic():
    """A fresh valid UIC: letters + a date that encodes a running number."""
    n = next(_uic_numbers)
    day, month, year = 1 + n % 28, 1 + (n // 28) % 12, 70 + (n // 336) % 30
    letters = "".join(chr(65 + (n // 26**i) % 26) for i in range(4))
    return f"{letters}{day:02d}{month:02d}{year:02d}F"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"Địa bàn {n}")
    province = factory.LazyFunction(lambda: province("01", "legacy"))
    locality = "Hoàng Mai"
    model = factory.LazyFunction(lambda: InterventionModel.objects.get(code="peer_groups"))
    role = Site.SiteRole.PILOT
    phase = factory.LazyFunction(lambda: Phase.objects.get(code="2016-2020"))
    start_date = datetime.date(2016, 6, 1)


class PeerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerGroup

    code = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"Nhóm {n}")
    site = factory.SubFactory(SiteFactory)
    kind = PeerGroup.Kind.PEER_GROUP
    founded_on = datetime.date(2017, 1, 1)
    members = 10
    board_members = 3


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    code = factory.Sequence(lambda n: f"E{n:04d}")
    site = factory.SubFactory(
        SiteFactory,
        model=factory.LazyFunction(lambda: InterventionModel.objects.get(code="worker_rights")),
    )
    kind = Establishment.Kind.KARAOKE
    workers = 12


class CostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cost

    site = factory.SubFactory(SiteFactory)
    date = datetime.date(2019, 3, 1)
    category = Cost.Category.STAFF
    amount_vnd = 10_000_000


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    site = factory.SubFactory(SiteFactory)
    date = datetime.date(2019, 4, 1)
    audience = Training.Audience.SEX_WORKERS
    trainees = 20


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Cơ sở dịch vụ {n}")
    services = ["health_check", "vocational_training"]
    province = factory.LazyFunction(lambda: province("01"))
    accepts_without_residence = True


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        django_get_or_create = ("uic_hash",)

    class Params:
        uic = factory.LazyFunction(next_uic)

    uic_hash = factory.LazyAttribute(lambda o: uic_hash(o.uic))


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A province's record of a person (Hà Nội's unless told). The same person known in two
    provinces: `ParticipantFactory(uic=U, province=...)` twice, or `person=other.person`."""

    class Meta:
        model = Participant

    class Params:
        uic = factory.LazyFunction(next_uic)

    person = factory.SubFactory(PersonFactory, uic=factory.SelfAttribute("..uic"))
    province = factory.LazyFunction(lambda: province("01"))
    category = Participant.Category.SEX_WORKER
    sex = Participant.Sex.FEMALE
    birth_year = 1995
    residence = Participant.Residence.TEMPORARY
    consent_on = datetime.date(2019, 1, 10)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    site = factory.SubFactory(SiteFactory)
    participant = factory.SubFactory(
        ParticipantFactory, province=factory.SelfAttribute("..site.province.current")
    )
    enrolled_on = datetime.date(2019, 1, 10)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    participant = factory.SubFactory(ParticipantFactory)
    date = datetime.date(2019, 2, 1)
    site = factory.SubFactory(SiteFactory)
    kind = Contact.Kind.OUTREACH
    needs = factory.LazyFunction(list)

    @factory.post_generation
    def enrolled(contact, create, extracted, **kwargs):
        """Enrolled where met, as `contact_log` does (unless `enrolled=False`)."""
        if create and extracted is not False:
            enrol_at_contact_site(contact)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    participant = factory.SubFactory(ParticipantFactory)
    date = datetime.date(2019, 2, 2)
    site = factory.SubFactory(SiteFactory)
    service = "health_check"
    consent_to_share = True


class SupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Support

    site = factory.SubFactory(SiteFactory)
    participant = factory.SubFactory(
        ParticipantFactory, province=factory.SelfAttribute("..site.province.current")
    )
    date = datetime.date(2019, 5, 1)
    kind = Support.Kind.VOCATIONAL_TRAINING_FEE
    amount_vnd = 3_000_000


class RightsAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RightsAssessment

    establishment = factory.SubFactory(EstablishmentFactory)
    participant = factory.SubFactory(
        ParticipantFactory,
        province=factory.SelfAttribute("..establishment.site.province.current"),
    )
    date = datetime.date(2019, 6, 1)


class EstablishmentAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EstablishmentAssessment

    establishment = factory.SubFactory(EstablishmentFactory)
    date = datetime.date(2019, 6, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("Mat-khau-thu-nghiem-2025")
    role = Role.OFFICER


def record_in(participant, site):
    """The record of `participant`'s person in `site`'s province (the same attributes), created
    when that province does not know them yet: what enrolling them there would give."""
    province_ = site.province.current
    if participant.province_id == province_.pk:
        return participant
    record, _created = Participant.objects.get_or_create(
        person=participant.person,
        province=province_,
        defaults={
            name: getattr(participant, name)
            for name in ("category", "sex", "birth_year", "residence", "consent_on")
        },
    )
    return record
