"""Harvesting alerts that watch volume: rows listed and exported per hour, look-ups by display
code on every form, and the sum over the accounts of one province (privacy.harvest)."""

import datetime
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.activity import record_activity, record_lookup
from accounts.models import ActivityEvent, Role
from privacy.models import HarvestAlert
from tests import factories as f

pytestmark = pytest.mark.django_db
Rule = HarvestAlert.Rule
LOCAL = timezone.get_fixed_timezone(7 * 60)
PARTICIPANTS = reverse("participants:participant_list")


def at_local(hour, minute=0):
    return datetime.datetime(2026, 11, 30, hour, minute, tzinfo=LOCAL)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def alerts():
    return sorted(
        (alert.user.username, alert.rule, alert.observed, alert.threshold)
        for alert in HarvestAlert.objects.select_related("user")
    )


@pytest.fixture
def people(site_hn, hanoi):
    """70 people enrolled at the Hà Nội site: a list of two pages (50 and 20 rows)."""
    records = [f.ParticipantFactory(province=hanoi) for _ in range(70)]
    for record in records:
        f.EnrolmentFactory(participant=record, site=site_hn)
    return records


@override_settings(HARVEST_MAX_LISTED_ROWS_PER_HOUR=60)
def test_paging_through_a_list_raises_an_alert(officer_hn, people):
    client = signed_in(officer_hn)
    assert client.get(PARTICIPANTS).status_code == 200
    event = ActivityEvent.objects.get(detail__has_key="listed")
    assert event.detail == {"listed": "participants", "rows": 50}
    assert alerts() == []
    client.get(PARTICIPANTS, {"page": 2})
    assert alerts() == [("officer_hn", Rule.ROWS_LISTED, 70, 60)]
    # The list pages are not counted as participant pages.
    assert not HarvestAlert.objects.filter(rule=Rule.PAGE_VIEWS).exists()


@override_settings(HARVEST_MAX_LISTED_ROWS_PER_HOUR=60)
def test_every_list_of_peoples_records_counts(officer_hn, people, site_hn):
    for record in people[:40]:
        f.ContactFactory(participant=record, site=site_hn)
        f.ReferralFactory(participant=record, site=site_hn)
    client = signed_in(officer_hn)
    client.get(reverse("participants:contact_list"))
    assert alerts() == []
    client.get(reverse("referrals:referral_list"))
    assert alerts() == [("officer_hn", Rule.ROWS_LISTED, 80, 60)]
    shown = ActivityEvent.objects.filter(detail__has_key="listed").order_by("pk")
    assert [event.detail for event in shown] == [
        {"listed": "contacts", "rows": 40},
        {"listed": "referrals", "rows": 40},
    ]


@override_settings(HARVEST_MAX_EXPORTED_ROWS_PER_HOUR=100)
def test_exporting_many_rows_raises_an_alert(officer_hn, people, site_hn):
    for record in people[:40]:
        f.ContactFactory(participant=record, site=site_hn)
    client = signed_in(officer_hn)
    with mock.patch("django.utils.timezone.now", return_value=at_local(10)):
        client.get(reverse("exchange:export", args=["participants"]) + "?format=csv")
        assert alerts() == []
        client.get(reverse("exchange:export", args=["contacts"]) + "?format=csv")
        assert alerts() == [("officer_hn", Rule.ROWS_EXPORTED, 110, 100)]
        # Programme structure is not counted.
        response = client.get(reverse("exchange:export", args=["costs"]) + "?format=csv")
        assert response.status_code == 200
    assert ActivityEvent.objects.get(what="exchange costs.csv").detail == {"filters": []}


