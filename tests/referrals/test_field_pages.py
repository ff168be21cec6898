"""What issue 18 gave the referral pages: the provider's home counts, declining with a reason and
a confirmation, the follow-up list's filters and days overdue, sortable lists with page numbers,
and the site page's own figures."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.pagination import page_of
from referrals.models import Referral
from sites.models import Province
from tests import factories

from .test_views import days_ago, referral_at

pytestmark = pytest.mark.django_db
S = Referral.Status


def test_provider_staff_see_their_new_referrals_counted_at_home(
    client_for, provider_staff, provider_hn, officer_hn, site_hn, hanoi
):
    for age in (1, 2):
        referral_at(site_hn, age=age, provider=provider_hn)
    referral_at(site_hn, age=3, provider=provider_hn, status=S.RECEIVED)
    referral_at(site_hn, age=4, provider=factories.ProviderFactory(province=hanoi))
    referral_at(site_hn, age=45)  # overdue, for the officer
    home = client_for(provider_staff).get(reverse("home")).content.decode()
    assert 'data-testid="new-referrals"' in home
    new = home.split('data-testid="new-referrals"')[1]
    assert new.split('data-testid="count">')[1].startswith("2<")
    received = home.split('data-testid="received-referrals"')[1]
    assert received.split('data-testid="count">')[1].startswith("1<")
    officer = client_for(officer_hn).get(reverse("home")).content.decode()
    overdue = officer.split('data-testid="overdue-referrals"')[1]
    assert overdue.split('data-testid="count">')[1].startswith("1<")
    assert 'data-testid="new-referrals"' not in officer


def test_declining_asks_a_reason_and_a_confirmation(
    client_for, provider_staff, provider_hn, leader, group_hn, site_hn
):
    referral = referral_at(site_hn, provider=provider_hn, peer_group=group_hn)
    client = client_for(provider_staff)
    # One tap on the old button no longer declines: it opens the confirmation page.
    response = client.post(reverse("referrals:referral_transition", args=[referral.pk, "decline"]))
    url = reverse("referrals:referral_decline", args=[referral.pk])
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "Cơ sở đã hết chỗ hoặc quá tải" in page and "Xác nhận từ chối" in page
    response = client.post(url, {"on": days_ago(0).isoformat()})
    assert "Chọn lý do từ chối trong danh sách." in response.content.decode()
    response = client.post(url, {"on": days_ago(0).isoformat(), "decline_reason": "free text"})
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (S.REFERRED, "")
    client.post(url, {"on": days_ago(0).isoformat(), "decline_reason": "not_eligible"})
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (S.DECLINED, "not_eligible")
    assert referral.events.last().by == provider_staff
    detail = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Không đủ điều kiện tiếp nhận" in detail
    # The peer leader who made it does not decline it.
    assert client_for(leader).get(url).status_code == 403


def test_losing_track_asks_a_reason_and_a_confirmation(
    client_for, officer_hn, provider_staff, provider_hn, site_hn
):
    referral = referral_at(site_hn, provider=provider_hn)
    client = client_for(officer_hn)
    # "Mất dấu" beside "Từ chối…" is no longer one tap: it opens the confirmation page.
    detail = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    url = reverse("referrals:referral_lose", args=[referral.pk])
    assert f'href="{url}"' in detail and "Mất dấu…" in detail
    response = client.post(reverse("referrals:referral_transition", args=[referral.pk, "lose"]))
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "Người tham gia đã chuyển đi nơi khác" in page and "Xác nhận mất dấu" in page
    response = client.post(url, {"on": days_ago(0).isoformat()})
    assert "Chọn lý do mất dấu trong danh sách." in response.content.decode()
    client.post(url, {"on": days_ago(0).isoformat(), "lost_reason": "free text"})
    referral.refresh_from_db()
    assert (referral.status, referral.lost_reason) == (S.REFERRED, "")
    response = client.post(url, {"on": days_ago(0).isoformat(), "lost_reason": "moved"})
    assert response["Location"] == reverse("referrals:referral_detail", args=[referral.pk])
    referral.refresh_from_db()
    assert (referral.status, referral.lost_reason) == (S.LOST, "moved")
    assert referral.events.last().by == officer_hn
    detail = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Người tham gia đã chuyển đi nơi khác" in detail
    # Provider staff do not decide that a participant is lost.
    assert client_for(provider_staff).get(url).status_code == 403


def test_completing_needs_an_outcome(client_for, officer_hn, site_hn):
    referral = referral_at(site_hn, status=S.RECEIVED)
    client = client_for(officer_hn)
    url = reverse("referrals:referral_transition", args=[referral.pk, "complete"])
    response = client.post(url, follow=True)
    assert "Chọn kết quả của dịch vụ trước khi đánh dấu hoàn thành." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.RECEIVED
    client.post(url, {"outcome": "referred_on"})
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (S.COMPLETED, "referred_on")


def test_followup_filters_and_days_overdue(client_for, officer_hn, site_hn, hanoi):
    other_site = factories.SiteFactory(province=site_hn.province)
    provider = factories.ProviderFactory(province=hanoi, services=["loan"])
    very_late = referral_at(site_hn, age=50, service="loan", provider=provider)
    late = referral_at(site_hn, age=31, service="health_check")
    recent = referral_at(site_hn, age=3, service="loan")
    elsewhere = referral_at(other_site, age=40, service="loan")
    client = client_for(officer_hn)
    url = reverse("referrals:followup")

    def shown(**query):
        page = client.get(url, {"overdue_days": "", **query}).context["page"]
        return [(r.pk, r.days_overdue) for r in page]

    # 30 days allowed: 50 days old is 20 days overdue, 31 days old 1 day.
    assert shown() == [(very_late.pk, 20), (elsewhere.pk, 10), (late.pk, 1), (recent.pk, 0)]
    assert shown(site=site_hn.pk) == [(very_late.pk, 20), (late.pk, 1), (recent.pk, 0)]
    assert shown(service="loan") == [(very_late.pk, 20), (elsewhere.pk, 10), (recent.pk, 0)]
    assert shown(provider=provider.pk) == [(very_late.pk, 20)]
    assert shown(overdue_days=0) == [(very_late.pk, 20), (elsewhere.pk, 10), (late.pk, 1)]
    assert shown(overdue_days=10) == [(very_late.pk, 20), (elsewhere.pk, 10)]
    assert shown(overdue_days=11) == [(very_late.pk, 20)]
    body = client.get(url, {"overdue_days": ""}).content.decode()
    assert "20 ngày" in body and 'data-testid="days-overdue">—' in body


def test_followup_opens_on_what_became_overdue_in_the_last_90_days(client_for, officer_hn, site_hn):
    """Open referrals, some overdue for years: the list opens on the recently overdue, says
    how many, and offers all of them."""
    for age in (3, 29, 31, 100, 120, 121, 3413):  # 30 days allowed: overdue by -, -, 1 … 3383
        referral_at(site_hn, age=age)
    client = client_for(officer_hn)
    url = reverse("referrals:followup")
    response = client.get(url)
    assert [r.days_overdue for r in response.context["page"]] == [90, 70, 1]
    body = response.content.decode()
    assert 'data-testid="followup-count">3 chuyển gửi<' in body
    assert 'href="?overdue_days=&amp;overdue_within="' in body
    # Sorted or paged, the default holds; asked for everything, every open referral.
    assert [r.days_overdue for r in client.get(url, {"sort": "-date"}).context["page"]] == [
        1,
        70,
        90,
    ]
    everything = client.get(url, {"overdue_days": "", "overdue_within": ""}).context["page"]
    assert [r.days_overdue for r in everything] == [3383, 91, 90, 70, 1, 0, 0]


def test_lists_sort_by_a_column_both_ways(client_for, officer_hn, site_hn):
    loan = referral_at(site_hn, age=3, service="loan")
    check = referral_at(site_hn, age=2, service="health_check")
    shelter = referral_at(site_hn, age=1, service="shelter")
    client = client_for(officer_hn)
    url = reverse("referrals:referral_list")

    def order(sort=None):
        return [r.pk for r in client.get(url, {"sort": sort} if sort else {}).context["page"]]

    assert order() == [shelter.pk, check.pk, loan.pk]  # newest first
    assert order("date") == [loan.pk, check.pk, shelter.pk]
    assert order("service") == [check.pk, loan.pk, shelter.pk]
    assert order("-service") == [shelter.pk, loan.pk, check.pk]
    assert order("nonsense") == order()
    body = client.get(url, {"sort": "service"}).content.decode()
    assert 'aria-sort="ascending"' in body and "sort=-service" in body


def test_page_numbers_around_the_current_page():
    provinces = Province.objects.order_by("pk")
    assert provinces.count() > 90  # 63 old and 34 new provinces: ten pages of ten
    request = RequestFactory().get("/", {"page": 5})
    page = page_of(request, provinces, per_page=10)
    assert page.numbers == [1, None, 4, 5, 6, None, 10]
    last = page_of(RequestFactory().get("/", {"page": 10}), provinces, per_page=10)
    assert last.numbers == [1, None, 9, 10]


def test_the_site_page_shows_its_own_figures_and_links(
    client_for, officer_hn, leader, ministry, site_hn, group_hn
):
    today = timezone.localdate()
    for needs in (["loan"], []):
        participant = factories.ParticipantFactory()
        factories.EnrolmentFactory(participant=participant, site=site_hn, peer_group=group_hn)
        factories.ContactFactory(
            participant=participant, site=site_hn, peer_group=group_hn, date=today, needs=needs
        )
    factories.ReferralFactory(participant=participant, site=site_hn, date=today)
    other = factories.SiteFactory(province=site_hn.province)
    factories.ContactFactory(site=other, date=today)
    url = reverse("sites:site_detail", args=[site_hn.pk])
    for user in (officer_hn, leader):
        response = client_for(user).get(url)
        results = response.context["results"]
        values = {row["code"]: row["value"] for row in results["rows"]}
        assert (values["reached"], values["reached_with_need"], values["referrals_made"]) == (
            2,
            1,
            1,
        )
        body = response.content.decode()
        assert f"/participants/?site={site_hn.pk}" in body
        assert f"site={site_hn.pk}" in body.split('data-testid="site-links"')[1]
    # The ministry reads suppressed figures on the dashboards, not a site's own counts.
    response = client_for(ministry).get(url)
    assert response.context["results"] is None
    assert 'data-testid="site-results"' not in response.content.decode()
