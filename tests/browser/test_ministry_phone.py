"""The ministry on a 360×740 phone: the first screen shows the figures, not the filters.

Signed in, the official lands on the national report of the period with data: the headline
figure (the share of people with a need who were referred) is on the first screen, with the
filters folded under one line that names the period; opened, the filters are all there. With
nothing published and the data ending in an earlier quarter, the report opens on that quarter
(never a period of zeros); with a release, on the release."""

import datetime

import pytest
from django.urls import reverse

from tests import factories
from tests.browser.conftest import BROWSER, PHONE, new_context, screenshot, sign_in
from tests.browser.test_ministry_journey import make_province_data, publish_2019

pytestmark = BROWSER

DAY = datetime.date(2024, 5, 6)


@pytest.fixture
def phone(chromium):
    context = new_context(chromium, viewport=PHONE, locale="vi-VN", service_workers="block")
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def make_quarter_data(site):
    """Four people met in May 2024, all with a need; three of them referred: 75.0 %."""
    for n in range(4):
        person = factories.ParticipantFactory()
        factories.ContactFactory(participant=person, site=site, date=DAY, needs=["health_check"])
        if n < 3:
            factories.ReferralFactory(participant=person, site=site, date=DAY)


def assert_on_first_screen(page, locator):
    box = locator.bounding_box()
    assert box is not None and locator.is_visible()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box


@pytest.mark.parametrize(
    ("published", "period", "figure"),
    [
        # Nothing published, data only in the second quarter of 2024 (today is later).
        (False, "Quý 2/2024", "75,0 %"),
        # The year 2019 published: 10 of the 11 people with a need referred
        # (test_ministry_journey.NATIONAL).
        (True, "Năm 2019", "90,9 %"),
    ],
)
def test_the_ministrys_first_screen_shows_the_figures(
    live_server, phone, ministry, site_hn, published, period, figure
):
    if published:
        make_province_data()
        publish_2019(ministry)
    else:
        make_quarter_data(site_hn)
    page = phone
    sign_in(page, live_server, "ministry")
    page.goto(live_server.url + reverse("reports:dashboard"))
    assert page.get_by_test_id("period").inner_text() == period
    headline = page.get_by_test_id("referred-pct")
    assert headline.inner_text() == figure
    assert_on_first_screen(page, headline)
    screenshot(page, f"ministry-phone-{'release' if published else 'provisional'}")

    # The filters: one line naming the period shown, on the first screen; opened, the choices.
    filters = page.get_by_test_id("report-filters")
    summary = filters.locator("summary")
    assert_on_first_screen(page, summary)
    assert filters.get_by_test_id("filters-current").inner_text() == period
    period_choice = filters.get_by_label("Kỳ báo cáo", exact=True)
    assert not period_choice.is_visible()
    summary.click()
    assert period_choice.is_visible()
    assert filters.get_by_role("button", name="Xem").is_visible()
    # Another period from the filters: the year 2024 shows the same people.
    period_choice.select_option("year")
    filters.get_by_label("Năm", exact=True).fill("2024")
    with page.expect_navigation():
        filters.get_by_role("button", name="Xem").click()
    assert page.get_by_test_id("period").inner_text() == "Năm 2024"
    if not published:
        assert page.get_by_test_id("referred-pct").inner_text() == figure
