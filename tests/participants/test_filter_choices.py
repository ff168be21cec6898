"""The site, establishment and peer-group choices of the participants pages: a national user is
offered every one, an officer only their province's (nothing of another province), with the
labels written as each record names itself, in the user's language, the chosen one kept selected
after filtering, and a flat number of queries however many there are."""

import pytest
from django import forms
from django.test.html import parse_html
from django.urls import reverse

from accounts.forms import OptionsSelect, RecordChoiceField
from sites.models import Establishment, PeerGroup, Site
from tests import factories
from tests.choices import labels, options, selected

pytestmark = pytest.mark.django_db

ALL = "---------"


@pytest.fixture
def places(site_hn, site_ct, group_hn, group_ct):
    """Two establishments in Hà Nội (Hoàng Mai), one in Cần Thơ (Ninh Kiều)."""
    return {
        "karaoke": factories.EstablishmentFactory(code="HM-KA-01", site=site_hn, kind="karaoke"),
        "guesthouse": factories.EstablishmentFactory(
            code="HM-NN-02", site=site_hn, kind="guesthouse"
        ),
        "massage": factories.EstablishmentFactory(code="NK-XB-01", site=site_ct, kind="massage"),
    }


NATIONAL_SITES = [ALL, "Ninh Kiều (CT-NK-WR)", "Hoàng Mai (HN-HM-PG)"]
NATIONAL_ESTABLISHMENTS = [ALL, "HM-KA-01 · Karaoke", "HM-NN-02 · Nhà nghỉ", "NK-XB-01 · Xoa bóp"]


@pytest.mark.parametrize(
    "page", ["participants:rights_assessment_list", "participants:establishment_assessment_list"]
)
def test_a_national_user_is_offered_every_site_and_establishment(
    client_for, admin_user, places, page
):
    response = client_for(admin_user).get(reverse(page))
    assert labels(response, "site") == NATIONAL_SITES
    assert labels(response, "establishment") == NATIONAL_ESTABLISHMENTS
    assert selected(response, "site") == selected(response, "establishment") == [ALL]


@pytest.mark.parametrize(
    "page", ["participants:rights_assessment_list", "participants:establishment_assessment_list"]
)
def test_an_officer_is_offered_only_their_provinces(client_for, officer_hn, places, page):
    response = client_for(officer_hn).get(reverse(page))
    assert labels(response, "site") == [ALL, "Hoàng Mai (HN-HM-PG)"]
    assert labels(response, "establishment") == [ALL, "HM-KA-01 · Karaoke", "HM-NN-02 · Nhà nghỉ"]


def test_the_chosen_site_and_establishment_stay_selected(client_for, admin_user, places, site_ct):
    client = client_for(admin_user)
    query = {"site": site_ct.pk, "establishment": places["guesthouse"].pk}
    for page in (
        "participants:rights_assessment_list",
        "participants:establishment_assessment_list",
    ):
        response = client.get(reverse(page), query)
        assert selected(response, "site") == ["Ninh Kiều (CT-NK-WR)"]
        assert selected(response, "establishment") == ["HM-NN-02 · Nhà nghỉ"]


def test_a_choice_out_of_scope_is_refused_not_listed(client_for, officer_hn, places):
    response = client_for(officer_hn).get(
        reverse("participants:establishment_assessment_list"),
        {"establishment": places["massage"].pk},
    )
    assert "NK-XB-01" not in response.content.decode()
    assert response.context["form"].errors["establishment"]


def test_labels_follow_the_users_language(client_for, admin_user, places):
    client = client_for(admin_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("participants:establishment_assessment_list"))
    assert labels(response, "establishment")[1:] == [
        "HM-KA-01 · Karaoke",
        "HM-NN-02 · Guesthouse",
        "NK-XB-01 · Massage",
    ]


def test_the_contact_form_offers_the_users_sites_and_groups(
    client_for, admin_user, officer_hn, places
):
    response = client_for(admin_user).get(reverse("participants:contact_new"))
    assert labels(response, "site") == [ALL, "Ninh Kiều (CT-NK-WR)", "Hoàng Mai (HN-HM-PG)"]
    assert labels(response, "peer_group") == [ALL, "Sao đêm", "Ánh Dương"]
    response = client_for(officer_hn).get(reverse("participants:contact_new"))
    # An officer with one site has it chosen already.
    assert options(response, "site") == [(ALL, False), ("Hoàng Mai (HN-HM-PG)", True)]
    assert labels(response, "peer_group") == [ALL, "Sao đêm"]


