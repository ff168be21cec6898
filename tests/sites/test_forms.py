"""Create/edit forms: bad input gets a clear Vietnamese message and nothing is saved; stale edits
are refused; deactivation keeps the record."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from programs.models import Phase
from sites.models import Cost, Establishment, PeerGroup, Site, Training
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def site_data(**changes):
    data = {
        "code": "HN-CG-WR",
        "name": "Cầu Giấy",
        "province": factories.province("01", "legacy").pk,
        "locality": "Cầu Giấy",
        "model": "worker_rights",
        "role": "pilot",
        "phase": "",
        "start_date": "2019-01-15",
        "end_date": "",
    }
    data.update(changes)
    return data


def post(client, name, data, *args):
    return client.post(reverse(f"sites:{name}", args=args), data)


def errors(response):
    form = response.context["form"]
    return {field: " ".join(str(e) for e in errs) for field, errs in form.errors.items()}


def test_officer_creates_a_site_and_the_phase_is_filled_from_the_start_date(client_for, officer_hn):
    response = post(client_for(officer_hn), "site_create", site_data())
    site = Site.objects.get(code="HN-CG-WR")
    assert response["Location"] == reverse("sites:site_detail", args=[site.pk])
    assert site.phase_id == "2016-2020"
    assert site.province.code == "01" and site.province.unit_set == "legacy"
    assert site.version == 0


def test_site_end_before_start_is_refused(client_for, officer_hn):
    response = post(
        client_for(officer_hn),
        "site_create",
        site_data(start_date="2019-05-01", end_date="2019-04-30"),
    )
    assert "Ngày kết thúc không được trước ngày bắt đầu." in errors(response)["end_date"]
    assert not Site.objects.filter(code="HN-CG-WR").exists()
    assert response.context["form"]["name"].value() == "Cầu Giấy"  # what was typed is kept


def test_site_province_that_did_not_exist_on_the_start_date_is_refused(client_for, officer_hn):
    """The 34-province Hà Nội did not exist in 2019; the 63-province one is gone from 2025-07-01."""
    client = client_for(officer_hn)
    response = post(client, "site_create", site_data(province=factories.province("01").pk))
    assert "không tồn tại vào ngày bắt đầu 15/01/2019" in errors(response)["province"]
    response = post(client, "site_create", site_data(start_date="2025-08-01"))
    assert "không tồn tại vào ngày bắt đầu 01/08/2025" in errors(response)["province"]
    assert not Site.objects.filter(code="HN-CG-WR").exists()
    post(
        client,
        "site_create",
        site_data(start_date="2025-08-01", province=factories.province("01").pk),
    )
    assert Site.objects.get(code="HN-CG-WR").phase_id == "2021-2025"


def test_site_duplicate_code_is_refused(client_for, officer_hn, site_ct):
    """Even a code used in another province: codes are unique nationwide."""
    response = post(client_for(officer_hn), "site_create", site_data(code=site_ct.code))
    assert "Mã địa bàn này đã được dùng" in errors(response)["code"]
    assert Site.objects.filter(code=site_ct.code).count() == 1


def test_site_phase_must_contain_the_start_date(client_for, officer_hn):
    response = post(client_for(officer_hn), "site_create", site_data(phase="2021-2025"))
    assert "không thuộc giai đoạn 2021-2025" in errors(response)["phase"]
    assert not Site.objects.filter(code="HN-CG-WR").exists()


def test_site_start_date_outside_every_phase_leaves_the_phase_empty(client_for, officer_hn):
    first = Phase.objects.order_by("start_date").first()
    day = first.start_date - datetime.timedelta(days=400)
    post(client_for(officer_hn), "site_create", site_data(start_date=day.isoformat()))
    assert Site.objects.get(code="HN-CG-WR").phase is None


def test_officer_cannot_pick_a_province_outside_their_own(client_for, officer_hn):
    response = post(
        client_for(officer_hn),
        "site_create",
        site_data(province=factories.province("92", "legacy").pk),
    )
    assert "province" in errors(response)
    assert not Site.objects.filter(code="HN-CG-WR").exists()


@pytest.mark.parametrize(
    ("name", "data", "field", "model"),
    [
        (
            "establishment_create",
            {"code": "E-NEW", "kind": "karaoke", "workers": "-1"},
            "workers",
            Establishment,
        ),
        (
            "peergroup_create",
            {
                "code": "G-NEW",
                "name": "Phụ nữ Xa nhà",
                "kind": "club",
                "founded_on": "2018-03-08",
                "members": "-3",
                "board_members": "0",
            },
            "members",
            PeerGroup,
        ),
        (
            "peergroup_create",
            {
                "code": "G-NEW",
                "name": "Phụ nữ Xa nhà",
                "kind": "club",
                "founded_on": "2018-03-08",
                "members": "5",
                "board_members": "-1",
            },
            "board_members",
            PeerGroup,
        ),
        (
            "training_create",
            {"date": "2019-04-01", "audience": "officials", "trainees": "-30"},
            "trainees",
            Training,
        ),
    ],
)
def test_negative_counts_are_refused(client_for, officer_hn, site_hn, name, data, field, model):
    before = model.objects.count()
    response = post(client_for(officer_hn), name, {**data, "site": site_hn.pk})
    assert "Số lượng không được âm." in errors(response)[field]
    assert model.objects.count() == before


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-45000000", "Số tiền phải là số nguyên không âm"), ("1500.5", "số nguyên")],
)
def test_cost_amount_must_be_a_whole_non_negative_number(
    client_for, officer_hn, site_hn, amount, message
):
    data = {"site": site_hn.pk, "date": "2019-03-01", "category": "training", "amount_vnd": amount}
    response = post(client_for(officer_hn), "cost_create", data)
    assert message in errors(response)["amount_vnd"]
    assert not Cost.objects.exists()


def test_cost_is_saved_in_vnd_and_shown_with_grouping(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    data = {
        "site": site_hn.pk,
        "date": "2014-06-01",
        "category": "support",
        "amount_vnd": "45000000",
    }
    response = post(client, "cost_create", data)
    cost = Cost.objects.get()
    assert cost.amount_vnd == 45_000_000
    page = client.get(response["Location"]).content.decode()
    assert "45.000.000 ₫" in page
    assert "01/06/2014" in page


def test_duplicate_cost_and_training_are_refused(client_for, officer_hn, site_hn):
    factories.CostFactory(site=site_hn, date=datetime.date(2019, 3, 1), category="staff")
    factories.TrainingFactory(site=site_hn, date=datetime.date(2019, 4, 1), audience="owners")
    client = client_for(officer_hn)
    response = post(
        client,
        "cost_create",
        {"site": site_hn.pk, "date": "2019-03-01", "category": "staff", "amount_vnd": "5"},
    )
    assert "đã có một khoản chi cùng hạng mục vào ngày này" in str(
        response.context["form"].non_field_errors()
    )
    response = post(
        client,
        "training_create",
        {"site": site_hn.pk, "date": "2019-04-01", "audience": "owners", "trainees": "12"},
    )
    assert "đã có một lớp tập huấn cho cùng đối tượng" in str(
        response.context["form"].non_field_errors()
    )
    assert Cost.objects.count() == 1 and Training.objects.count() == 1


def test_duplicate_establishment_and_group_codes_are_refused(client_for, officer_hn, site_hn):
    factories.EstablishmentFactory(code="E-1", site=site_hn)
    factories.PeerGroupFactory(code="G-1", site=site_hn)
    client = client_for(officer_hn)
    response = post(
        client,
        "establishment_create",
        {"code": "E-1", "site": site_hn.pk, "kind": "bar", "workers": 3},
    )
    assert "Mã cơ sở này đã được dùng" in errors(response)["code"]
    response = post(
        client,
        "peergroup_create",
        {
            "code": "G-1",
            "name": "Ánh Dương",
            "site": site_hn.pk,
            "kind": "club",
            "founded_on": "2018-01-01",
            "members": 5,
            "board_members": 2,
        },
    )
    assert "Mã nhóm này đã được dùng" in errors(response)["code"]
    assert Establishment.objects.count() == 1 and PeerGroup.objects.count() == 1


def test_board_cannot_outnumber_members(client_for, officer_hn, site_hn):
    response = post(
        client_for(officer_hn),
        "peergroup_create",
        {
            "code": "G-9",
            "name": "Vì Tương lai phụ nữ",
            "site": site_hn.pk,
            "kind": "club",
            "founded_on": "2018-01-01",
            "members": 2,
            "board_members": 3,
        },
    )
    assert "không được lớn hơn số thành viên" in errors(response)["board_members"]
    assert not PeerGroup.objects.exists()


def test_a_stale_edit_is_refused(client_for, officer_hn, site_hn, admin_user):
    """The officer opened the form at version 0; an administrator saved meanwhile."""

    def edit(name, version):
        return site_data(
            code=site_hn.code,
            name=name,
            province=site_hn.province_id,
            model=site_hn.model_id,
            start_date="2016-06-01",
            version=version,
        )

    form = client_for(officer_hn).get(reverse("sites:site_edit", args=[site_hn.pk])).context["form"]
    opened_version = form["version"].value()
    post(client_for(admin_user), "site_edit", edit("Tên của quản trị", opened_version), site_hn.pk)
    assert Site.objects.get(pk=site_hn.pk).version == 1

    client = client_for(officer_hn)
    response = post(client, "site_edit", edit("Tên của cán bộ", opened_version), site_hn.pk)
    assert response.status_code == 200
    assert "vừa được người khác sửa" in str(response.context["form"].non_field_errors())
    site = Site.objects.get(pk=site_hn.pk)
    assert site.name == "Tên của quản trị" and site.version == 1


def test_deactivation_keeps_the_record_and_hides_it_from_new_choices(
    client_for, officer_hn, site_hn, group_hn
):
    client = client_for(officer_hn)
    assert client.get(reverse("sites:site_deactivate", args=[site_hn.pk])).status_code == 405
    response = client.post(reverse("sites:site_deactivate", args=[site_hn.pk]))
    assert response["Location"] == reverse("sites:site_detail", args=[site_hn.pk])
    site = Site.objects.get(pk=site_hn.pk)
    assert site.is_active is False and site.version == 1
    assert PeerGroup.objects.filter(pk=group_hn.pk).exists()
    form = client.get(reverse("sites:establishment_create")).context["form"]
    assert site not in form.fields["site"].queryset
    # ... but a record already on it keeps it as a choice when edited.
    form = client.get(reverse("sites:peergroup_edit", args=[group_hn.pk])).context["form"]
    assert site in form.fields["site"].queryset
    listing = client.get(reverse("sites:site_list"), {"status": "inactive"}).content.decode()
    assert site.code in listing
    listing = client.get(reverse("sites:site_list"), {"status": "active"}).content.decode()
    assert site.code not in listing
    client.post(reverse("sites:site_reactivate", args=[site_hn.pk]))
    assert Site.objects.get(pk=site_hn.pk).is_active is True


def test_edit_form_shows_dates_for_the_date_picker(client_for, officer_hn, site_hn):
    page = client_for(officer_hn).get(reverse("sites:site_edit", args=[site_hn.pk]))
    assert 'value="2016-06-01"' in page.content.decode()
