"""The site choices of the referral and support pages: a national user is offered every site, an
officer only their province's, the chosen one kept selected after filtering, in a flat number
of queries however many sites there are. The support list reads its first page in its order."""

import datetime

import pytest
from django.urls import reverse

from tests import factories
from tests.choices import labels, selected

pytestmark = pytest.mark.django_db

EVERY_SITE = ["Ninh Kiều (CT-NK-WR)", "Hoàng Mai (HN-HM-PG)"]
PAGES = ["referrals:referral_list", "referrals:followup", "referrals:support_list"]
FORMS = ["referrals:referral_new", "referrals:support_new"]


@pytest.mark.parametrize("page", PAGES)
def test_a_national_user_filters_by_any_site(client_for, admin_user, site_hn, site_ct, page):
    response = client_for(admin_user).get(reverse(page))
    assert labels(response, "site") == ["Tất cả", *EVERY_SITE]
    response = client_for(admin_user).get(reverse(page), {"site": site_ct.pk})
    assert selected(response, "site") == ["Ninh Kiều (CT-NK-WR)"]


@pytest.mark.parametrize("page", PAGES)
def test_an_officer_filters_by_their_provinces_sites(
    client_for, officer_hn, site_hn, site_ct, page
):
    response = client_for(officer_hn).get(reverse(page), {"site": site_hn.pk})
    assert labels(response, "site") == ["Tất cả", "Hoàng Mai (HN-HM-PG)"]
    assert selected(response, "site") == ["Hoàng Mai (HN-HM-PG)"]


@pytest.mark.parametrize("page", FORMS)
def test_the_forms_offer_the_users_sites(
    client_for, admin_user, officer_hn, site_hn, site_ct, page
):
    assert labels(client_for(admin_user).get(reverse(page)), "site") == ["---------", *EVERY_SITE]
    assert labels(client_for(officer_hn).get(reverse(page)), "site") == [
        "---------",
        "Hoàng Mai (HN-HM-PG)",
    ]


# The session, the user, the list and its count (or the form's choices), the sites, the activity
# log: the same however many sites there are.
QUERIES = {
    "referrals:referral_list": 10,
    "referrals:followup": 10,
    "referrals:support_list": 10,
    "referrals:referral_new": 9,
    "referrals:support_new": 8,
}


@pytest.mark.parametrize("page", QUERIES)
def test_more_sites_cost_no_query(
    client_for, admin_user, site_hn, site_ct, page, django_assert_max_num_queries
):
    client = client_for(admin_user)
    client.get(reverse(page))
    with django_assert_max_num_queries(QUERIES[page]):
        assert client.get(reverse(page)).status_code == 200
    for index in range(20):
        factories.SiteFactory(code=f"MORE-{index:02d}")
    with django_assert_max_num_queries(QUERIES[page]):
        assert "(MORE-19)" in client.get(reverse(page)).content.decode()


def test_the_support_list_shows_the_latest_first(client_for, officer_hn, site_hn):
    participant = factories.ParticipantFactory(province=site_hn.province.current)
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    days = [datetime.date(2024, 3, 1), datetime.date(2024, 5, 1), datetime.date(2024, 4, 1)]
    for day in days:
        factories.SupportFactory(participant=participant, site=site_hn, date=day)
    response = client_for(officer_hn).get(reverse("referrals:support_list"))
    assert [support.date for support in response.context["page"]] == [
        datetime.date(2024, 5, 1),
        datetime.date(2024, 4, 1),
        datetime.date(2024, 3, 1),
    ]