@override_settings(HARVEST_MAX_CODE_LOOKUPS_PER_HOUR=3)
def test_look_ups_by_code_on_the_referral_and_rights_forms_raise_an_alert(
    officer_hn, people, site_hn
):
    establishment = f.EstablishmentFactory(site=site_hn)
    client = signed_in(officer_hn)
    for record in people[:2]:
        client.post(
            reverse("referrals:referral_new"),
            {"participant": record.code, "date": "2026-11-01", "service": "health_check"},
        )
    client.post(
        reverse("participants:rights_assessment_new"),
        {"participant_code": people[2].code, "establishment": establishment.pk},
    )
    assert alerts() == []
    client.post(
        reverse("participants:rights_assessment_new"),
        {"participant_code": "P-NOBODY1", "establishment": establishment.pk},
    )
    lookups = ActivityEvent.objects.filter(detail__lookup="code").order_by("pk")
    assert [(e.detail["purpose"], e.detail["found"]) for e in lookups] == [
        ("referral", True),
        ("referral", True),
        ("rights_assessment", True),
        ("rights_assessment", False),
    ]
    assert alerts() == [("officer_hn", Rule.CODE_LOOKUPS, 4, 3)]


@override_settings(HARVEST_MAX_PAGE_VIEWS_PER_HOUR=10, HARVEST_MAX_PROVINCE_VIEWS_PER_HOUR=25)
def test_accounts_of_one_province_are_summed(officer_hn, officer_ct, leader, hanoi, people):
    """Three Hà Nội accounts (two officers and a peer leader) each open 9 pages, under their own
    limit of 10: 27 together is over the province's 25. Cần Thơ's officer counts for Cần Thơ."""
    second = f.UserFactory(username="officer_hn2", role=Role.OFFICER, province=hanoi)
    record = people[0]
    record.enrolments.update(peer_group=leader.peer_group)
    detail = reverse("participants:participant_detail", args=[record.pk])
    for _ in range(9):
        record_activity(user=officer_ct, kind=ActivityEvent.Kind.VIEW, what="x", participant=1)
    for user in (officer_hn, second):
        client = signed_in(user)
        for _ in range(9):
            assert client.get(detail).status_code == 200
    assert alerts() == []
    client = signed_in(leader)
    for _ in range(7):
        assert client.get(detail).status_code == 200
    assert alerts() == []
    for _ in range(2):
        client.get(detail)
    # One alert for the province, extended while the burst goes on; none for an account.
    assert alerts() == [("leader", Rule.PROVINCE_VIEWS, 27, 25)]
    signed_in(officer_hn).get(detail)
    assert alerts() == [("leader", Rule.PROVINCE_VIEWS, 28, 25)]


@override_settings(HARVEST_MAX_PROVINCE_ROWS_PER_HOUR=120)
def test_rows_listed_and_exported_are_summed_over_a_province(officer_hn, hanoi, people):
    second = f.UserFactory(username="officer_hn2", role=Role.OFFICER, province=hanoi)
    # At 10:00 in Việt Nam, whenever the suite runs: an export outside the usual hours (6-22)
    # would raise an alert of its own.
    with mock.patch("django.utils.timezone.now", return_value=at_local(10)):
        signed_in(officer_hn).get(PARTICIPANTS)
        signed_in(second).get(PARTICIPANTS, {"page": 2})
        assert alerts() == []
        signed_in(second).get(reverse("exchange:export", args=["participants"]) + "?format=csv")
    assert alerts() == [("officer_hn2", Rule.PROVINCE_ROWS, 140, 120)]


def test_ordinary_work_of_a_province_raises_nothing(officer_hn, leader, hanoi):
    """With the default thresholds, an hour of a busy province: three officers and a peer leader
    each page through lists (6 pages of 50 rows), open 20 participant pages, look up 10 people
    by code on the forms and 3 by their answers, and export a month's contacts (600 rows)."""
    others = [f.UserFactory(username=f"o{n}", role=Role.OFFICER, province=hanoi) for n in (2, 3)]
    with mock.patch("django.utils.timezone.now", return_value=at_local(9)):
        for user in (officer_hn, *others, leader):
            for _ in range(6):
                record_activity(
                    user=user, kind="view", what="danh sách", listed="contacts", rows=50
                )
            for _ in range(20):
                record_activity(user=user, kind="view", what="P-1", participant=1)
            for _ in range(10):
                record_lookup(user=user, by="code", found=True, purpose="referral")
            for found in (True, True, False):
                record_lookup(user=user, by="uic", found=found, purpose="contact")
            if user.role == Role.OFFICER:
                record_activity(user=user, kind="export", what="contacts", filters=[], rows=600)
    assert ActivityEvent.objects.count() == 4 * 39 + 3
    assert alerts() == []
