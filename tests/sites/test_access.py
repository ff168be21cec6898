"""Scope of the programme-structure pages: an officer sees and edits only their province (with
the pre-2025 provinces merged into it), the ministry reads everything and writes nothing, a
peer leader reads their own group and its site. Outside scope is 404."""

import pytest
from django.urls import reverse

from accounts.models import Role
from sites.models import Cost, Establishment, PeerGroup, Site, Training
from tests import factories

pytestmark = pytest.mark.django_db

KINDS = ["site", "establishment", "peergroup", "cost", "training"]
DEACTIVATABLE = ["site", "establishment", "peergroup"]
MODELS = {
    "site": Site,
    "establishment": Establishment,
    "peergroup": PeerGroup,
    "cost": Cost,
    "training": Training,
}


def _label(kind, record):
    """Text that identifies the record's row on its list page."""
    if kind in ("cost", "training"):
        return reverse(f"sites:{kind}_detail", args=[record.pk])
    return record.code if kind != "peergroup" else record.name


def _edit_data(kind, record):
    """A valid POST for the record's edit form (changes one visible value)."""
    version = record.version
    if kind == "site":
        return {
            "code": record.code,
            "name": "Đổi tên",
            "province": record.province_id,
            "locality": record.locality,
            "model": record.model_id,
            "role": record.role,
            "phase": record.phase_id or "",
            "start_date": record.start_date.isoformat(),
            "end_date": "",
            "version": version,
        }
    if kind == "establishment":
        return {
            "code": record.code,
            "site": record.site_id,
            "kind": record.kind,
            "workers": 99,
            "version": version,
        }
    if kind == "peergroup":
        return {
            "code": record.code,
            "name": "Đổi tên",
            "site": record.site_id,
            "kind": record.kind,
            "founded_on": record.founded_on.isoformat(),
            "members": 99,
            "board_members": 1,
            "version": version,
        }
    if kind == "cost":
        return {
            "site": record.site_id,
            "date": record.date.isoformat(),
            "category": record.category,
            "amount_vnd": 99,
            "version": version,
        }
    return {
        "site": record.site_id,
        "date": record.date.isoformat(),
        "audience": record.audience,
        "trainees": 99,
        "version": version,
    }


def _unchanged(kind, record):
    fresh = MODELS[kind].objects.get(pk=record.pk)
    return fresh.version == record.version and fresh.updated_at == record.updated_at


