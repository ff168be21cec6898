"""Each record's audit history is on its page: who, when, what changed, readable."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_edit_appears_in_the_site_history(client_for, officer_hn, site_hn, hanoi):
    client = client_for(officer_hn)
    client.post(
        reverse("sites:site_edit", args=[site_hn.pk]),
        {
            "code": site_hn.code,
            "name": "Hoàng Mai mới",
            "province": site_hn.province_id,
            "locality": site_hn.locality,
            "model": site_hn.model_id,
            "role": "scale_up",
            "phase": "2016-2020",
            "start_date": "2016-06-01",
            "end_date": "2020-12-31",
            "version": 0,
        },
    )
    history = client.get(reverse("sites:site_detail", args=[site_hn.pk])).context["history"]
    latest = history[0]
    assert latest.who == "officer_hn"
    assert latest.action == "Đã sửa"
    changes = {change.label: (change.old, change.new) for change in latest.changes}
    assert changes["Tên địa bàn"] == ("Hoàng Mai", "Hoàng Mai mới")
    assert changes["Vai trò"] == ("Thí điểm", "Nhân rộng")
    assert changes["Ngày kết thúc"] == ("—", "31/12/2020")
    assert "Phiên bản" not in changes and "version" not in changes


def test_history_shows_money_and_related_records_readably(client_for, officer_hn, site_hn):
    from tests import factories

    cost = factories.CostFactory(site=site_hn, amount_vnd=10_000_000)
    other_site = factories.SiteFactory(code="HN-CG-WR", name="Cầu Giấy")
    client = client_for(officer_hn)
    client.post(
        reverse("sites:cost_edit", args=[cost.pk]),
        {
            "site": other_site.pk,
            "date": "2019-03-01",
            "category": "staff",
            "amount_vnd": 45_000_000,
            "version": 0,
        },
    )
    page = client.get(reverse("sites:cost_detail", args=[cost.pk]))
    changes = {c.label: (c.old, c.new) for c in page.context["history"][0].changes}
    assert changes["Số tiền (VNĐ)"] == ("10.000.000 ₫", "45.000.000 ₫")
    assert changes["Địa bàn"] == ("Hoàng Mai (HN-HM-PG)", "Cầu Giấy (HN-CG-WR)")
    html = page.content.decode()
    assert "officer_hn" in html and "45.000.000 ₫" in html


def test_deactivation_appears_in_the_history(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    client.post(reverse("sites:site_deactivate", args=[site_hn.pk]))
    page = client.get(reverse("sites:site_detail", args=[site_hn.pk]))
    change = page.context["history"][0].changes[0]
    assert change.label == "Đang hoạt động"
    assert (change.old, change.new) == ("Có", "Không")


def test_another_province_cannot_see_the_history(client_for, officer_ct, site_hn):
    response = client_for(officer_ct).get(reverse("sites:site_detail", args=[site_hn.pk]))
    assert response.status_code == 404


def test_peer_leader_sees_the_history_of_their_group(client_for, officer_hn, leader, group_hn):
    client = client_for(officer_hn)
    client.post(reverse("sites:peergroup_deactivate", args=[group_hn.pk]))
    page = client_for(leader).get(reverse("sites:peergroup_detail", args=[group_hn.pk]))
    assert page.context["history"][0].who == "officer_hn"
    assert "Đang hoạt động" in page.content.decode()
