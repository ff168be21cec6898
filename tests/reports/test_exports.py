"""The national summary export: XLSX, CSV and DHIS2 of the same suppressed table, opened and
checked cell by cell; logged; ministry and administrators only; fixed query count."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from accounts.models import ActivityEvent
from reports.indicators import CODES
from tests import factories as f

from .conftest import D

pytestmark = pytest.mark.django_db
URL = "/reports/export/?format={fmt}&start=2019-01-01&end=2019-03-31"
HEADER = ["province_code", "province", *CODES]

# Hà Nội's row (HANOI in test_indicators), suppressed: 1–4 -> "<5"; percentages and the cost per
# person reached whose numerator or denominator is suppressed -> "x"; zero stays 0; the
# compliance percentage has a zero denominator -> empty.
HANOI_ROW = {
    "sites_active": "<5",
    "sites_active_pilot": "<5",
    "sites_active_control": 0,
    "sites_active_scale_up": "<5",
    "reached": "<5",
    "reached_by_peer_groups": "<5",
    "reached_with_need": "<5",
    "referred": 0,
    "referred_pct": "x",  # 0 / "<5"
    "referrals_made": "<5",
    "referrals_completed": 0,
    "referral_completion_pct": "x",
    "workers_assessed": "<5",
    "workers_rights_ensured": "<5",
    "workers_rights_ensured_pct": "x",
    "establishments_assessed": 0,
    "establishments_compliant": 0,
    "establishments_compliant_pct": None,
    "peer_group_members": 10,
    "trainings": "<5",
    "trainees": 20,
    "total_cost_vnd": 10_000_000,
    "cost_per_reached_vnd": "x",
}


@pytest.fixture
def hcm(small):
    """Seven people reached through a peer group in TP. Hồ Chí Minh: in the column
    reached_by_peer_groups, Hà Nội's 1 is then the only suppressed cell, so HCM's 7 (the next
    smallest non-zero) is hidden too (complementary suppression)."""
    site = f.SiteFactory(code="HCM", province=f.province("79", "legacy"), locality="Quận 1")
    group = f.PeerGroupFactory(site=site, members=12)
    for _ in range(7):
        f.ContactFactory(site=site, peer_group=group, date=D(2019, 2, 1))
    return site


def _csv_rows(content):
    assert content.startswith("\ufeff".encode())  # BOM: Excel reads Vietnamese right
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_cell_by_cell(client_for, ministry, hcm):
    response = client_for(ministry).get(URL.format(fmt="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response.content)
    assert rows[0] == HEADER
    assert len(rows) == 1 + 34 + 1  # header, the 34 provinces, the national row
    by_code = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    hanoi = by_code["01"]
    assert hanoi["province"] == "Hà Nội"
    for code, value in HANOI_ROW.items():
        assert hanoi[code] == ("" if value is None else str(value)), code
    hcm_row = by_code["79"]
    assert hcm_row["reached"] == "7"
    assert hcm_row["reached_by_peer_groups"] == "x"  # complementary to Hà Nội's "<5"
    assert hcm_row["peer_group_members"] == "12"
    cantho = by_code["92"]
    assert cantho["reached"] == "<5"
    assert cantho["trainees"] == "15"
    national = by_code["VN"]
    assert national["province"] == "Toàn quốc"
    # National figures are not suppressed: A, B, C + the seven in HCM.
    assert national["reached"] == "10"
    assert national["referred_pct"] == "100.0"
    assert national["sites_active"] == "5"
    # Provinces with no data: zeros and empty percentages, no error.
    assert by_code["04"]["reached"] == "0"
    assert by_code["04"]["referred_pct"] == ""


def test_xlsx_cell_by_cell(client_for, ministry, hcm):
    response = client_for(ministry).get(URL.format(fmt="xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    by_code = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    hanoi = by_code["01"]
    for code, value in HANOI_ROW.items():
        assert hanoi[code] == value, code
    assert by_code["79"]["reached_by_peer_groups"] == "x"
    assert by_code["79"]["reached"] == 7
    national = by_code["VN"]
    assert national["reached"] == 10
    assert national["referred_pct"] == 100.0
    assert national["referral_completion_pct"] == 25.0
    assert national["cost_per_reached_vnd"] == 1_500_000  # 15,000,001 / 10 = 1,500,000.1
    legend = book.worksheets[1]
    assert legend["B1"].value == "01/01/2019 – 31/03/2019"


def test_dhis2_data_value_set(client_for, admin_user, hcm):
    response = client_for(admin_user).get(URL.format(fmt="dhis2"))
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["period"] == "2019Q1"
    values = {(v["orgUnit"], v["dataElement"]): v["value"] for v in document["dataValues"]}
    assert all(v["period"] == "2019Q1" for v in document["dataValues"])
    assert values[("79", "reached")] == "7"
    assert values[("01", "peer_group_members")] == "10"
    assert values[("01", "referred")] == "0"
    # Suppressed and empty cells are not sent; nor is the national row.
    assert ("01", "reached") not in values
    assert ("79", "reached_by_peer_groups") not in values
    assert ("01", "establishments_compliant_pct") not in values
    assert not any(org == "VN" for org, _code in values)


def test_dhis2_periods(client_for, ministry, small):
    client = client_for(ministry)
    for start, end, period in [
        ("2019-01-01", "2019-12-31", "2019"),
        ("2019-04-01", "2019-06-30", "2019Q2"),
        ("2019-02-01", "2019-02-28", "201902"),
        ("2019-01-15", "2019-03-20", "2019-01-15/2019-03-20"),
    ]:
        response = client.get(f"/reports/export/?format=dhis2&start={start}&end={end}")
        assert json.loads(response.content)["period"] == period


def test_every_export_is_logged(client_for, ministry, small):
    client = client_for(ministry)
    for fmt in ("xlsx", "csv", "dhis2"):
        client.get(URL.format(fmt=fmt))
    events = ActivityEvent.objects.filter(kind=ActivityEvent.Kind.EXPORT).order_by("at", "id")
    assert [e.detail["format"] for e in events] == ["xlsx", "csv", "dhis2"]
    assert all(e.user == ministry for e in events)
    assert events[0].detail["start"] == "2019-01-01"
    assert events[0].detail["end"] == "2019-03-31"


def test_officers_and_leaders_may_not_export(client_for, officer_hn, leader, small):
    for user in (officer_hn, leader):
        assert client_for(user).get(URL.format(fmt="csv")).status_code == 403
    assert not ActivityEvent.objects.filter(kind=ActivityEvent.Kind.EXPORT).exists()


def test_bad_input_is_explained_and_nothing_exported(client_for, ministry, small):
    client = client_for(ministry)
    response = client.get("/reports/export/?format=pdf", follow=True)
    assert "Định dạng xuất không hợp lệ" in response.content.decode()
    response = client.get(
        "/reports/export/?format=csv&start=2019-03-01&end=2019-01-01", follow=True
    )
    assert "Ngày kết thúc không được trước ngày bắt đầu" in response.content.decode()
    assert not ActivityEvent.objects.filter(kind=ActivityEvent.Kind.EXPORT).exists()


def test_legacy_units(client_for, ministry, small):
    response = client_for(ministry).get(URL.format(fmt="csv") + "&units=legacy")
    rows = _csv_rows(response.content)
    assert len(rows) == 1 + 63 + 1
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["94"][1] == "Sóc Trăng"
    assert by_code["94"][HEADER.index("sites_active_control")] == "<5"  # ST


def _more_data(n):
    """n more people reached, referred and assessed across several provinces."""
    for code in ("01", "79", "92", "48"):
        site = f.SiteFactory(province=f.province(code, "legacy"))
        establishment = f.EstablishmentFactory(site=site)
        for _ in range(n):
            contact = f.ContactFactory(site=site, date=D(2019, 2, 1), needs=["loan"])
            f.ReferralFactory(participant=contact.participant, site=site, date=D(2019, 2, 3))
            f.RightsAssessmentFactory(
                participant=contact.participant, establishment=establishment, date=D(2019, 3, 1)
            )


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "dhis2"])
def test_query_count_does_not_grow_with_the_data(
    client_for, ministry, small, fmt, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(ministry)
    with CaptureQueriesContext(connection) as few:
        client.get(URL.format(fmt=fmt))
    _more_data(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL.format(fmt=fmt))
    assert response.status_code == 200
    assert len(few.captured_queries) <= 30