@pytest.mark.parametrize("kind", KINDS)
def test_officer_of_another_province_cannot_list_open_or_edit(
    client_for, officer_ct, records_hn, records_ct, kind
):
    client = client_for(officer_ct)
    theirs, mine = records_hn[kind], records_ct[kind]

    listing = client.get(reverse(f"sites:{kind}_list")).content.decode()
    assert _label(kind, mine) in listing
    assert _label(kind, theirs) not in listing

    assert client.get(reverse(f"sites:{kind}_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse(f"sites:{kind}_edit", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse(f"sites:{kind}_edit", args=[theirs.pk]), _edit_data(kind, theirs)
    )
    assert response.status_code == 404
    assert _unchanged(kind, theirs)

    # Their own record of the same kind opens and saves.
    assert client.get(reverse(f"sites:{kind}_detail", args=[mine.pk])).status_code == 200
    response = client.post(reverse(f"sites:{kind}_edit", args=[mine.pk]), _edit_data(kind, mine))
    assert response.status_code == 302
    assert MODELS[kind].objects.get(pk=mine.pk).version == mine.version + 1


@pytest.mark.parametrize("kind", DEACTIVATABLE)
def test_officer_of_another_province_cannot_deactivate(client_for, officer_ct, records_hn, kind):
    record = records_hn[kind]
    client = client_for(officer_ct)
    response = client.post(reverse(f"sites:{kind}_deactivate", args=[record.pk]))
    assert response.status_code == 404
    assert MODELS[kind].objects.get(pk=record.pk).is_active is True


@pytest.mark.parametrize("kind", ["establishment", "peergroup", "cost", "training"])
def test_officer_cannot_attach_a_record_to_another_provinces_site(
    client_for, officer_ct, records_hn, records_ct, kind
):
    """Choice fields offer only the officer's own sites; a forged id is refused."""
    client = client_for(officer_ct)
    form = client.get(reverse(f"sites:{kind}_create")).context["form"]
    assert list(form.fields["site"].queryset) == [records_ct["site"]]

    data = _edit_data(kind, records_ct[kind])
    data.update(site=records_hn["site"].pk, code="NEW-CODE", date="2020-01-01", version="")
    before = MODELS[kind].objects.count()
    response = client.post(reverse(f"sites:{kind}_create"), data)
    assert response.status_code == 200
    assert "site" in response.context["form"].errors
    assert MODELS[kind].objects.count() == before


def test_officer_sees_sites_of_the_pre_2025_provinces_merged_into_theirs(
    client_for, officer_ct, records_hn
):
    """Hậu Giang (93) merged into Cần Thơ in 2025: its old sites belong to Cần Thơ's officer."""
    hau_giang = factories.SiteFactory(
        code="HG-VT-PG", name="Vị Thanh", province=factories.province("93", "legacy")
    )
    client = client_for(officer_ct)
    listing = client.get(reverse("sites:site_list")).content.decode()
    assert "HG-VT-PG" in listing
    assert records_hn["site"].code not in listing
    assert client.get(reverse("sites:site_detail", args=[hau_giang.pk])).status_code == 200


def test_officer_province_choices_are_their_province_and_its_predecessors(client_for, officer_ct):
    form = client_for(officer_ct).get(reverse("sites:site_create")).context["form"]
    choices = {(p.unit_set, p.code) for p in form.fields["province"].queryset}
    assert choices == {("2025", "92"), ("legacy", "92"), ("legacy", "93"), ("legacy", "94")}


@pytest.mark.parametrize("kind", KINDS)
def test_ministry_reads_everything_but_every_write_is_403(
    client_for, ministry, records_hn, records_ct, kind
):
    client = client_for(ministry)
    listing = client.get(reverse(f"sites:{kind}_list")).content.decode()
    assert _label(kind, records_hn[kind]) in listing
    assert _label(kind, records_ct[kind]) in listing
    record = records_hn[kind]
    page = client.get(reverse(f"sites:{kind}_detail", args=[record.pk]))
    assert page.status_code == 200
    assert reverse(f"sites:{kind}_edit", args=[record.pk]) not in page.content.decode()

    assert client.get(reverse(f"sites:{kind}_create")).status_code == 403
    assert client.get(reverse(f"sites:{kind}_edit", args=[record.pk])).status_code == 403
    response = client.post(
        reverse(f"sites:{kind}_edit", args=[record.pk]), _edit_data(kind, record)
    )
    assert response.status_code == 403
    assert _unchanged(kind, record)
    before = MODELS[kind].objects.count()
    data = _edit_data(kind, record)
    data.update(code="MIN-NEW", date="2020-02-02")
    assert client.post(reverse(f"sites:{kind}_create"), data).status_code == 403
    assert MODELS[kind].objects.count() == before
    if kind in DEACTIVATABLE:
        response = client.post(reverse(f"sites:{kind}_deactivate", args=[record.pk]))
        assert response.status_code == 403
        assert MODELS[kind].objects.get(pk=record.pk).is_active is True


def test_peer_leader_reads_their_group_and_its_site_only(
    client_for, leader, records_hn, records_ct
):
    client = client_for(leader)
    response = client.get(reverse("sites:peergroup_mine"))
    assert response["Location"] == reverse("sites:peergroup_detail", args=[leader.peer_group_id])
    page = client.get(response["Location"]).content.decode()
    assert "Sao đêm" in page
    assert "leader" in page  # the group's leader accounts
    site_page = client.get(reverse("sites:site_detail", args=[records_hn["site"].pk]))
    assert site_page.status_code == 200
    # Establishment, cost and training totals are not a peer leader's to see.
    assert 'data-testid="summary"' not in site_page.content.decode()

    other_group = factories.PeerGroupFactory(site=records_hn["site"], name="Nhóm khác")
    assert client.get(reverse("sites:peergroup_detail", args=[other_group.pk])).status_code == 404
    assert "Nhóm khác" not in site_page.content.decode()
    for kind in ("site", "peergroup"):
        url = reverse(f"sites:{kind}_detail", args=[records_ct[kind].pk])
        assert client.get(url).status_code == 404
    for kind in KINDS:
        assert client.get(reverse(f"sites:{kind}_list")).status_code == 403
        assert client.get(reverse(f"sites:{kind}_create")).status_code == 403
    record = records_hn["peergroup"]
    response = client.post(
        reverse("sites:peergroup_edit", args=[record.pk]), _edit_data("peergroup", record)
    )
    assert response.status_code == 403
    assert _unchanged("peergroup", record)


def test_admin_edits_any_province(client_for, admin_user, records_hn, records_ct):
    client = client_for(admin_user)
    for records in (records_hn, records_ct):
        record = records["establishment"]
        response = client.post(
            reverse("sites:establishment_edit", args=[record.pk]),
            _edit_data("establishment", record),
        )
        assert response.status_code == 302
        assert Establishment.objects.get(pk=record.pk).workers == 99


def test_navigation_offers_the_pages_by_role(client_for, officer_hn, leader, ministry):
    page = client_for(officer_hn).get(reverse("home")).content.decode()
    assert reverse("sites:site_list") in page
    assert reverse("sites:cost_list") in page
    page = client_for(ministry).get(reverse("home")).content.decode()
    assert reverse("sites:peergroup_list") in page
    page = client_for(leader).get(reverse("home")).content.decode()
    assert reverse("sites:peergroup_mine") in page
    assert f'href="{reverse("sites:site_list")}"' not in page
    assert leader.role == Role.PEER_LEADER
