"""Every role signs in through the real login form, in Vietnamese, and lands on its home page."""

from tests.browser.conftest import (
    BROWSER,
    PHONE,
    new_context,
    open_menu,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)

pytestmark = BROWSER


def test_each_role_signs_in_and_sees_its_home(live_server, desktop_page, personas):
    page = desktop_page
    page.goto(f"{live_server.url}/login/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", name="Đăng nhập").is_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "login")
    for label in ("ministry", "officer_hn", "leader", "provider_staff", "admin"):
        user = personas[label]
        sign_in(page, live_server, user.username)
        assert page.get_by_test_id("role-line").inner_text().startswith(user.get_role_display())
        assert serious_accessibility_violations(page) == [], label
        screenshot(page, f"home-{label}")
        # Signing out ends the session on the server. (Clearing the browser's cookies did not:
        # a request still under way, such as the service worker installing, brought the
        # session cookie back, and the next /login/ went to that user's home.)
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng xuất").click()
        assert page.get_by_role("heading", name="Đăng nhập").is_visible(), label


def test_wrong_password_keeps_the_user_on_the_login_page(live_server, phone_page, officer_hn):
    sign_in(phone_page, live_server, "officer_hn", password="sai-mat-khau")
    assert "/login/" in phone_page.url
    assert phone_page.locator(".alert, .invalid-feedback, .errorlist").first.is_visible()
    screenshot(phone_page, "login-error")


def test_switching_to_english(live_server, chromium, officer_hn):
    # Without the service worker: the language is the page's and the session's, and with the
    # worker installing or taking control as the page changed, the page after the click
    # sometimes did not load within 15 s (SQLite and PostgreSQL, loaded or not).
    context = new_context(chromium, viewport=PHONE, locale="vi-VN", service_workers="block")
    try:
        phone_page = context.new_page()
        sign_in(phone_page, live_server, "officer_hn")
        open_menu(phone_page)
        with phone_page.expect_navigation():
            phone_page.get_by_role("button", name="English").click()
        assert phone_page.locator("html").get_attribute("lang") == "en"
        assert phone_page.get_by_role("heading", name="Hello, officer_hn").is_visible()
    finally:
        context.close()
