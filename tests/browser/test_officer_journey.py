"""A provincial officer imports a spreadsheet, sees the bad row in the preview, fixes it, uploads
again and confirms; then follows an overdue referral up to completion."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from referrals.models import Referral
from sites.models import Cost
from tests import factories
from tests.browser.conftest import BROWSER, sign_in
from tests.browser.tour import LANGUAGES, Tour

pytestmark = BROWSER


def costs_workbook(amounts):
    """costs.xlsx as a provincial accountant fills it in: one row per cost of site HN-HM-PG."""
    book = Workbook()
    sheet = book.active
    sheet.title = "costs"
    sheet.append(["site", "date", "category", "amount_vnd"])
    for (day, category), amount in zip(
        [("2024-03-01", "staff"), ("2024-04-01", "training")], amounts, strict=True
    ):
        sheet.append(["HN-HM-PG", day, category, amount])
    out = io.BytesIO()
    book.save(out)
    return {
        "name": "costs.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": out.getvalue(),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_officer_imports_a_spreadsheet_and_follows_up_an_overdue_referral(
    live_server, desktop_page, officer_hn, site_hn, provider_hn, language
):
    today = timezone.localdate()
    participant = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    overdue = factories.ReferralFactory(
        participant=participant,
        site=site_hn,
        provider=provider_hn,
        date=today - datetime.timedelta(days=45),
    )
    page = desktop_page
    tour = Tour(page, language, data_words=("Hoàng Mai", "Hà Nội", provider_hn.name))
    t = tour.t
    page.goto(f"{live_server.url}/login/")
    tour.switch_language()
    sign_in(page, live_server, "officer_hn")

    # Upload with a bad amount on the second row: the preview names the row, nothing is saved.
    page.goto(live_server.url + reverse("exchange:import"))
    tour.check("import")
    upload = tour.field("Tệp dữ liệu", "Data file")
    upload.set_input_files(costs_workbook([5_000_000, "năm triệu"]))
    with page.expect_navigation():
        page.get_by_role("button", name=t("Kiểm tra và xem trước", "Check and preview")).click()
    assert page.get_by_role("heading", name=t("Xem trước dữ liệu nhập", "Import preview"))
    errors = page.get_by_test_id("import-errors").locator("li").all_inner_texts()
    assert len(errors) == 1, errors
    assert errors[0].startswith("costs.xlsx:3: amount_vnd:"), errors
    assert Cost.objects.count() == 0
    tour.check("import-preview-errors")

    # The fixed file, uploaded again from the preview page: two new rows, then confirmed.
    tour.field("Tệp dữ liệu", "Data file").set_input_files(costs_workbook([5_000_000, 2_500_000]))
    with page.expect_navigation():
        page.get_by_role("button", name=t("Kiểm tra và xem trước", "Check and preview")).click()
    counts = page.get_by_test_id("import-counts").locator("tbody tr")
    assert counts.count() == 1
    assert counts.first.locator("th, td").all_inner_texts() == ["costs.xlsx", "2", "0", "0"]
    assert Cost.objects.count() == 0
    tour.check("import-preview-ok")
    with page.expect_navigation():
        page.get_by_role("button", name=t("Xác nhận nhập", "Confirm import")).click()
    assert (
        page.get_by_role("alert")
        .filter(
            has_text=t(
                "Đã nhập dữ liệu: 2 dòng mới, 0 dòng cập nhật.",
                "Data imported: 2 new rows, 0 updated rows.",
            )
        )
        .is_visible()
    )
    assert sorted(Cost.objects.values_list("date", "category", "amount_vnd")) == [
        (datetime.date(2024, 3, 1), "staff", 5_000_000),
        (datetime.date(2024, 4, 1), "training", 2_500_000),
    ]
    assert set(Cost.objects.values_list("site", flat=True)) == {site_hn.pk}
    tour.check("import-done")

    # The overdue referral is flagged at the top of the follow-up list.
    page.goto(live_server.url + reverse("referrals:followup"))
    row = page.locator(f"tr[data-referral='{overdue.pk}']")
    assert row.get_by_test_id("overdue").inner_text() == t("Quá hạn", "Overdue")
    assert page.locator("tr[data-referral]").first.get_attribute("data-referral") == str(overdue.pk)
    assert participant.code in row.inner_text()
    tour.check("followup")
    with page.expect_navigation():
        row.get_by_role("button", name=t("Đã tiếp nhận", "Received")).click()
    overdue.refresh_from_db()
    assert overdue.status == Referral.Status.RECEIVED
    row = page.locator(f"tr[data-referral='{overdue.pk}']")
    # Completing takes the outcome from a fixed list (issue 18).
    row.get_by_label(t("Kết quả", "Outcome"), exact=True).select_option("service_given")
    with page.expect_navigation():
        row.get_by_role("button", name=t("Hoàn thành", "Completed")).click()
    overdue.refresh_from_db()
    assert (overdue.status, overdue.completed_on) == (Referral.Status.COMPLETED, today)
    # Completed: off the follow-up list, and its page tells the story.
    assert page.locator(f"tr[data-referral='{overdue.pk}']").count() == 0
    page.goto(live_server.url + reverse("referrals:referral_detail", args=[overdue.pk]))
    shown = page.get_by_test_id("referral").inner_text()
    assert today.strftime("%d/%m/%Y") in shown
    history = page.get_by_test_id("status-history").inner_text()
    assert t("Hoàn thành", "Completed") in history and "officer_hn" in history
    tour.check("referral-completed")
    tour.assert_clean()
