"""A peer leader on a 360×740 phone works with no network: contacts and an enrolment wait in the
phone's queue, encrypted, survive a reload, and reach the database exactly once when the network
comes back — also when the session ended meanwhile. What waits on the phone is unreadable."""

import datetime
import json
import re

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from offline.models import Submission
from participants.models import Contact, Participant
from tests import factories
from tests.browser.conftest import (
    BROWSER,
    bounded,
    open_menu,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)

pytestmark = BROWSER

MOTHER, FATHER, BIRTH = "Nguyễn Thị Quyên", "Trần Văn Khôi", "1995-07-03"
UIC = "QUKH030795F"  # QU (Quyên) + KH (Khôi) + 03/07/95 + F, by hand


FIELD_PAGES = (
    "home",
    "sites:peergroup_mine",
    "referrals:referral_new",
    "participants:enrol",
    "participants:contact_new",
)


def url(live_server, name):
    return live_server.url + reverse(name)


def enrolled(site, group):
    participant = factories.ParticipantFactory(province=site.province.current)
    factories.EnrolmentFactory(participant=participant, site=site, peer_group=group)
    return participant


def until_the_worker_controls(page):
    # (wait_for_function would poll with eval(), which the site's CSP refuses.)
    bounded(
        page,
        """() => navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller
            || new Promise((resolve) => navigator.serviceWorker.addEventListener(
                "controllerchange", resolve)))""",
    )


def queue(page):
    """What the phone's queue holds, exactly as stored (IndexedDB)."""
    return bounded(page, "window.PCMDOffline.items()")


def badge(page):
    return page.locator("[data-offline-badge]")


def expect_waiting(page, count):
    """The header's count says `count` items wait (the page draws it once IndexedDB answers)."""
    badge(page).filter(has_text=f"{count} mục chờ gửi").wait_for()


def log_contact(page, *, waiting, code=None, answers=False):
    if code:
        page.get_by_label("Mã người tham gia").fill(code)
    if answers:
        page.get_by_text("Không nhớ mã? Tìm bằng câu hỏi UIC").click()
        fill_answers(page)
    page.get_by_role("group", name="Nhu cầu phát hiện").get_by_text("Khám sức khỏe").click()
    page.get_by_role("button", name="Lưu lần tiếp cận").click()
    expect_waiting(page, waiting)


def fill_answers(page):
    page.get_by_label("Tên của mẹ").fill(MOTHER)
    page.get_by_label("Tên của cha").fill(FATHER)
    page.get_by_label("Ngày sinh").fill(BIRTH)
    page.get_by_label("Nữ", exact=True).check()


def expect_status(page, text):
    page.locator("[data-offline-status]").filter(has_text=text).wait_for()


def enrol_offline(page, live_server, *, waiting):
    page.goto(url(live_server, "participants:enrol"))
    fill_answers(page)
    page.get_by_label("Tình trạng cư trú").select_option("temporary")
    page.get_by_label("Người tham gia đã được giải thích và đồng ý tham gia").check()
    page.get_by_role("button", name="Tiếp tục: xem mã UIC").click()
    expect_waiting(page, waiting)


def go_offline_with_the_field_pages(page, live_server):
    until_the_worker_controls(page)
    for name in FIELD_PAGES:
        page.goto(url(live_server, name))
    page.context.set_offline(True)


