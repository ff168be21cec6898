"""An officer of Cần Thơ types the address of Hà Nội's records into the browser: each answers
"not found" (a 404 page that does not even say the record exists)."""

import pytest
from django.urls import reverse

from tests import factories
from tests.browser.conftest import BROWSER, sign_in
from tests.browser.tour import LANGUAGES, Tour

pytestmark = BROWSER


@pytest.mark.parametrize("language", LANGUAGES)
def test_officer_of_another_province_gets_not_found(
    live_server, desktop_page, officer_ct, site_hn, group_hn, provider_hn, language
):
    participant = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    contact = factories.ContactFactory(participant=participant, site=site_hn)
    referral = factories.ReferralFactory(participant=participant, site=site_hn)
    page = desktop_page
    tour = Tour(page, language, data_words=("Cần Thơ",))
    t = tour.t
    page.goto(f"{live_server.url}/login/")
    tour.switch_language()
    sign_in(page, live_server, "officer_ct")

    addresses = [
        reverse("participants:participant_detail", args=[participant.pk]),
        reverse("participants:contact_done", args=[contact.pk]),
        reverse("referrals:referral_detail", args=[referral.pk]),
        reverse("sites:site_detail", args=[site_hn.pk]),
        reverse("sites:peergroup_detail", args=[group_hn.pk]),
    ]
    for number, address in enumerate(addresses):
        response = page.goto(live_server.url + address)
        assert response.status == 404, address
        assert page.get_by_role("heading", name=t("Không tìm thấy", "Not found")).is_visible()
        shown = page.locator("main").inner_text()
        assert participant.code not in shown and "HN-HM-PG" not in shown
        if number == 0:
            tour.check("not-found")
    tour.assert_clean()
