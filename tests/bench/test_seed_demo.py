"""The demo data set: loaded through the exchange importer, shaped by the source articles, the
same on every machine; a second run changes nothing."""

import datetime
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F

from accounts.models import Role, User
from participants.models import Contact, Enrolment, Participant, RightsAssessment
from referrals.models import Referral, ReferralEvent, Support
from sites.models import Cost, Establishment, PeerGroup, Site, Training

D = datetime.date


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo data set, loaded once for this module in a transaction rolled back after its
    last test; each test runs in a savepoint inside it, as in a Django TestCase class."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_data, db):
    """The demo data set; what a test changes is rolled back after it."""


def snapshot():
    return {
        model.__name__: model.objects.count()
        for model in (
            Site,
            PeerGroup,
            Establishment,
            Participant,
            Enrolment,
            Contact,
            Referral,
            ReferralEvent,
            Support,
            Cost,
            Training,
            User,
            LogEntry,
        )
    }


def test_second_run_changes_nothing(demo):
    before = snapshot()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert snapshot() == before
    assert "already loaded" in out.getvalue()


def test_named_sites_clubs_and_accounts(demo):
    codes = set(Site.objects.values_list("code", flat=True))
    assert {
        "HN-HOANGMAI-PG",
        "HN-CAUGIAY-WR",
        "HN-BADINH-WR",
        "CT-NINHKIEU-WR",
        "CT-BINHTHUY-WR",
        "CT-CAIRANG-WR",
        "QB-DONGHOI-PG",
    } <= codes
    assert Site.objects.filter(code__startswith="HCM-", start_date__year=2014).count() == 6
    assert Site.objects.filter(role="control").count() >= 3
    assert Site.objects.filter(role="scale_up", start_date__gte=D(2018, 1, 1)).count() >= 10
    after_merger = Site.objects.filter(start_date__gte=D(2025, 7, 1))
    assert after_merger.count() >= 3
    assert set(after_merger.values_list("province__unit_set", flat=True)) == {"2025"}
    names = set(PeerGroup.objects.values_list("name", flat=True))
    assert {"Sao đêm", "Phụ nữ Xa nhà", "Vì Tương lai phụ nữ", "Ánh Dương"} <= names
    assert PeerGroup.objects.get(name="Sao đêm").members == 10
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(username="truongnhom.anhduong").peer_group.name == "Ánh Dương"


def test_people_move_and_lack_residence(demo):
    big_city = Participant.objects.filter(
        enrolments__site__province__current__code__in=["01", "79", "92"]
    ).distinct()
    without_permanent = big_city.exclude(residence="permanent").count()
    assert without_permanent > 0.7 * big_city.count()
    # Some people were met in two provinces: one person, a record in each province.
    moved = (
        Enrolment.objects.values("participant__person")
        .annotate(n=Count("site__province__current", distinct=True))
        .filter(n__gte=2)
    )
    assert moved.count() >= 20
    assert (
        not Participant.objects.values("person", "province").annotate(n=Count("id")).filter(n__gt=1)
    )


def test_referral_histories_cover_every_status(demo):
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(Referral.Status.values)
    for referral in Referral.objects.filter(status="completed")[:50]:
        history = list(referral.events.values_list("to_status", flat=True))
        assert history == ["referred", "received", "completed"]
        assert referral.events.order_by("id").first().at.date() == referral.date


def test_indicators_show_the_articles_figures(demo):
    indicators = pytest.importorskip("reports.indicators")
    hanoi_rights = indicators.compute_indicators(
        start=D(2019, 1, 1), end=D(2020, 12, 31), province="01", model="worker_rights"
    )
    assert hanoi_rights["reached"] == 284
    assert hanoi_rights["reached_with_need"] == 116
    assert hanoi_rights["referred_pct"] >= 50
    hanoi = indicators.compute_indicators(start=D(2019, 1, 1), end=D(2020, 12, 31), province="01")
    assert hanoi["referred_pct"] >= 50
    # HCMC 2014: 15 women's training paid, 45 million VND; 40 + 30 trainees in 4 classes.
    paid = Support.objects.filter(date__year=2014, kind="vocational_training_fee")
    assert paid.count() == 15
    assert sum(s.amount_vnd for s in paid) == 45_000_000
    hcmc_2014 = indicators.compute_indicators(start=D(2014, 1, 1), end=D(2014, 12, 31))
    assert (hcmc_2014["trainings"], hcmc_2014["trainees"], hcmc_2014["reached"]) == (4, 70, 20)
    # Every national indicator is a real, non-zero number in a pilot year and in 2025.
    for year in (2019, 2025):
        values = indicators.compute_indicators(start=D(year, 1, 1), end=D(year, 12, 31))
        zero = [
            code for code, value in values.items() if not value and code != "sites_active_control"
        ]
        assert zero == [], year


def test_the_demo_went_through_the_importer(demo):
    # Every record the files carry was written by the importer, with its audit entry.
    for model in (Site, Participant, Enrolment, Contact, Referral, Support, RightsAssessment):
        created = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            action=LogEntry.Action.CREATE,
            actor=None,
        )
        assert created.count() == model.objects.count() > 0, model.__name__
    # The data obey the rules the importer applies: a referral only with consent, nothing
    # dated after a withdrawal, every participant's events in their province's record.
    assert not Referral.objects.filter(consent_to_share=False).exists()
    withdrawn = Participant.objects.filter(withdrawn_on__isnull=False)
    assert withdrawn.count() >= 10
    assert not Contact.objects.filter(date__gt=F("participant__withdrawn_on")).exists()
    assert not Support.objects.filter(date__gt=F("participant__withdrawn_on")).exists()
    assert not Contact.objects.exclude(participant__province=F("site__province__current")).exists()
    # What the format cannot carry was written after the import: the dated history (the
    # day of each step), the peer group behind a referral, a finished site made inactive.
    first_steps = ReferralEvent.objects.filter(from_status="")
    assert first_steps.count() == Referral.objects.count()
    assert not first_steps.exclude(on=F("referral__date")).exists()
    assert Referral.objects.filter(peer_group__isnull=False).count() > 1000
    assert set(Site.objects.filter(is_active=False).values_list("code", flat=True)) == {
        "HCM-TANBINH-CD",
        "LCH-TP-CTRL",
        "KT-TP-CTRL",
        "BK-TP-CTRL",
        "DB-TP-CTRL",
    }
    # Linked support follows a completed referral of the same participant.
    linked = Support.objects.filter(referral__isnull=False)
    assert linked.count() > 400
    assert not linked.exclude(referral__status="completed").exists()
    assert not linked.exclude(referral__participant=F("participant")).exists()


def test_every_person_profile_matches_their_records(demo):
    """The demo is written by the importer in bulk: each person's national profile is still the
    one their records and enrolments give (recomputed in Python, not by the service)."""
    from tests.participants.test_profiles import recomputed, stored

    profiles = stored()
    assert len(profiles) == Participant.objects.values("person").distinct().count()
    assert profiles == recomputed()
