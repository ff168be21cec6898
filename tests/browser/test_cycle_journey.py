"""The reporting cycle in Chromium: Hà Nội's officer reviews the first quarter of 2019 and
submits it; the ministry sees it waiting on its home page, approves it, publishes the quarter
for Hà Nội and downloads the national summary workbook, which the test opens and checks against
figures worked out by hand from the data it made.

Vietnamese only: the English of these pages comes with the lead's merge of the translations
(notes/po/cycle.po)."""

import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from periods.models import Submission
from reports.models import Release
from tests import factories
from tests.browser.conftest import BROWSER, DESKTOP, _new_page, sign_in
from tests.browser.tour import Tour

pytestmark = BROWSER

DAY = datetime.date(2019, 2, 14)


def make_quarter():
    """Hà Nội: 12 people met with a need, 6 of them referred (done), 12,000,000 VND. Cần Thơ:
    10 people met, no need, 5,000,000 VND. Nationally 22 reached, 12 with a need, 6 referred
    (50.0 %), 17,000,000 VND."""
    sites = {
        "01": factories.SiteFactory(code="HN-Q1", province=factories.province("01", "legacy")),
        "92": factories.SiteFactory(
            code="CT-Q1", province=factories.province("92", "legacy"), locality="Ninh Kiều"
        ),
    }
    for n in range(12):
        contact = factories.ContactFactory(
            site=sites["01"],
            date=DAY,
            needs=["loan"],
            participant=factories.ParticipantFactory(province=factories.province("01")),
        )
        if n < 6:
            factories.ReferralFactory(
                participant=contact.participant,
                site=sites["01"],
                date=DAY,
                service="loan",
                status="completed",
                completed_on=DAY,
            )
    for _ in range(10):
        factories.ContactFactory(
            site=sites["92"],
            date=DAY,
            participant=factories.ParticipantFactory(province=factories.province("92")),
        )
    factories.CostFactory(site=sites["01"], date=DAY, amount_vnd=12_000_000)
    factories.CostFactory(site=sites["92"], date=DAY, amount_vnd=5_000_000)


@pytest.mark.parametrize("language", ["vi"])
def test_an_officer_submits_and_the_ministry_approves_publishes_and_downloads(
    live_server, chromium, desktop_page, officer_hn, ministry, language
):
    make_quarter()
    page = desktop_page
    sign_in(page, live_server, "officer_hn")
    tour = Tour(page, language, data_words=("Hà Nội", "Cần Thơ", "HN-Q1", "CT-Q1"))

    # The officer opens the reporting cycle from the menu and reviews the quarter.
    page.goto(live_server.url + reverse("reports:cycle"))
    tour.check("cycle-officer")
    with page.expect_navigation():
        page.get_by_test_id("period-table").get_by_role("link", name="Quý 1/2019").click()
    review = page.get_by_test_id("review-table")
    assert review.locator("tr[data-code='reached'] td[data-code='value']").inner_text() == "12"
    assert review.locator("tr[data-code='referred_pct'] td[data-code='value']").inner_text() == (
        "50,0 %"
    )
    tour.check("cycle-review-officer")
    page.get_by_label("Ghi chú gửi Bộ (không bắt buộc)").fill("Đã rà soát số liệu quý 1.")
    page.get_by_test_id("submit-form").get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_test_id("submit-form").get_by_role("button", name="Trình Bộ").click()
    assert "Đã trình Bộ kỳ Quý 1/2019." in page.locator("main").inner_text()
    assert page.get_by_test_id("submission-status").inner_text() == "Đã trình, chờ Bộ duyệt"
    assert Submission.objects.get().figures["reached"] == 12
    tour.assert_clean()

    # The ministry, in its own browser: its home page says what awaits it; it approves Hà
    # Nội's quarter.
    context, page = _new_page(chromium, DESKTOP)
    sign_in(page, live_server, "ministry")
    tour = Tour(page, language, data_words=("Hà Nội", "Cần Thơ", "HN-Q1", "CT-Q1"))
    page.goto(live_server.url + reverse("home"))
    awaiting = page.get_by_test_id("awaiting")
    assert "1 tỉnh đã trình, chờ Bộ phê duyệt." in awaiting.inner_text()
    tour.check("home-ministry")
    with page.expect_navigation():
        awaiting.get_by_role("link").first.click()
    tour.check("cycle-period-ministry")
    with page.expect_navigation():
        page.get_by_test_id("status-table").get_by_role("link", name="Hà Nội").click()
    assert "Đã rà soát số liệu quý 1." in page.get_by_test_id("history").inner_text()
    tour.check("cycle-review-ministry")
    page.get_by_test_id("decision-form").get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_test_id("decision-form").get_by_role("button", name="Phê duyệt").click()
    assert page.get_by_test_id("submission-status").inner_text() == "Đã phê duyệt (khoá)"

    # It publishes the quarter for the approved province.
    with page.expect_navigation():
        page.get_by_role("link", name="← Quý 1/2019: các tỉnh").click()
    form = page.get_by_test_id("publish-form")
    assert form.get_by_label("Hà Nội").is_checked()
    form.get_by_role("checkbox", name="Tôi xác nhận công bố", exact=False).check()
    with page.expect_navigation():
        form.get_by_role("button", name="Công bố").click()
    assert "Đã công bố Quý 1/2019 · phiên bản 1." in page.locator("main").inner_text()
    tour.check("release-detail")
    release = Release.objects.get()
    assert release.provinces == ["01"]

    # The published report, then its workbook.
    with page.expect_navigation():
        page.get_by_role("link", name="Mở báo cáo").click()
    assert page.get_by_test_id("period").inner_text() == "Quý 1/2019"
    assert page.get_by_test_id("release-note").is_visible()
    table = page.get_by_test_id("province-table")
    assert table.locator("tr[data-code='01'] td[data-code='reached']").inner_text() == "12"
    tour.check("dashboard-release")
    with page.expect_download() as download_info:
        page.get_by_test_id("export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == "tong-hop-quoc-gia_2019Q1_v1.xlsx"
    with open(download.path(), "rb") as handle:
        sheet = load_workbook(handle).worksheets[0]
    assert sheet["A2"].value == "Kỳ báo cáo: Quý 1/2019 (01/01/2019 – 31/03/2019)"
    assert "phiên bản 1" in sheet["A3"].value and "1 tỉnh đã phê duyệt" in sheet["A3"].value
    codes = [cell.value for cell in sheet[7]]
    rows = {
        row[0]: dict(zip(codes, row, strict=True))
        for row in sheet.iter_rows(min_row=8, values_only=True)
    }
    assert (rows["01"]["reached"], rows["01"]["referred"], rows["01"]["total_cost_vnd"]) == (
        12,
        6,
        12_000_000,
    )
    # Cần Thơ did not submit: the release holds Hà Nội only, and the national row says so.
    assert rows["92"]["reached"] == "chưa phê duyệt"
    assert rows["92"]["reached_with_need"] == "chưa phê duyệt"
    national = rows["VN"]
    assert national["province"] == "Toàn quốc (1/34 tỉnh đã phê duyệt)"
    assert (national["reached"], national["reached_with_need"], national["referred"]) == (12, 12, 6)
    assert national["referred_pct"] == pytest.approx(0.5)
    assert national["total_cost_vnd"] == 12_000_000
    assert len(rows) == 34 + 1
    context.close()
    tour.assert_clean()