def test_contacts_logged_offline_reach_the_database_once(
    live_server, phone_page, leader, site_hn, group_hn
):
    page = phone_page
    first, second = enrolled(site_hn, group_hn), enrolled(site_hn, group_hn)
    sign_in(page, live_server, "leader")
    go_offline_with_the_field_pages(page, live_server)

    # Every field page opens with no network; a page never opened says so.
    for name, heading in (
        ("home", "Xin chào, leader"),
        ("sites:peergroup_mine", "Sao đêm"),
        ("referrals:referral_new", "Chuyển gửi mới"),
        ("participants:enrol", "Ghi danh người tham gia"),
        ("participants:contact_new", "Ghi nhận tiếp cận"),
        ("participants:participant_list", "Chưa có mạng"),
    ):
        page.goto(url(live_server, name))
        assert page.get_by_role("heading", level=1).inner_text().startswith(heading), name

    # Three contacts and an enrolment, with no network: two people found by their code, a new
    # person enrolled and then found by the same answers.
    page.goto(url(live_server, "participants:contact_new"))
    log_contact(page, code=first.code, waiting=1)
    expect_status(page, "Chưa gửi được vì mất mạng: đã lưu vào hàng chờ trên máy (đã mã hoá).")
    log_contact(page, code=second.code, waiting=2)
    enrol_offline(page, live_server, waiting=3)
    page.goto(url(live_server, "participants:contact_new"))
    log_contact(page, answers=True, waiting=4)
    screenshot(page, "offline-queue")
    assert Contact.objects.count() == 0

    # Reloaded, still offline: the page comes from the phone and the queue is still there.
    page.reload()
    expect_waiting(page, 4)
    waiting = queue(page)
    assert [item["kind"] for item in waiting] == ["contact", "contact", "enrolment", "contact"]
    assert {item["state"] for item in waiting} == {"waiting"}

    # Online again: everything is sent, each once.
    page.context.set_offline(False)
    expect_status(page, "Đã gửi xong. Được ghi nhận: 4. Bị từ chối: 0.")
    assert badge(page).is_hidden()
    new = Participant.objects.exclude(pk__in=[first.pk, second.pk]).get()
    assert new.person.uic_hash == factories.uic_hash(UIC)
    assert sorted(Contact.objects.values_list("participant_id", flat=True)) == sorted(
        [first.pk, second.pk, new.pk]
    )
    assert set(Contact.objects.values_list("peer_group_id", flat=True)) == {group_hn.pk}
    assert all(contact.needs == ["health_check"] for contact in Contact.objects.all())
    assert Submission.objects.filter(user=leader, status="accepted").count() == 4
    assert {item["state"] for item in queue(page)} == {"sent"}

    # The same queue sent again (an answer lost on the way): nothing new is written.
    bounded(
        page,
        "async (items) => { for (const item of items) {"
        "  await new Promise((resolve) => { const open = indexedDB.open('pcmd-offline');"
        "    open.onsuccess = () => { const tx = open.result.transaction('items', 'readwrite');"
        "      tx.objectStore('items').put(item); tx.oncomplete = resolve; }; }); } }",
        waiting,
    )
    page.reload()
    expect_status(page, "Đã gửi xong. Được ghi nhận: 4. Bị từ chối: 0.")
    assert Contact.objects.count() == 3
    assert Participant.objects.count() == 3
    assert Submission.objects.count() == 4


def test_a_new_person_logged_offline_through_the_contact_form_exists_once(
    live_server, phone_page, leader, site_hn, group_hn
):
    """Offline, the contact form asks the new-person questions on the same page; online, the
    person and the contact are recorded once. A refused item names its person, says what to do
    and, when nothing can lift the refusal, is not offered for sending again."""
    page = phone_page
    member = enrolled(site_hn, group_hn)
    # Already met today: a contact logged for them offline is refused as a second one.
    factories.ContactFactory(
        participant=member, date=timezone.localdate(), site=site_hn, peer_group=group_hn
    )
    sign_in(page, live_server, "leader")
    go_offline_with_the_field_pages(page, live_server)
    page.goto(url(live_server, "participants:contact_new"))
    page.get_by_text("Không nhớ mã? Tìm bằng câu hỏi UIC").click()
    fill_answers(page)
    new_person = page.get_by_test_id("offline-new-person")
    new_person.wait_for()
    new_person.get_by_text("Không đăng ký cư trú").click()
    new_person.get_by_label("Người tham gia đã được giải thích và đồng ý tham gia").check()
    page.get_by_role("group", name="Nhu cầu phát hiện").get_by_text("Khám sức khỏe").click()
    page.get_by_role("button", name="Lưu lần tiếp cận").click()
    expect_waiting(page, 1)
    assert new_person.is_hidden()  # nothing typed stays on the page
    log_contact(page, code=member.code, waiting=2)
    stored = json.dumps(queue(page), ensure_ascii=False)
    assert UIC not in stored and member.code not in stored

    page.context.set_offline(False)
    expect_status(page, "Được ghi nhận: 1. Bị từ chối: 1.")
    new = Participant.objects.exclude(pk=member.pk).get()
    assert new.person.uic_hash == factories.uic_hash(UIC)
    assert (new.residence, new.category, new.birth_year) == ("none", "sex_worker", 1995)
    assert new.enrolments.get().peer_group == group_hn
    contact = Contact.objects.get(participant=new)
    assert (contact.date, contact.needs) == (timezone.localdate(), ["health_check"])
    assert Contact.objects.filter(participant=member).count() == 1

    refused = page.locator("[data-offline-item=refused]")
    text = refused.inner_text()
    assert member.code in text
    assert "đã được ghi nhận trước đó" in text
    assert "Mục này không gửi lại được. Việc cần làm: nhập lại cho người này" in text
    assert refused.get_by_role("button", name="Gửi lại").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "offline-new-person")

    # Sent again (an answer lost on the way): nothing is written twice.
    page.reload()
    page.wait_for_load_state("networkidle")
    assert (Participant.objects.count(), Contact.objects.count()) == (2, 2)


