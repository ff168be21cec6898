"""A peer-group leader on a 360×740 phone enrols a new participant by UIC, logs a contact with two
needs, refers them, and sees it all on the group's summary and contact list — in Vietnamese and
again in English."""

import pytest
from django.urls import reverse

from participants.models import Contact, Participant
from referrals.models import Referral
from tests.browser.conftest import BROWSER, sign_in
from tests.browser.tour import LANGUAGES, Tour

pytestmark = BROWSER


@pytest.mark.parametrize("language", LANGUAGES)
def test_leader_enrols_contacts_and_refers_on_a_phone(
    live_server, phone_page, leader, provider_hn, language
):
    page = phone_page
    tour = Tour(
        page,
        language,
        data_words=("Sao đêm", "Hoàng Mai", provider_hn.name, "Hà Nội"),
    )
    t = tour.t
    page.goto(f"{live_server.url}/login/")
    tour.switch_language()
    sign_in(page, live_server, "leader")
    tour.check("leader-home")

    # Enrol: the UIC questions, then the computed code read back before saving.
    page.goto(live_server.url + reverse("participants:enrol"))
    assert page.get_by_role("heading", name=t("Ghi danh người tham gia", "Enrol a participant"))
    tour.check("enrol")
    page.get_by_label(t("Tên của mẹ", "Mother's given name")).fill("Nguyễn Thị Lan")
    page.get_by_label(t("Tên của cha", "Father's given name")).fill("Trần Văn Hùng")
    page.get_by_label(t("Ngày sinh", "Date of birth")).fill("1995-07-03")
    page.get_by_label(t("Nữ", "Female"), exact=True).check()
    page.get_by_label(t("Tình trạng cư trú", "Residence status")).select_option("permanent")
    page.get_by_label(
        t(
            "Người tham gia đã được giải thích và đồng ý tham gia",
            "The participant has been informed and consents to take part",
        )
    ).check()
    with page.expect_navigation():
        page.get_by_role("button", name=t("Tiếp tục: xem mã UIC", "Continue: see the UIC")).click()
    assert page.get_by_test_id("uic").inner_text().strip() == "LAHU030795F"
    tour.check("enrol-confirm")
    with page.expect_navigation():
        page.get_by_role("button", name=t("Đúng, ghi danh", "Correct, enrol")).click()
    participant = Participant.objects.get()
    assert participant.enrolments.get().peer_group == leader.peer_group
    assert page.get_by_role("alert").filter(has_text=participant.code).is_visible()
    tour.check("participant-detail")

    # A contact with two needs, found by the participant's display code.
    page.goto(live_server.url + reverse("participants:contact_new"))
    tour.check("contact-new")
    page.get_by_label(t("Mã người tham gia", "Participant code")).fill(participant.code)
    needs = page.get_by_role("group", name=t("Nhu cầu phát hiện", "Needs identified"))
    for need in (t("Khám sức khỏe", "Health check"), t("Học nghề", "Vocational training")):
        needs.get_by_text(need, exact=True).click()
        assert needs.get_by_label(need, exact=True).is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name=t("Lưu lần tiếp cận", "Save contact")).click()
    saved = page.get_by_test_id("contact-saved")
    assert participant.code in saved.inner_text()
    assert t("Khám sức khỏe, Học nghề", "Health check, Vocational training") in saved.inner_text()
    contact = Contact.objects.get()
    assert sorted(contact.needs) == ["health_check", "vocational_training"]
    assert contact.peer_group == leader.peer_group
    tour.check("contact-saved")

    # The referral, straight from the confirmation.
    with page.expect_navigation():
        page.get_by_role("link", name=t("Chuyển gửi", "Refer") + f" {participant.code}").click()
    assert participant.code in page.get_by_test_id("participant").inner_text()
    tour.check("referral-new")
    tour.field("Dịch vụ", "Service").select_option("health_check")
    tour.field("Cơ sở cung cấp dịch vụ", "Service provider").select_option(label=provider_hn.name)
    page.get_by_label(
        t(
            "Người tham gia đồng ý chia sẻ thông tin với cơ sở dịch vụ",
            "The participant agrees to share their information with the service provider",
        )
    ).check()
    # The offline queue first asks whether the session is alive: wait for the page it opens.
    with page.expect_navigation():
        page.get_by_role("button", name=t("Lưu chuyển gửi", "Save referral")).click()
    assert (
        page.get_by_role("alert")
        .filter(has_text=t("Đã ghi nhận chuyển gửi.", "The referral was recorded."))
        .is_visible()
    )
    referral = Referral.objects.get()
    assert (referral.participant, referral.service, referral.provider) == (
        participant,
        "health_check",
        provider_hn,
    )
    assert referral.peer_group == leader.peer_group
    shown = page.get_by_test_id("referral").inner_text()
    assert participant.code in shown and provider_hn.name in shown
    tour.check("referral-detail")

    # The group's summary counts them.
    page.goto(live_server.url + reverse("reports:dashboard"))
    assert page.get_by_role(
        "heading", name=t("Kết quả nhóm Sao đêm", "Results of group Sao đêm")
    ).is_visible()
    assert page.get_by_test_id("group-reached").inner_text().strip() == "1"
    assert page.get_by_test_id("group-need").inner_text().strip() == "1"
    assert page.get_by_test_id("group-referred").inner_text().strip() == "1"
    tour.check("group-dashboard")

    # And the group's contact list shows the contact with its needs.
    page.goto(live_server.url + reverse("participants:contact_list"))
    row = page.get_by_test_id("rows").locator("tbody tr").filter(has_text=participant.code)
    assert row.count() == 1
    assert t("Khám sức khỏe", "Health check") in row.inner_text()
    assert t("Học nghề", "Vocational training") in row.inner_text()
    tour.check("contact-list")
    tour.assert_clean()
