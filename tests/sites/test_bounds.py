"""Numbers have bounds (issue 14): a count of people at most 100,000, one cost line at most
100 billion VND. The form, the importer and the database refuse the same numbers, and the
importer gives the form's message, before any overflow; a refused number leaves nothing
written and every page that sums costs working."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from exchange.reader import read_files
from exchange.services import import_exchange
from reports.indicators import compute_indicators
from sites.models import Cost, Establishment, PeerGroup, Training
from tests import factories
from tests.exchange.conftest import HEADERS, snapshot

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"  # 10^23 - 1, the number of the report
TOO_MANY = "Không được quá 100000 người."
TOO_MUCH = "Một khoản chi không được quá 100000000000 VNĐ."


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def form_errors(response):
    return {
        field: [str(e) for e in errs] for field, errs in response.context["form"].errors.items()
    }


def import_rows(name, lines, user=None):
    data = ("\n".join([HEADERS[name], *lines]) + "\n").encode()
    sources, read_errors = read_files([(f"{name}.csv", data)], label=name)
    return import_exchange(sources=sources, user=user, read_errors=read_errors)


def peer_group_data(site, **changes):
    return {
        "code": "G-NEW",
        "name": "Hoa Sen",
        "site": site.pk,
        "kind": "club",
        "founded_on": "2018-03-08",
        "members": "15",
        "board_members": "4",
        **changes,
    }


# ---- forms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("peergroup_create", {"members": "100001", "board_members": "4"}, "members"),
        ("peergroup_create", {"members": HUGE, "board_members": "4"}, "members"),
        ("establishment_create", {"code": "E-NEW", "kind": "karaoke", "workers": HUGE}, "workers"),
        (
            "training_create",
            {"date": "2019-04-01", "audience": "officials", "trainees": "100001"},
            "trainees",
        ),
    ],
)
def test_a_form_refuses_a_count_over_the_bound(client_for, officer_hn, site_hn, name, data, field):
    base = peer_group_data(site_hn) if name == "peergroup_create" else {"site": site_hn.pk}
    before = snapshot()
    response = client_for(officer_hn).post(reverse(f"sites:{name}"), {**base, **data})
    assert form_errors(response)[field] == [TOO_MANY]
    assert snapshot() == before


def test_a_form_takes_a_count_at_the_bound(client_for, officer_hn, site_hn):
    data = peer_group_data(site_hn, members="100000", board_members="100000")
    client_for(officer_hn).post(reverse("sites:peergroup_create"), data)
    assert PeerGroup.objects.get(code="G-NEW").members == 100_000


@pytest.mark.parametrize(
    ("amount", "messages"),
    # One rule, one message: the bound (sites.services.check_cost_amount) is said once, not
    # followed by Django's own message for more than 15 digits.
    [("100000000001", [TOO_MUCH]), (HUGE, [TOO_MUCH])],
)
def test_the_cost_form_refuses_an_amount_over_the_bound(
    client_for, officer_hn, site_hn, amount, messages
):
    data = {"site": site_hn.pk, "date": "2019-03-01", "category": "staff", "amount_vnd": amount}
    response = client_for(officer_hn).post(reverse("sites:cost_create"), data)
    assert form_errors(response)["amount_vnd"] == messages
    assert not Cost.objects.exists()


def test_the_cost_form_takes_100_billion(client_for, officer_hn, site_hn):
    data = {
        "site": site_hn.pk,
        "date": "2019-03-01",
        "category": "staff",
        "amount_vnd": "100000000000",
    }
    client_for(officer_hn).post(reverse("sites:cost_create"), data)
    assert Cost.objects.get().amount_vnd == 100_000_000_000


# ---- the importer --------------------------------------------------------------------------


def test_the_importer_refuses_the_huge_count_with_the_form_message(site_hn):
    before = snapshot()
    result = import_rows(
        "peer_groups",
        [
            f"G-HUGE,Hoa Sen,{site_hn.code},club,2018-03-08,{HUGE},4",
            f"G-FINE,Hoa Mai,{site_hn.code},club,2018-03-08,15,{HUGE}",
        ],
    )
    assert [str(error) for error in result.errors] == [
        f"peer_groups.csv:2: members: {TOO_MANY}",
        f"peer_groups.csv:3: board_members: {TOO_MANY}",
    ]
    assert snapshot() == before


def test_the_importer_refuses_the_huge_amount_with_the_form_message(site_hn):
    before = snapshot()
    result = import_rows(
        "costs",
        [
            f"{site_hn.code},2019-03-01,staff,{HUGE}",
            f"{site_hn.code},2019-03-02,staff,100000000001",
            f"{site_hn.code},2019-03-03,staff,100000000000",
        ],
    )
    assert [str(error) for error in result.errors] == [
        f"costs.csv:2: amount_vnd: {TOO_MUCH}",
        f"costs.csv:3: amount_vnd: {TOO_MUCH}",
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("establishments", "E-HUGE,{site},karaoke,{n}"),
        ("trainings", "{site},2019-04-01,officials,{n}"),
    ],
)
def test_the_importer_bounds_every_count(site_hn, name, line):
    result = import_rows(name, [line.format(site=site_hn.code, n="100001")])
    assert [error.reason for error in result.errors] == [TOO_MANY]
    result = import_rows(name, [line.format(site=site_hn.code, n="100000")])
    assert result.ok, [str(error) for error in result.errors]


def test_a_number_of_any_length_is_refused_without_a_crash(site_hn):
    """Python refuses to read an integer of more than 4,300 digits from text."""
    result = import_rows("trainings", [f"{site_hn.code},2019-04-01,officials,{'9' * 5_000}"])
    assert [error.reason for error in result.errors] == [TOO_MANY]


def test_after_a_refused_import_the_cost_list_and_the_national_total_work(
    client_for, admin_user, site_hn
):
    factories.CostFactory(site=site_hn, amount_vnd=100_000_000_000)
    factories.CostFactory(site=site_hn, amount_vnd=100_000_000_000, category="training")
    result = import_rows("costs", [f"{site_hn.code},2019-03-02,support,{HUGE}"])
    assert not result.ok
    response = client_for(admin_user).get(reverse("sites:cost_list"))
    assert response.status_code == 200
    assert "100.000.000.000" in response.content.decode()
    national = compute_indicators(start=datetime.date(2019, 1, 1), end=datetime.date(2019, 12, 31))
    assert national["total_cost_vnd"] == 200_000_000_000


# ---- the database --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (PeerGroup, {"members": 100_001}),
        (PeerGroup, {"board_members": 100_001}),
        (Establishment, {"workers": 100_001}),
        (Training, {"trainees": 100_001}),
        (Cost, {"amount_vnd": 100_000_000_001}),
    ],
)
def test_the_database_refuses_what_skips_the_forms(site_hn, group_hn, model, values):
    record = {
        PeerGroup: group_hn,
        Establishment: factories.EstablishmentFactory(site=site_hn),
        Training: factories.TrainingFactory(site=site_hn),
        Cost: factories.CostFactory(site=site_hn),
    }[model]
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=record.pk).update(**values)