def test_after_the_session_expires_signing_in_again_sends_what_waits(
    live_server, phone_page, leader, site_hn, group_hn
):
    page = phone_page
    participant, other = enrolled(site_hn, group_hn), enrolled(site_hn, group_hn)
    sign_in(page, live_server, "leader")
    go_offline_with_the_field_pages(page, live_server)
    page.goto(url(live_server, "participants:contact_new"))
    log_contact(page, code=participant.code, waiting=1)

    # The 30 minutes pass while the leader is out of signal.
    Session.objects.all().delete()
    page.context.set_offline(False)
    expect_status(page, "Phiên đăng nhập đã hết hạn")
    # Back in signal, a contact submitted before signing in again is kept, not lost.
    log_contact(page, code=other.code, waiting=2)
    expect_status(page, "Phiên đăng nhập đã hết hạn: đã lưu vào hàng chờ trên máy (đã mã hoá).")
    assert "/login/" not in page.url
    assert Contact.objects.count() == 0
    page.get_by_role("link", name="Đăng nhập lại").click()
    page.wait_for_url(re.compile(r"/login/"))
    page.get_by_label(re.compile("Tên đăng nhập")).fill("leader")
    page.get_by_label(re.compile("Mật khẩu")).fill("Mat-khau-thu-nghiem-2025")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/participants/contacts/new/"))
    expect_status(page, "Đã gửi xong. Được ghi nhận: 2. Bị từ chối: 0.")
    assert sorted(Contact.objects.values_list("participant_id", "recorded_by_id")) == sorted(
        [(participant.pk, leader.pk), (other.pk, leader.pk)]
    )


def test_what_waits_on_the_phone_is_unreadable(
    live_server, phone_page, leader, site_hn, group_hn, site_ct
):
    page = phone_page
    participant = enrolled(site_hn, group_hn)
    elsewhere = enrolled(site_ct, None)
    sign_in(page, live_server, "leader")
    go_offline_with_the_field_pages(page, live_server)
    page.goto(url(live_server, "participants:contact_new"))

    # Look-up offline: the group's codes are on the phone, codes only.
    code = page.get_by_label("Mã người tham gia")
    code.fill(participant.code.lower().replace("-", ""))
    page.get_by_text("Mã có trong danh sách của nhóm.").wait_for()
    code.fill(elsewhere.code)
    page.get_by_text("Mã này không có trong danh sách của nhóm đã lưu trên máy.").wait_for()
    kept = bounded(
        page,
        "window.PCMDOffline.codes(document.querySelector('[data-offline-queue]')"
        ".dataset.offlineUser)",
    )
    assert kept["codes"] == [participant.code]
    assert set(kept) == {"name", "owner", "codes", "fetched"}
    code.fill("")

    log_contact(page, code=participant.code, waiting=1)
    log_contact(page, answers=True, waiting=2)
    enrol_offline(page, live_server, waiting=3)

    stored = json.dumps(queue(page), ensure_ascii=False)
    for secret in (UIC, MOTHER, FATHER, "Quyên", "Khôi", BIRTH, participant.code):
        assert secret not in stored, f"{secret!r} is readable on the phone"
        assert secret.upper() not in stored.upper()
    for item in queue(page):
        assert set(item) == {
            "id",
            "kind",
            "owner",
            "created",
            "state",
            "errors",
            "kid",
            "key",
            "iv",
            "data",
        }


def sign_out(page):
    button = page.get_by_role("button", name="Đăng xuất")
    if not button.is_visible():
        open_menu(page)
    button.click()


