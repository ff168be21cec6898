"""Dashboards: national (ministry: suppressed; administrator: not), provincial (an officer sees
their own province only), peer group (a leader sees their own group); period picker; targets;
scale-up estimate; a fixed number of queries whatever the data size."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from periods.models import ReportingPeriod
from tests import factories as f

from .conftest import D

pytestmark = pytest.mark.django_db
Q1 = "/reports/?period=quarter&year=2019&quarter=1"


def cell(html, table, row_code, column):
    """The text of one cell: table (data-testid), row (data-code), column (data-code)."""
    table_html = re.search(rf'data-testid="{table}".*?</table>', html, re.S).group(0)
    row = re.search(rf'<tr data-code="{re.escape(row_code)}">(.*?)</tr>', table_html, re.S)
    value = re.search(rf'<td class="text-end" data-code="{column}">(.*?)</td>', row.group(1))
    return value.group(1).strip()


def headline(html, code):
    match = re.search(rf'<td class="text-end" data-code="{code}">(.*?)</td>', html)
    return match.group(1).strip()


def test_ministry_sees_provisional_national_totals_of_an_unpublished_period(
    client_for, ministry, small
):
    html = client_for(ministry).get(Q1).content.decode()
    assert "Báo cáo toàn quốc" in html
    assert 'data-testid="provisional-note"' in html
    # National figures as they are (docs/indicators.md: only counts below the national total).
    assert headline(html, "reached") == "3"
    assert headline(html, "referred_pct") == "100,0 %"
    # Nothing below the national total, no breakdown, nothing to download: those come with the
    # published release (tests/reports/test_release_exports.py).
    for table in ("province-table", "model-table", "cost-table", "export-links"):
        assert f'data-testid="{table}"' not in html
    assert "theo giới tính</caption>" not in html
    # Where each province stands in the reporting cycle instead.
    assert 'data-testid="status-table"' in html
    assert "<script>" not in html and "style=" not in html


def test_administrator_sees_national_figures_unsuppressed(client_for, admin_user, small):
    html = client_for(admin_user).get(Q1).content.decode()
    assert 'data-testid="suppression-note"' not in html
    assert cell(html, "province-table", "01", "reached") == "2"
    assert cell(html, "province-table", "92", "reached") == "2"
    assert cell(html, "province-table", "01", "referred_pct") == "0,0 %"
    assert cell(html, "model-table", "worker_rights", "referred_pct") == "100,0 %"


def test_referral_target_shown(client_for, admin_user, officer_hn, small):
    html = client_for(admin_user).get(Q1).content.decode()
    assert "Mục tiêu: ≥ 50,0 %" in html
    assert "Đạt mục tiêu" in html  # 100.0 ≥ 50
    html = client_for(officer_hn).get(Q1).content.decode()
    assert "Chưa đạt mục tiêu" in html  # Hà Nội: 0.0 < 50


def test_coverage_computed_then_unknown_without_locality_counts(client_for, admin_user, small):
    # Hà Nội: HN (Hoàng Mai, pilot) and OLD (Ba Đình, scale-up) active: 2 localities. With the
    # 30 district-level areas of (legacy) Hà Nội from the reference data: 2 / 30 = 6.7 % < 10 %.
    from sites.models import Province

    html = client_for(admin_user).get(Q1).content.decode()
    row = re.search(r'<tr data-code="01">(.*?)</tr>', html, re.S).group(1)
    assert "6,7 %" in row
    Province.objects.filter(code="01").update(locality_count=None)
    html = client_for(admin_user).get(Q1).content.decode()
    assert "chưa tính được độ bao phủ" in html


def test_legacy_province_toggle(client_for, admin_user, small):
    html = client_for(admin_user).get(Q1 + "&units=legacy").content.decode()
    assert "Theo 63 tỉnh, thành phố (trước 01/07/2025)" in html
    table = re.search(r'data-testid="province-table".*?</table>', html, re.S).group(0)
    assert table.count('<tr data-code="') == 63 + 1  # the 63 and the national total
    assert "Sóc Trăng" in table
    assert cell(html, "province-table", "94", "sites_active") == "1"  # ST
    assert 'data-testid="units-toggle"' in html


def test_officer_sees_only_their_province(client_for, officer_ct, small):
    client = client_for(officer_ct)
    html = client.get(Q1).content.decode()
    assert "Báo cáo Cần Thơ" in html
    assert headline(html, "reached") == "2"  # A and C, unsuppressed for the officer
    assert headline(html, "sites_active") == "2"  # CT and ST (Sóc Trăng merged in)
    assert "Hoàng Mai" not in html
    # Asking for another province changes nothing.
    html = client.get(Q1 + "&province=01").content.decode()
    assert "Báo cáo Cần Thơ" in html and "Báo cáo Hà Nội" not in html
    assert 'data-testid="province-table"' not in html


def test_ministry_does_not_see_a_province_live(client_for, ministry, small):
    html = client_for(ministry).get(Q1 + "&province=92").content.decode()
    assert "Báo cáo Cần Thơ" not in html
    assert 'data-testid="provisional-note"' in html
    assert headline(html, "reached") == "3"  # the national total


def test_leader_sees_their_group(client_for, leader, group_hn, small):
    other = f.PeerGroupFactory(site=group_hn.site)
    for _ in range(3):
        contact = f.ContactFactory(
            site=group_hn.site, peer_group=group_hn, date=D(2019, 2, 1), needs=["loan"]
        )
    f.ReferralFactory(
        participant=contact.participant,
        site=group_hn.site,
        peer_group=group_hn,
        date=D(2019, 2, 2),
    )
    f.ContactFactory(site=group_hn.site, peer_group=other, date=D(2019, 2, 1))
    html = client_for(leader).get(Q1).content.decode()
    assert "Kết quả nhóm Sao đêm" in html
    values = dict(re.findall(r'data-testid="(group-[a-z-]+)">([^<]*)<', html))
    assert values["group-members"] == "10"
    assert values["group-reached"] == "3"  # not the other group's contact
    assert values["group-need"] == "3"
    assert values["group-referred"] == "1"
    assert values["group-referred-pct"] == "33,3 %"  # 1 / 3
    assert 'data-testid="province-table"' not in html


def test_period_picker(client_for, admin_user, small):
    client = client_for(admin_user)
    assert "Năm 2019" in client.get("/reports/?period=year&year=2019").content.decode()
    html = client.get("/reports/?period=custom&start=2019-01-01&end=2019-01-01").content.decode()
    assert "01/01/2019 – 01/01/2019" in html
    assert headline(html, "reached") == "1"  # only A's contact on the first day
    html = client.get("/reports/?period=custom&start=2019-03-01").content.decode()
    assert "Hãy nhập cả ngày bắt đầu và ngày kết thúc." in html
    html = client.get("/reports/?period=quarter&year=2019").content.decode()
    assert "Hãy chọn quý." in html


def test_scale_up_estimate(client_for, admin_user, small):
    # Worker-rights sites in Q1 2019: CT 90 days (01/01–31/03) + ST 1 day (31/03) = 91 days.
    # Cost 5,000,001 -> per site-year 5,000,001 × 365.25 / 91 = 20,068,685.3 -> 20,068,685.
    # 3 more areas for 2 years: 20,068,685 × 3 × 2 = 120,412,110.
    html = (
        client_for(admin_user)
        .get(Q1 + "&areas=3&scale_model=worker_rights&years=2")
        .content.decode()
    )
    estimate = re.search(r'data-testid="scale-up-estimate">(.*?)</div>', html, re.S).group(1)
    assert "120.412.110" in estimate
    assert "20.068.685" in estimate
    assert "0,25" in estimate  # 91 / 365.25 site-years
    html = client_for(admin_user).get(Q1 + "&areas=0&scale_model=worker_rights").content.decode()
    assert 'data-testid="scale-up-estimate"' not in html


def test_cost_per_result(client_for, admin_user, small):
    html = client_for(admin_user).get(Q1).content.decode()
    table = re.search(r'data-testid="cost-table".*?</table>', html, re.S).group(0)
    total = re.search(r'<tr data-code="total">(.*?)</tr>', table, re.S).group(1)
    # 15,000,001 / 3 reached = 5,000,000; / 1 completed referral = 15,000,001.
    assert "5.000.000 ₫" in total
    assert "15.000.001 ₫" in total


def test_pilot_versus_control(client_for, admin_user, small):
    html = client_for(admin_user).get(Q1).content.decode()
    # "Latest" is per role here. Pilot site CT (E1): W1 02-01 all (its E2 assessment is at the
    # control site) -> yes, W2 -> yes, W4 (E1 misses health_care) -> no, W5 -> no: 2 / 4.
    # Control site ST (E2): W1 misses wages -> no, W4 all -> yes: 1 / 2.
    assert cell(html, "pilot-control", "pilot", "workers_assessed") == "4"
    assert cell(html, "pilot-control", "pilot", "workers_rights_ensured_pct") == "50,0 %"
    assert cell(html, "pilot-control", "control", "workers_assessed") == "2"
    assert cell(html, "pilot-control", "control", "workers_rights_ensured_pct") == "50,0 %"
    assert cell(html, "pilot-control", "control", "establishments_compliant_pct") == "100,0 %"


def _more_data(n):
    for code in ("01", "79", "92", "48"):
        site = f.SiteFactory(province=f.province(code, "legacy"))
        for _ in range(n):
            contact = f.ContactFactory(site=site, date=D(2019, 2, 1), needs=["loan"])
            f.ReferralFactory(participant=contact.participant, site=site, date=D(2019, 2, 3))
        f.CostFactory(site=site, date=D(2019, 2, 1))


@pytest.mark.parametrize("persona", ["ministry", "admin_user", "officer_hn", "leader"])
def test_query_count_does_not_grow_with_the_data(
    request, client_for, persona, small, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    url = Q1 + "&areas=2&scale_model=community&years=1"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _more_data(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    assert len(few.captured_queries) <= 80


# Queries of each dashboard on SQLite, with the tables of a page from one pass over each event
# table (reports.indicators.Pass) and the breakdowns in one statement; PostgreSQL adds the
# report statements' own work_mem (at most two).
DASHBOARD_QUERIES = [
    ("ministry", "", 21),
    ("admin_user", "", 27),
    ("admin_user", "&units=legacy", 27),
    ("admin_user", "&province=01", 29),
    ("officer_hn", "", 28),
    ("leader", "", 22),
]


@pytest.mark.parametrize(("persona", "query", "queries"), DASHBOARD_QUERIES)
def test_each_dashboard_runs_a_fixed_number_of_queries(
    request, client_for, persona, query, queries, small, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    limit = queries + 2 * (connection.vendor == "postgresql")
    client.get(Q1)  # the session and the user's first reads
    with django_assert_max_num_queries(limit):
        assert client.get(Q1 + query).status_code == 200
    _more_data(5)
    with django_assert_max_num_queries(limit):
        assert client.get(Q1 + query).status_code == 200


def test_the_ministry_opens_on_a_quarter_with_data_never_on_zeros(client_for, ministry, site_hn):
    client = client_for(ministry)
    # The data end in the second quarter of 2024, and no reporting period of that quarter is
    # on record: the report opens on it all the same (before: the current year, all zeros).
    old = f.ContactFactory(site=site_hn, date=D(2024, 5, 6), needs=["loan"])
    ReportingPeriod.objects.filter(code="2024Q2").delete()
    html = client.get("/reports/").content.decode()
    assert '<span data-testid="period">Quý 2/2024</span>' in html
    assert headline(html, "reached") == "1"
    # A contact in the quarter under way: still the last quarter with data before it.
    today = timezone.localdate()
    f.ContactFactory(site=site_hn, date=today)
    html = client.get("/reports/").content.decode()
    assert '<span data-testid="period">Quý 2/2024</span>' in html
    # Data in the quarter under way only: that quarter (not the empty one before it).
    old.delete()
    html = client.get("/reports/").content.decode()
    quarter = (today.month - 1) // 3 + 1
    assert f'<span data-testid="period">Quý {quarter}/{today.year}</span>' in html
    assert headline(html, "reached") == "1"