def test_the_assessment_forms_offer_the_users_establishments(client_for, officer_hn, places):
    client = client_for(officer_hn)
    for page in ("participants:rights_assessment_new", "participants:establishment_assessment_new"):
        response = client.get(reverse(page))
        assert labels(response, "establishment") == [
            ALL,
            "HM-KA-01 · Karaoke",
            "HM-NN-02 · Nhà nghỉ",
        ]


# Each page's queries for a national user (the session, the user, the list, the choices, the
# activity log), the same however many sites, establishments and groups there are.
QUERIES = {
    "participants:participant_list": 9,
    "participants:contact_list": 10,
    "participants:rights_assessment_list": 10,
    "participants:establishment_assessment_list": 10,
    "participants:contact_new": 11,
    "participants:rights_assessment_new": 8,
    "participants:establishment_assessment_new": 8,
}


@pytest.mark.parametrize("page", QUERIES)
def test_more_sites_and_establishments_cost_no_query(
    client_for, admin_user, places, page, django_assert_max_num_queries
):
    client = client_for(admin_user)
    client.get(reverse(page))
    with django_assert_max_num_queries(QUERIES[page]):
        assert client.get(reverse(page)).status_code == 200
    for index in range(20):
        site = factories.SiteFactory(code=f"MORE-{index:02d}")
        factories.EstablishmentFactory(code=f"MORE-E{index:02d}", site=site, kind="cafe")
        factories.PeerGroupFactory(name=f"Nhóm thêm {index}", site=site)
    with django_assert_max_num_queries(QUERIES[page]):
        body = client.get(reverse(page)).content.decode()
    assert "(MORE-19)" in body or "MORE-E19 · Cà phê" in body


# ----- the select itself -----


CHOICES = [
    ("", "---------"),
    (1, 'Quán "Hoa" & <bạn>'),
    (2, "Nhà nghỉ 'Mây'"),
    (2, "the same value twice"),
    (10, "Mười"),
]


@pytest.mark.parametrize("value", [None, "", "2", "10", "99"])
def test_the_select_writes_what_djangos_select_writes(value):
    attrs = {"id": "id_pick", "class": "form-select", "required": True, "disabled": False}
    fast = OptionsSelect(choices=CHOICES).render("pick", value, attrs)
    django = forms.Select(choices=CHOICES).render("pick", value, attrs)
    assert parse_html(fast) == parse_html(django)  # the same elements (whitespace aside)


def test_the_select_escapes_labels_and_selects_one_option():
    rendered = OptionsSelect(choices=CHOICES).render("pick", 2)
    assert "Quán &quot;Hoa&quot; &amp; &lt;bạn&gt;" in rendered
    assert "Nhà nghỉ &#x27;Mây&#x27;" in rendered
    assert rendered.count(" selected") == 1
    assert '<option value="2" selected>Nhà nghỉ' in rendered


def test_a_field_keyed_by_another_column_keeps_djangos_options(site_hn, site_ct):
    field = RecordChoiceField(queryset=Site.objects.order_by("code"), to_field_name="code")
    assert [(str(value), label) for value, label in field.choices] == [
        ("", "---------"),
        ("CT-NK-WR", "Ninh Kiều (CT-NK-WR)"),
        ("HN-HM-PG", "Hoàng Mai (HN-HM-PG)"),
    ]


@pytest.mark.parametrize(
    "page",
    [
        "participants:rights_assessment_new",
        "participants:establishment_assessment_new",
        "participants:establishment_assessment_list",
        "participants:contact_new",
        "referrals:support_new",
        "sites:establishment_create",
    ],
)
def test_options_are_labelled_from_columns_not_instances(
    client_for, officer_hn, places, page, monkeypatch
):
    """A label built from a model instance per option (its __str__) is what made a national
    user's pages slow; the form fields and the model forms' foreign keys alike avoid it."""
    for model in (Site, Establishment, PeerGroup):
        monkeypatch.setattr(model, "__str__", lambda self: "AN INSTANCE")
    body = client_for(officer_hn).get(reverse(page)).content.decode()
    assert "Hoàng Mai (HN-HM-PG)" in body or "HM-KA-01 · Karaoke" in body
    assert "AN INSTANCE" not in body
