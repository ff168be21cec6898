"""Publication: the ministry publishes a quarter once its provinces are approved; the tables are
computed and suppressed once and stored, then every page and download serves them exactly as
stored — later data changes nothing in them — until a correction is published as a new version,
whose differences are shown. Periods not published: provisional national totals only, nothing
to download."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import ActivityEvent
from periods import services as period_services
from periods.models import ReportingPeriod
from reports import cycle, releases
from reports.indicators import CODES, PERCENTAGES, compute_indicators
from reports.models import Release
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date
Q1 = "2019Q1"
FEBRUARY = D(2019, 2, 1)
MARKERS = ("<5", "x", "chưa phê duyệt")
Q1_QUERY = "period=quarter&year=2019&quarter=1"
EXPORT = "/reports/export/?format={fmt}&" + Q1_QUERY


def people(site, n, day=FEBRUARY):
    """n people met at `site` with a need; the first n // 2 of them referred, referral done;
    one cost of 12,000,000 VND."""
    met = [
        f.ContactFactory(
            site=site,
            date=day,
            needs=["loan"],
            participant=f.ParticipantFactory(province=site.province.current),
        )
        for _ in range(n)
    ]
    for contact in met[: n // 2]:
        f.ReferralFactory(
            participant=contact.participant,
            site=site,
            date=day,
            status="completed",
            completed_on=day,
        )
    f.CostFactory(site=site, date=day, amount_vnd=12_000_000)
    return met


@pytest.fixture
def sites(db):
    return {
        "01": f.SiteFactory(code="HN", province=f.province("01", "legacy")),
        "92": f.SiteFactory(code="CT", province=f.province("92", "legacy"), locality="Ninh Kiều"),
        "79": f.SiteFactory(code="HCM", province=f.province("79", "legacy"), locality="Quận 1"),
    }


@pytest.fixture
def approved(sites, officer_hn, officer_ct, ministry, hanoi, cantho):
    """Q1 2019: 12 people in Hà Nội, 12 in Cần Thơ (both approved), 3 in Hồ Chí Minh (not
    submitted). Over the approved provinces (what a release holds): 24 reached, 24 with a need,
    12 referred (6 + 6), 12 referrals made and completed, 24,000,000 VND."""
    people(sites["01"], 12)
    people(sites["92"], 12)
    people(sites["79"], 3)
    q1 = ReportingPeriod.objects.get(code=Q1)
    for officer, province in ((officer_hn, hanoi), (officer_ct, cantho)):
        submission = cycle.submission_submit(period=q1, province=province, by=officer)
        cycle.submission_approve(submission=submission, by=ministry)
    return q1


def publish(client, provinces=("01", "92"), reason="", period=Q1):
    return client.post(
        reverse("reports:cycle_publish", kwargs={"period": period}),
        {"provinces": list(provinces), "reason": reason, "confirm": "on"},
    )


@pytest.fixture
def published(client, ministry, approved):
    client.force_login(ministry)
    response = publish(client)
    assert response.status_code == 302
    return Release.objects.get()


def headline(html, code):
    import re

    match = re.search(rf'<td class="text-end" data-code="{code}">(.*?)</td>', html)
    return match.group(1).strip()


def province_cell(html, province, code):
    import re

    table = re.search(r'data-testid="province-table".*?</table>', html, re.S).group(0)
    row = re.search(rf'<tr data-code="{province}">(.*?)</tr>', table, re.S).group(1)
    return re.search(rf'data-code="{code}">(.*?)</td>', row).group(1).strip()


def stored_rows(release, table="province_2025"):
    stored = release.tables["tables"][table]
    return {**stored["rows"], "VN": stored["total"]}


def later_changes(sites):
    """Data that arrives after publication: five more people in Hồ Chí Minh (not approved,
    so not locked) and a cost."""
    people(sites["79"], 5, day=D(2019, 3, 20))


# --------------------------------------------------------------------------- publishing


def test_publish_stores_the_release_and_the_pages_serve_it(client, ministry, published, sites):
    assert published.version == 1
    assert published.provinces == ["01", "92"]
    assert published.published_by == ministry
    national = published.tables["tables"]["province_2025"]["total"]
    assert (national["reached"], national["referred"], national["referred_pct"]) == (24, 12, "50.0")
    assert national["total_cost_vnd"] == 24_000_000
    rows = published.tables["tables"]["province_2025"]["rows"]
    assert rows["92"]["reached"] == 12 and rows["79"]["reached"] == "chưa phê duyệt"

    html = client.get("/reports/?" + Q1_QUERY).content.decode()
    assert 'data-testid="release-note"' in html and "phiên bản 1" in html
    assert "chỉ tính 2/34 tỉnh đã phê duyệt" in html
    assert headline(html, "reached") == "24"
    assert headline(html, "referred_pct") == "50,0 %"
    assert headline(html, "cost_per_reached_vnd") == "1.000.000 ₫"  # 24,000,000 / 24
    assert province_cell(html, "92", "reached") == "12"
    assert province_cell(html, "79", "reached") == "chưa phê duyệt"

    later_changes(sites)
    assert compute_indicators(start=D(2019, 1, 1), end=D(2019, 3, 31))["reached"] == 32
    html = client.get("/reports/?" + Q1_QUERY).content.decode()
    assert headline(html, "reached") == "24"
    assert province_cell(html, "79", "reached") == "chưa phê duyệt"
    assert Release.objects.get().tables == published.tables


def test_downloads_equal_the_stored_release_cell_by_cell_after_data_changes(
    client, ministry, published, sites
):
    later_changes(sites)
    expected = stored_rows(published)

    response = client.get(EXPORT.format(fmt="csv"))
    assert response.status_code == 200
    assert 'filename="tong-hop-quoc-gia_2019Q1_v1.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["province_code", "province", *CODES]
    assert len(rows) == 1 + 34 + 1
    for row in rows[1:]:
        stored = expected[row[0]]
        for code, value in zip(CODES, row[2:], strict=True):
            want = stored[code]
            assert value == ("" if want is None else str(want)), (row[0], code)
    assert rows[-1][:2] == ["VN", "Toàn quốc (2/34 tỉnh đã phê duyệt)"]
    assert rows[-1][2 + CODES.index("reached")] == "24"

    response = client.get(EXPORT.format(fmt="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    table = list(sheet.iter_rows(min_row=8, values_only=True))
    assert len(table) == 34 + 1
    for row in table:
        stored = expected[row[0]]
        for code, value in zip(CODES, row[2:], strict=True):
            want = stored[code]
            if isinstance(want, str) and code in PERCENTAGES and want not in MARKERS:
                want = float(Decimal(want) / 100)
            assert value == want, (row[0], code)

    response = client.get(EXPORT.format(fmt="dhis2"))
    document = json.loads(response.content)
    assert document["period"] == Q1
    sent = {(v["orgUnit"], v["dataElement"]): v["value"] for v in document["dataValues"]}
    for province, stored in published.tables["tables"]["province_2025"]["rows"].items():
        for code in CODES:
            value = stored[code]
            if value is None or value in MARKERS:
                assert (province, code) not in sent
            else:
                assert sent[(province, code)] == str(value)

    events = ActivityEvent.objects.filter(kind=ActivityEvent.Kind.EXPORT).order_by("id")
    assert [(e.detail["format"], e.detail["period"], e.detail["version"]) for e in events] == [
        ("csv", Q1, 1),
        ("xlsx", Q1, 1),
        ("dhis2", Q1, 1),
    ]


def test_the_legacy_units_are_stored_too(client, published):
    response = client.get(EXPORT.format(fmt="csv") + "&units=legacy")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_code = {row[0]: row for row in rows[1:]}
    stored = stored_rows(published, "province_legacy")
    assert set(by_code) == set(stored)
    assert by_code["92"][1] == "Cần Thơ" and by_code["94"][1] == "Sóc Trăng"
    assert by_code["92"][2 + CODES.index("reached")] == str(stored["92"]["reached"]) == "12"


def test_the_summary_workbook_is_ready_to_paste_and_print(client, published):
    response = client.get(EXPORT.format(fmt="xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Tổng hợp"]
    assert sheet["A1"].value == "Tổng hợp chỉ số toàn quốc"
    assert sheet["A2"].value == "Kỳ báo cáo: Quý 1/2019 (01/01/2019 – 31/03/2019)"
    assert "Bản công bố: phiên bản 1" in sheet["A3"].value
    assert "2 tỉnh đã phê duyệt" in sheet["A3"].value
    assert "<5: Số từ 1 đến 4 được ẩn" in sheet["A4"].value
    assert "x: Ô được ẩn thêm" in sheet["A4"].value
    titles = [cell.value for cell in sheet[6]]
    codes = [cell.value for cell in sheet[7]]
    assert titles[:3] == ["Mã tỉnh", "Tỉnh/thành phố", "Địa bàn đang hoạt động"]
    assert codes == ["province_code", "province", *CODES]
    national = next(row for row in sheet.iter_rows(min_row=8) if row[0].value == "VN")
    by_code = dict(zip(codes, national, strict=True))
    assert by_code["reached"].value == 24 and by_code["reached"].number_format == "#,##0"
    assert by_code["referred_pct"].value == pytest.approx(0.5)
    assert by_code["referred_pct"].number_format == "0.0%"
    assert by_code["total_cost_vnd"].value == 24_000_000
    assert by_code["total_cost_vnd"].number_format == '#,##0 "₫"'
    assert by_code["reached"].font.bold
    hcm = next(row for row in sheet.iter_rows(min_row=8) if row[0].value == "79")
    assert dict(zip(codes, hcm, strict=True))["reached"].value == "chưa phê duyệt"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$6:$7"
    assert sheet.freeze_panes == "C8"
    guide = book["Hướng dẫn"]
    lines = [row for row in guide.iter_rows(values_only=True) if row and row[0]]
    assert ("referred_pct", "Tỷ lệ người có nhu cầu được chuyển gửi (%)", "phần trăm") in [
        row[:3] for row in lines
    ]
    assert any(row[0] == "<5" for row in lines) and any(row[0] == "x" for row in lines)


def test_publication_needs_approved_provinces(client, ministry, approved, cantho):
    client.force_login(ministry)
    response = publish(client, provinces=("01", "79"), period=Q1)
    page = client.get(response["Location"]).content.decode()
    assert "Chưa thể công bố: kỳ Quý 1/2019 của Hồ Chí Minh chưa được phê duyệt." in page
    response = publish(client, provinces=())
    page = client.get(response["Location"]).content.decode()
    assert "Hãy chọn ít nhất một tỉnh đã được phê duyệt để công bố." in page
    assert not Release.objects.exists()


def test_a_correction_is_a_new_version_with_its_differences(
    client, ministry, officer_hn, published, sites, hanoi
):
    # Publishing again: a reason is needed, and something must have changed.
    publish(client)
    page = client.get(reverse("reports:cycle_period", kwargs={"period": Q1})).content.decode()
    assert "hãy ghi lý do đính chính" in page
    publish(client, reason="Không đổi gì.")
    page = client.get(reverse("reports:cycle_period", kwargs={"period": Q1})).content.decode()
    assert "Không có gì khác phiên bản 1: không cần công bố lại." in page
    assert Release.objects.count() == 1

    # Hà Nội finds five people it had not entered: the ministry reopens, the province adds them
    # and submits again, the ministry approves and publishes a correction.
    submission = hanoi.submissions.get()
    period_services.submission_reopen(submission=submission, by=ministry, reason="Thiếu 5 người.")
    people(sites["01"], 5, day=D(2019, 3, 5))
    submission = cycle.submission_submit(period=published.period, province=hanoi, by=officer_hn)
    cycle.submission_approve(submission=submission, by=ministry)
    response = publish(client, reason="Hà Nội bổ sung 5 người được tiếp cận.")
    assert response["Location"] == reverse("reports:release_detail", kwargs={"period": Q1})
    latest = Release.objects.get(version=2)
    assert latest.tables["tables"]["province_2025"]["total"]["reached"] == 29
    assert Release.objects.get(version=1).tables == published.tables  # never recomputed

    page = client.get(response["Location"]).content.decode()
    assert "Hà Nội bổ sung 5 người được tiếp cận." in page
    assert 'data-testid="changes-table"' in page
    row = page.split('<tr data-code="province_2025:total:reached">')[1].split("</tr>")[0]
    assert ">Tổng</td>" in row and ">24</td>" in row and ">29</td>" in row
    # Every site is a peer-group site: that model's row is the national one.
    row = page.split('<tr data-code="model:peer_groups:reached">')[1].split("</tr>")[0]
    assert ">Nhóm đồng đẳng, tự lực, câu lạc bộ</td>" in row and ">29</td>" in row
    # The dashboard shows the latest version; an earlier one stays readable.
    assert headline(client.get("/reports/?" + Q1_QUERY).content.decode(), "reached") == "29"
    html = client.get("/reports/?" + Q1_QUERY + "&version=1").content.decode()
    assert headline(html, "reached") == "24"
    assert client.get("/reports/?" + Q1_QUERY + "&version=9").status_code == 404


def test_a_year_is_suppressed_consistently_with_its_published_quarter(
    client, ministry, officer_hn, officer_ct, published, hanoi, cantho, monkeypatch
):
    from reports import disclosure

    year = ReportingPeriod.objects.get(code="2019")
    for officer, province in ((officer_hn, hanoi), (officer_ct, cantho)):
        submission = cycle.submission_submit(period=year, province=province, by=officer)
        cycle.submission_approve(submission=submission, by=ministry)
    seen = {}
    real = disclosure.publishable_tables

    def spy(*, start, end, fixed=(), provinces=None):
        seen["fixed"] = list(fixed)
        return real(start=start, end=end, fixed=fixed, provinces=provinces)

    monkeypatch.setattr(disclosure, "publishable_tables", spy)
    releases.release_publish(period=year, provinces=[hanoi, cantho], by=ministry)
    assert seen["fixed"] == [published.tables]


# --------------------------------------------------------------------------- who sees what


def test_an_unpublished_period_shows_provisional_totals_and_cannot_be_downloaded(
    client, ministry, admin_user, approved
):
    client.force_login(ministry)
    html = client.get("/reports/?" + Q1_QUERY).content.decode()
    assert 'data-testid="provisional-note"' in html
    assert headline(html, "reached") == "27"  # the national total, computed now
    assert 'data-testid="province-table"' not in html  # no table below the national total
    assert 'data-testid="export-links"' not in html
    assert 'data-testid="status-01"' in html and "Đã phê duyệt (khoá)" in html
    assert "2/34 tỉnh đã được phê duyệt." in html
    response = client.get(EXPORT.format(fmt="csv"), follow=True)
    assert "Kỳ Quý 1/2019 chưa được công bố" in response.content.decode()
    assert not ActivityEvent.objects.filter(kind=ActivityEvent.Kind.EXPORT).exists()
    # The ministry reads fixed periods only; an administrator sees live tables, marked.
    html = client.get("/reports/?period=custom&start=2019-01-01&end=2019-01-31").content.decode()
    assert 'name="start"' not in html
    client.force_login(admin_user)
    html = client.get("/reports/?" + Q1_QUERY).content.decode()
    assert 'data-testid="provisional-note"' in html
    assert province_cell(html, "79", "reached") == "3"


def test_dashboards_open_on_the_last_published_period(client, ministry, officer_hn, published):
    html = client.get("/reports/").content.decode()
    assert '<span data-testid="period">Quý 1/2019</span>' in html
    assert 'data-testid="release-note"' in html
    # An officer opens on the last complete quarter with data: the same quarter here.
    client.force_login(officer_hn)
    html = client.get("/reports/").content.decode()
    assert '<span data-testid="period">Quý 1/2019</span>' in html
    assert "Kỳ Quý 1/2019: Đã phê duyệt (khoá)." in html


def test_a_peer_leader_opens_on_the_quarter_of_their_groups_latest_contact(
    client_for, leader, group_hn
):
    def label(day):
        return f'<span data-testid="period">Quý {(day.month - 1) // 3 + 1}/{day.year}</span>'

    client = client_for(leader)
    today = timezone.localdate()
    # Nothing logged yet: the quarter under way.
    assert label(today) in client.get("/reports/").content.decode()
    # The group's last contact was more than a year ago: that quarter, not an empty one.
    long_ago = today - datetime.timedelta(days=400)
    f.ContactFactory(site=group_hn.site, peer_group=group_hn, date=long_ago)
    html = client.get("/reports/").content.decode()
    assert label(long_ago) in html and 'data-testid="group-reached">1<' in html
    # A contact logged today counts at once on the group's summary.
    f.ContactFactory(site=group_hn.site, peer_group=group_hn, date=today)
    html = client.get("/reports/").content.decode()
    assert label(today) in html and 'data-testid="group-reached">1<' in html


def test_a_published_dashboard_costs_the_same_few_queries_whatever_the_data(
    client, published, sites, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        assert client.get("/reports/?" + Q1_QUERY).status_code == 200
    later_changes(sites)
    for _ in range(3):
        people(f.SiteFactory(province=f.province("48", "legacy")), 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/reports/?" + Q1_QUERY).status_code == 200
    # Served as stored: the session and user, the period, the release, the names of provinces,
    # models and regions, the form's choices — no indicator query.
    assert len(few.captured_queries) <= 16
    assert not any("participants_contact" in q["sql"] for q in few.captured_queries)


def test_a_province_of_the_release(client, published):
    html = client.get("/reports/?province=92&" + Q1_QUERY).content.decode()
    assert "Báo cáo Cần Thơ" in html and 'data-testid="release-note"' in html
    assert headline(html, "reached") == "12"
    assert "Tỉnh đã phê duyệt số liệu của kỳ này." in html
    html = client.get("/reports/?province=79&" + Q1_QUERY).content.decode()
    assert headline(html, "reached") == "chưa phê duyệt"
    assert "Tỉnh chưa phê duyệt số liệu của kỳ này khi công bố" in html


def test_the_printable_report_and_the_release_pages(client_for, officer_ct, published):
    client = client_for(officer_ct)  # officers read releases too, but do not download them
    page = client.get(reverse("reports:release_print", kwargs={"period": Q1})).content.decode()
    assert "Báo cáo toàn quốc — Quý 1/2019" in page
    assert "css/print.css" in page and "Bản công bố phiên bản 1" in page
    assert headline(page, "reached") == "24"
    page = client.get(reverse("reports:release_list")).content.decode()
    assert f'data-code="{Q1}-1"' in page
    page = client.get(reverse("reports:release_detail", kwargs={"period": Q1})).content.decode()
    assert "Phiên bản 1" in page and 'data-testid="export-xlsx"' not in page
    assert client.get(EXPORT.format(fmt="xlsx")).status_code == 403
    assert (
        client.get(reverse("reports:release_detail", kwargs={"period": "2019Q2"})).status_code
        == 404
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "dhis2"])
def test_a_download_costs_the_same_few_queries_whatever_the_data(
    client, published, sites, fmt, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        assert client.get(EXPORT.format(fmt=fmt)).status_code == 200
    later_changes(sites)
    people(f.SiteFactory(province=f.province("48", "legacy")), 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(EXPORT.format(fmt=fmt)).status_code == 200
    assert not any("participants_contact" in q["sql"] for q in few.captured_queries)