def test_conflicts_are_shown_and_signing_out_warns_before_anything_is_lost(
    live_server, phone_page, leader, site_hn, group_hn
):
    page = phone_page
    kept, withdrawn = enrolled(site_hn, group_hn), enrolled(site_hn, group_hn)
    sign_in(page, live_server, "leader")
    go_offline_with_the_field_pages(page, live_server)
    page.goto(url(live_server, "participants:contact_new"))
    log_contact(page, code=withdrawn.code, waiting=1)
    log_contact(page, code=kept.code, waiting=2)

    # Meanwhile the province records that one of them withdrew yesterday.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Participant.objects.filter(pk=withdrawn.pk).update(withdrawn_on=yesterday)
    page.context.set_offline(False)
    expect_status(page, "Được ghi nhận: 1. Bị từ chối: 1.")
    refused = page.locator("[data-offline-item=refused]")
    assert "đã rút khỏi chương trình" in refused.inner_text()
    assert badge(page).inner_text().strip().endswith("⚠ 1 mục bị từ chối")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "offline-refused")
    page.get_by_role("link", name="Kết quả các mục đã gửi").click()
    row = page.get_by_test_id("submission").filter(has_text="Bị từ chối")
    assert withdrawn.code in row.inner_text()
    assert "đã rút khỏi chương trình" in row.inner_text()
    assert Contact.objects.get().participant == kept

    # The server cannot be reached: a contact waits, and signing out asks first. (The network is
    # cut as well as the route: a route alone can miss a request its service worker makes.)
    page.goto(url(live_server, "participants:contact_new"))
    # (on the context: the page's own routes miss what passes its service worker)
    page.context.route("**/offline/sync/", lambda route: route.abort())
    page.context.set_offline(True)
    log_contact(page, code=kept.code, waiting=1)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    # Signing out first tries to send (for at most 10 seconds), then asks. On a loaded machine a
    # tap can land while the page is still redrawing the queue and be lost; tapping again is what
    # a person would do. Never is the user signed out without the question.
    for _tap in range(3):
        sign_out(page)
        for _ in range(150):
            if asked:
                break
            page.wait_for_timeout(100)
        assert "/login/" not in page.url, "signed out with an item waiting, without asking"
        if asked:
            break
    assert asked, "signing out with an item waiting did not ask first"
    assert "1 mục chưa gửi được" in asked[0]
    assert "/login/" not in page.url
    assert [item["state"] for item in queue(page)].count("waiting") == 1

    page.context.set_offline(False)  # the sign-out page itself must be reachable
    page.once("dialog", lambda dialog: dialog.accept())
    sign_out(page)
    page.wait_for_url(re.compile(r"/login/"))
    assert queue(page) == []


def test_another_user_on_the_same_phone_neither_sends_nor_silently_drops_what_waits(
    live_server, phone_page, leader, leader_ct, site_hn, group_hn
):
    page = phone_page
    participant = enrolled(site_hn, group_hn)
    sign_in(page, live_server, "leader")
    go_offline_with_the_field_pages(page, live_server)
    page.goto(url(live_server, "participants:contact_new"))
    log_contact(page, code=participant.code, waiting=1)
    Session.objects.all().delete()
    page.context.set_offline(False)
    expect_status(page, "Phiên đăng nhập đã hết hạn")

    page.goto(url(live_server, "login"))
    expect_status(page, "Máy này có 1 mục đang chờ gửi. Hãy đăng nhập để gửi.")
    sign_in(page, live_server, "leader_ct")
    expect_status(page, "Máy này còn 1 mục chưa gửi của một tài khoản khác.")
    page.wait_for_load_state("networkidle")  # what the page sends on opening has been sent
    assert Contact.objects.count() == 0 and Submission.objects.count() == 0
    owners = bounded(
        page,
        "caches.open('pcmd-pages').then((cache) => cache.keys().then((keys) => Promise.all("
        "keys.map((key) => cache.match(key).then((r) => r.headers.get('X-Pcmd-Owner'))))))",
    )
    assert owners and set(owners) == {str(leader_ct.pk)}  # the first leader's pages are gone

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Xoá các mục của tài khoản khác").click()
    for _ in range(100):
        if not queue(page):
            break
        page.wait_for_timeout(100)
    assert queue(page) == []
    assert Contact.objects.count() == 0


def test_six_refused_items_leave_the_contact_form_on_the_first_screen(
    live_server, phone_page, leader, group_hn
):
    page = phone_page
    sign_in(page, live_server, "leader")
    page.goto(url(live_server, "participants:contact_new"))
    bounded(
        page,
        """async () => {
            const panel = document.querySelector('[data-offline-queue]').dataset;
            const server = {key: panel.key, kid: panel.kid};
            for (let i = 0; i < 6; i += 1) {
                const item = await window.PCMDOffline.add(
                    'contact', [['participant_code', 'P-ABC123' + i]], panel.offlineUser, server);
                await new Promise((resolve) => {
                    const open = indexedDB.open('pcmd-offline');
                    open.onsuccess = () => {
                        const tx = open.result.transaction('items', 'readwrite');
                        tx.objectStore('items').put(Object.assign(item, {
                            state: 'refused', person: 'P-ABC123' + i, retry: false,
                            errors: ['Hình thức: Lần tiếp cận này (cùng người, ngày, địa bàn và '
                                + 'hình thức) đã được ghi nhận trước đó.']}));
                        tx.oncomplete = resolve;
                    };
                });
            }
        }""",
    )
    page.reload()
    badge(page).filter(has_text="6 mục bị từ chối").wait_for()
    assert page.locator("[data-offline-queue]").is_visible()
    top = page.evaluate(
        "document.querySelector('[data-testid=contact-form]').getBoundingClientRect().top"
    )
    screenshot(page, "offline-six-refused")
    assert top < 740 - 100, f"the contact form starts {top:.0f} px down"
