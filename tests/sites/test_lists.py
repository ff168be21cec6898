"""List pages: filters (model, role, province in either unit set, active in a period, search)
and a flat number of queries as rows grow."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from programs.models import InterventionModel
from sites import selectors
from sites.forms import SiteFilterForm
from tests import factories
from tests.choices import labels, selected

pytestmark = pytest.mark.django_db


def codes(response):
    return [row.code for row in response.context["rows"]]


@pytest.fixture
def hanoi_sites():
    worker_rights = InterventionModel.objects.get(code="worker_rights")
    return {
        "old": factories.SiteFactory(
            code="HN-BD-WR",
            name="Ba Đình",
            locality="Ba Đình",
            model=worker_rights,
            start_date=datetime.date(2016, 6, 1),
            end_date=datetime.date(2018, 12, 31),
        ),
        "control": factories.SiteFactory(
            code="HN-CG-CT",
            name="Cầu Giấy",
            locality="Cầu Giấy",
            role="control",
            start_date=datetime.date(2019, 1, 1),
        ),
        "new": factories.SiteFactory(
            code="HN-HK-PG",
            name="Phường Hoàn Kiếm",
            locality="Hoàn Kiếm",
            province=factories.province("01"),
            phase=None,
            start_date=datetime.date(2025, 9, 1),
        ),
    }


def test_site_filters(client_for, ministry, hanoi_sites, site_ct):
    client = client_for(ministry)
    url = reverse("sites:site_list")
    assert codes(client.get(url)) == ["CT-NK-WR", "HN-BD-WR", "HN-CG-CT", "HN-HK-PG"]
    assert codes(client.get(url, {"model": "worker_rights"})) == ["HN-BD-WR"]
    assert codes(client.get(url, {"role": "control"})) == ["HN-CG-CT"]
    # The 2025 Hà Nội takes in the pre-2025 Hà Nội; the pre-2025 one is only itself.
    hanoi_2025 = factories.province("01")
    hanoi_old = factories.province("01", "legacy")
    assert codes(client.get(url, {"province": hanoi_2025.pk})) == [
        "HN-BD-WR",
        "HN-CG-CT",
        "HN-HK-PG",
    ]
    assert codes(client.get(url, {"province": hanoi_old.pk})) == ["HN-BD-WR", "HN-CG-CT"]
    # Active at some time in 2019: Ba Đình had ended, Hoàn Kiếm not begun.
    assert codes(client.get(url, {"start": "2019-01-01", "end": "2019-12-31"})) == [
        "CT-NK-WR",
        "HN-CG-CT",
    ]
    assert codes(client.get(url, {"q": "cầu giấy"})) == ["HN-CG-CT"]
    assert codes(client.get(url, {"q": "HN-HK"})) == ["HN-HK-PG"]
    assert codes(client.get(url, {"phase": "2016-2020", "province": hanoi_2025.pk})) == [
        "HN-BD-WR",
        "HN-CG-CT",
    ]
    bad = client.get(url, {"start": "2019-12-31", "end": "2019-01-01"})
    assert "Ngày kết thúc không được trước ngày bắt đầu." in bad.content.decode()


def test_selector_applies_scope_whatever_the_filters(officer_ct, hanoi_sites, site_ct):
    hanoi = factories.province("01")
    rows = selectors.site_list(user=officer_ct, filters={"province": hanoi})
    assert list(rows) == []
    assert [s.code for s in selectors.site_list(user=officer_ct, filters={})] == ["CT-NK-WR"]
    form = SiteFilterForm({"province": hanoi.pk}, user=officer_ct)
    assert not form.is_valid()  # not a choice an officer of Cần Thơ is offered


def test_related_lists_filter_by_site_kind_and_period(client_for, officer_hn, site_hn):
    other = factories.SiteFactory(code="HN-X", name="Khác", locality="Long Biên")
    factories.EstablishmentFactory(code="E-KARA", site=site_hn, kind="karaoke")
    factories.EstablishmentFactory(code="E-BAR", site=other, kind="bar")
    factories.CostFactory(site=site_hn, date=datetime.date(2019, 3, 1), amount_vnd=1_000_000)
    factories.CostFactory(site=other, date=datetime.date(2020, 3, 1), amount_vnd=2_500_000)
    client = client_for(officer_hn)
    response = client.get(reverse("sites:establishment_list"), {"kind": "bar"})
    assert codes(response) == ["E-BAR"]
    response = client.get(reverse("sites:establishment_list"), {"q": "long biên"})
    assert codes(response) == ["E-BAR"]
    response = client.get(reverse("sites:cost_list"))
    assert response.context["total"] == 3_500_000
    assert "3.500.000 ₫" in response.content.decode()
    response = client.get(reverse("sites:cost_list"), {"start": "2020-01-01"})
    assert [c.site.code for c in response.context["rows"]] == ["HN-X"]
    response = client.get(reverse("sites:cost_list"), {"site": site_hn.pk})
    assert response.context["total"] == 1_000_000


def _rows(kind, count, site, first=0):
    for n in range(first, first + count):
        if kind == "site":
            factories.SiteFactory()
        elif kind == "establishment":
            factories.EstablishmentFactory(site=site)
        elif kind == "peergroup":
            group = factories.PeerGroupFactory(site=site)
            factories.UserFactory(role=Role.PEER_LEADER, peer_group=group)
        elif kind == "cost":
            factories.CostFactory(site=site, date=datetime.date(2019, 1, 1) + datetime.timedelta(n))
        else:
            factories.TrainingFactory(
                site=site, date=datetime.date(2019, 1, 1) + datetime.timedelta(n)
            )


@pytest.mark.parametrize("kind", ["site", "establishment", "peergroup", "cost", "training"])
@pytest.mark.parametrize("persona", ["officer_hn", "ministry"])
def test_list_pages_keep_a_flat_number_of_queries(
    client_for, django_assert_max_num_queries, request, site_hn, kind, persona
):
    client = client_for(request.getfixturevalue(persona))
    url = reverse(f"sites:{kind}_list")
    _rows(kind, 3, site_hn)
    client.get(url)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert len(response.context["rows"]) >= 3
    assert len(few) <= 16  # session, user, filter choices, count, page (+ leaders, totals)
    _rows(kind, 30, site_hn, first=3)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url, {"q": ""})
    assert len(response.context["rows"]) >= 33


@pytest.mark.parametrize("kind", ["establishment", "peergroup", "cost", "training"])
def test_related_lists_offer_the_sites_in_scope(
    client_for, officer_hn, ministry, site_hn, site_ct, kind
):
    url = reverse(f"sites:{kind}_list")
    response = client_for(ministry).get(url, {"site": site_ct.pk})
    assert labels(response, "site") == [
        "Tất cả địa bàn",
        "Ninh Kiều (CT-NK-WR)",
        "Hoàng Mai (HN-HM-PG)",
    ]
    assert selected(response, "site") == ["Ninh Kiều (CT-NK-WR)"]
    response = client_for(officer_hn).get(url, {"site": site_hn.pk})
    assert labels(response, "site") == ["Tất cả địa bàn", "Hoàng Mai (HN-HM-PG)"]
    assert selected(response, "site") == ["Hoàng Mai (HN-HM-PG)"]


@pytest.mark.parametrize("kind", ["establishment", "peergroup", "cost", "training"])
def test_new_records_are_attached_to_active_sites_in_scope(
    client_for, officer_hn, site_hn, site_ct, kind
):
    factories.SiteFactory(code="HN-CLOSED", name="Đã đóng", is_active=False)
    response = client_for(officer_hn).get(reverse(f"sites:{kind}_create"))
    assert labels(response, "site") == ["---------", "Hoàng Mai (HN-HM-PG)"]
