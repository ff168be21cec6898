"""A ministry official opens the national dashboard of the published year, switches the province
table to the 63 provinces before the 2025 merger, and downloads the national summary workbook,
which the test opens and checks cell by cell against figures worked out by hand from the data
it made."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from periods.models import ReportingPeriod
from reports import cycle, releases
from sites.models import Province, Site
from tests import factories
from tests.browser.conftest import BROWSER, sign_in
from tests.browser.tour import LANGUAGES, Tour

pytestmark = BROWSER

DAY = datetime.date(2019, 3, 4)

# The national summary's columns, and what they must hold for the data below (2019). Bắc Giang
# (24) and Bắc Ninh (27) are two of the 63 provinces that became one (Bắc Ninh, 24) in 2025;
# every count is 0 or at least 5, so nothing is suppressed; 2 000 000 đồng per person reached.
CODES = (
    "sites_active",
    "sites_active_pilot",
    "sites_active_control",
    "sites_active_scale_up",
    "reached",
    "reached_by_peer_groups",
    "reached_with_need",
    "referred",
    "referred_pct",
    "referrals_made",
    "referrals_completed",
    "referral_completion_pct",
    "workers_assessed",
    "workers_rights_ensured",
    "workers_rights_ensured_pct",
    "establishments_assessed",
    "establishments_compliant",
    "establishments_compliant_pct",
    "peer_group_members",
    "trainings",
    "trainees",
    "total_cost_vnd",
    "cost_per_reached_vnd",
)
NOTHING = dict.fromkeys(CODES, 0) | {
    "referred_pct": None,
    "referral_completion_pct": None,
    "workers_rights_ensured_pct": None,
    "establishments_compliant_pct": None,
    "cost_per_reached_vnd": None,
}
BAC_NINH = NOTHING | {
    # 5 pilot sites; 6 people met by a peer group of 12, all with a need; 5 referred and done.
    "sites_active": 5,
    "sites_active_pilot": 5,
    "reached": 6,
    "reached_by_peer_groups": 6,
    "reached_with_need": 6,
    "referred": 5,
    "referred_pct": 83.3,  # 5/6
    "referrals_made": 5,
    "referrals_completed": 5,
    "referral_completion_pct": 100.0,
    "peer_group_members": 12,
    "total_cost_vnd": 12_000_000,
    "cost_per_reached_vnd": 2_000_000,
}
BAC_GIANG = NOTHING | {
    # 5 control sites; 7 people met, 5 with a need, all 5 referred, none done yet; 5 trainings.
    "sites_active": 5,
    "sites_active_control": 5,
    "reached": 7,
    "reached_with_need": 5,
    "referred": 5,
    "referred_pct": 100.0,
    "referrals_made": 5,
    "referral_completion_pct": 0.0,
    "trainings": 5,
    "trainees": 100,
    "total_cost_vnd": 14_000_000,
    "cost_per_reached_vnd": 2_000_000,
}
NATIONAL = NOTHING | {
    "sites_active": 10,
    "sites_active_pilot": 5,
    "sites_active_control": 5,
    "reached": 13,
    "reached_by_peer_groups": 6,
    "reached_with_need": 11,
    "referred": 10,
    "referred_pct": 90.9,  # 10/11
    "referrals_made": 10,
    "referrals_completed": 5,
    "referral_completion_pct": 50.0,
    "peer_group_members": 12,
    "trainings": 5,
    "trainees": 100,
    "total_cost_vnd": 26_000_000,
    "cost_per_reached_vnd": 2_000_000,
}


def make_province_data():
    bac_ninh = factories.province("27", "legacy")
    bac_giang = factories.province("24", "legacy")
    pilots = [factories.SiteFactory(province=bac_ninh) for _ in range(5)]
    controls = [
        factories.SiteFactory(province=bac_giang, role=Site.SiteRole.CONTROL) for _ in range(5)
    ]
    group = factories.PeerGroupFactory(site=pilots[0], members=12)
    for n in range(6):
        person = factories.ParticipantFactory()
        factories.ContactFactory(
            participant=person, site=pilots[n % 5], peer_group=group, date=DAY, needs=["loan"]
        )
        if n < 5:
            factories.ReferralFactory(
                participant=person,
                site=pilots[n],
                service="loan",
                date=DAY,
                status="completed",
                completed_on=DAY + datetime.timedelta(days=10),
            )
    for n in range(7):
        person = factories.ParticipantFactory()
        needs = ["health_check", "hiv_sti"] if n < 5 else []
        factories.ContactFactory(participant=person, site=controls[n % 5], date=DAY, needs=needs)
        if n < 5:
            factories.ReferralFactory(participant=person, site=controls[n], date=DAY)
            factories.TrainingFactory(site=controls[n], date=DAY, trainees=20)
    factories.CostFactory(site=pilots[0], date=DAY, amount_vnd=12_000_000)
    factories.CostFactory(site=controls[0], date=DAY, amount_vnd=14_000_000)


def publish_2019(ministry):
    """Bắc Ninh (24 since 2025) submits 2019, the ministry approves and publishes it."""
    province = factories.province("24")
    officer = factories.UserFactory(username="officer_bn", role="officer", province=province)
    year = ReportingPeriod.objects.get(code="2019")
    submission = cycle.submission_submit(period=year, province=province, by=officer)
    cycle.submission_approve(submission=submission, by=ministry)
    releases.release_publish(period=year, provinces=[province], by=ministry)


@pytest.mark.parametrize("language", LANGUAGES)
def test_ministry_downloads_the_national_summary_by_the_63_provinces(
    live_server, desktop_page, ministry, language
):
    make_province_data()
    publish_2019(ministry)
    legacy = {p.code: p.name for p in Province.objects.filter(unit_set="legacy")}
    page = desktop_page
    tour = Tour(page, language, data_words=tuple(Province.objects.values_list("name", flat=True)))
    t = tour.t
    page.goto(f"{live_server.url}/login/")
    tour.switch_language()
    sign_in(page, live_server, "ministry")

    page.goto(live_server.url + reverse("reports:dashboard"))
    assert page.get_by_role("heading", name=t("Báo cáo toàn quốc", "National report")).count()
    assert page.get_by_test_id("period").inner_text() == t("Năm 2019", "Year 2019")
    table = page.get_by_test_id("province-table")
    assert table.locator("tbody tr").count() == 34
    assert table.get_by_text("Bắc Giang", exact=True).count() == 0
    # After 1 July 2025 Bắc Giang is part of Bắc Ninh (24): 6 + 7 people reached.
    assert table.locator("tr[data-code='24'] td[data-code='reached']").inner_text() == "13"
    tour.check("national-dashboard")

    with page.expect_navigation():
        page.get_by_test_id("units-toggle").click()
    assert page.get_by_role(
        "heading",
        name=t(
            "Theo 63 tỉnh, thành phố (trước 01/07/2025)",
            "By the 63 provinces and cities (before 01/07/2025)",
        ),
    ).is_visible()
    assert table.locator("tbody tr").count() == 63
    for code, reached in (("24", "7"), ("27", "6")):
        row = table.locator(f"tr[data-code='{code}']")
        assert row.get_by_role("rowheader").inner_text() == legacy[code]
        assert row.locator("td[data-code='reached']").inner_text() == reached
    tour.check("national-dashboard-63")

    with page.expect_download() as download_info:
        page.get_by_test_id("export-links").get_by_role("link", name="XLSX").click()
    download = download_info.value
    assert download.suggested_filename == "tong-hop-quoc-gia_2019_v1.xlsx"
    with open(download.path(), "rb") as handle:
        sheet = load_workbook(handle).worksheets[0]
    # Above the table: title, period, release, legend; then the titles and the codes.
    rows = [list(row) for row in sheet.iter_rows(min_row=7, values_only=True)]

    assert rows[0] == ["province_code", "province", *CODES]
    body = {row[0]: row for row in rows[1:]}
    assert len(rows) == 1 + 63 + 1, "codes, the 63 provinces, the national row"
    assert sorted(code for code in body if code != "VN") == sorted(legacy)
    # Only Bắc Ninh (2025: the former Bắc Ninh and Bắc Giang) was approved: every other
    # province reads "chưa phê duyệt", never a number.
    not_approved = dict.fromkeys(CODES, "chưa phê duyệt")
    expected = {code: not_approved for code in legacy} | {"27": BAC_NINH, "24": BAC_GIANG}
    expected["VN"] = NATIONAL
    mismatches = []
    for code, values in expected.items():
        row = body[code]
        if code != "VN" and row[1] != legacy[code]:
            mismatches.append((code, "province", row[1], legacy[code]))
        for column, indicator in enumerate(CODES, start=2):
            cell, want = row[column], values[indicator]
            if indicator.endswith("_pct") and isinstance(cell, int | float) and want is not None:
                # Percentages are fractions shown as "90.9%" by the cell's format.
                same = round(float(cell) * 100, 1) == want
            elif isinstance(cell, float | Decimal) and want is not None:
                same = round(float(cell), 1) == want
            else:
                same = cell == want
            if not same:
                mismatches.append((code, indicator, cell, want))
    assert mismatches == []
    assert rows[-1][0] == "VN"
    tour.assert_clean()
