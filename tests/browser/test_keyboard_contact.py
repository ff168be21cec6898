"""The leader logs a contact with the keyboard alone (Tab, Space, Enter; no pointer): every
control of the phone form is reachable, shows where the focus is, and submits."""

from django.urls import reverse

from participants.models import Contact
from tests import factories
from tests.browser.conftest import BROWSER, screenshot, sign_in

pytestmark = BROWSER

IS_FOCUSED = "selector => document.activeElement && document.activeElement.matches(selector)"
FOCUS_RING = """selector => {
    const input = document.querySelector(selector);
    const label = document.querySelector(`label[for="${input.id}"]`);
    const style = getComputedStyle(label);
    return style.boxShadow !== 'none' || style.outlineStyle !== 'none';
}"""


def tab_to(page, selector, limit=40):
    """Press Tab until the control matching `selector` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(IS_FOCUSED, selector):
            return
    raise AssertionError(f"{selector} never got the focus after {limit} presses of Tab")


def test_leader_logs_a_contact_with_the_keyboard_only(live_server, phone_page, leader, site_hn):
    participant = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=participant, site=site_hn, peer_group=leader.peer_group)
    page = phone_page
    sign_in(page, live_server, "leader")
    page.goto(live_server.url + reverse("participants:contact_new"))

    tab_to(page, "input[name=participant_code]")
    page.keyboard.type(participant.code)
    for need in ("health_check", "vocational_training"):
        box = f"input[name=needs][value={need}]"
        tab_to(page, box)
        assert page.evaluate(FOCUS_RING, box), f"no visible focus on {need}"
        page.keyboard.press("Space")
        assert page.locator(box).is_checked()
    tab_to(page, "form[data-testid=contact-form] button[type=submit]")
    screenshot(page, "contact-keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    saved = page.get_by_test_id("contact-saved")
    assert saved.is_visible()
    assert participant.code in saved.inner_text()
    assert "Khám sức khỏe, Học nghề" in saved.inner_text()
    contact = Contact.objects.get()
    assert (contact.participant, sorted(contact.needs), contact.peer_group) == (
        participant,
        ["health_check", "vocational_training"],
        leader.peer_group,
    )
    assert contact.kind == Contact.Kind.OUTREACH
