"""Optional TOTP second factor for ministry and administrator accounts."""

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ActivityEvent

PASSWORD = "Mat-khau-thu-nghiem-2025"


def current_code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def password_login(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def confirmed(user):
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.django_db
def test_setup_shows_a_qr_code_and_confirms_with_a_code(client, ministry):
    client.force_login(ministry)
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'src="data:image/svg+xml' in content
    device = TOTPDevice.objects.get(user=ministry)
    assert not device.confirmed
    assert response.context["secret"] in content
    assert response.context["otpauth"].startswith("otpauth://totp/")

    response = client.post(reverse("otp_setup"), {"token": "000000"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    device.refresh_from_db()
    assert not device.confirmed

    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(reverse("otp_setup"), {"token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # Turning it on verifies this session: no extra prompt right away.
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_a_user_with_a_device_must_enter_a_code_after_the_password(client, admin_user):
    device = confirmed(admin_user)
    response = password_login(client, "admin")
    assert response.status_code == 302
    # Every page, the admin site included, sends them to the code page until they pass it.
    for url in (reverse("home"), reverse("audit_log"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("otp_verify")), url

    response = client.post(reverse("otp_verify"), {"token": "123456", "next": "/audit/"})
    assert response.status_code == 200
    assert "Mã xác thực không đúng" in response.content.decode()
    assert ActivityEvent.objects.filter(kind="login_failed", what="otp").count() == 1
    assert client.get(reverse("home")).status_code == 302

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post(
        reverse("otp_verify"), {"token": current_code(device), "next": reverse("audit_log")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("audit_log")
    assert client.get(reverse("audit_log")).status_code == 200


@pytest.mark.django_db
def test_the_verify_page_refuses_an_outside_next_url(client, admin_user):
    device = confirmed(admin_user)
    password_login(client, "admin")
    response = client.post(
        reverse("otp_verify"), {"token": current_code(device), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_a_new_password_login_asks_again(client, admin_user):
    device = confirmed(admin_user)
    password_login(client, "admin")
    client.post(reverse("otp_verify"), {"token": current_code(device)})
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    password_login(client, "admin")
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_users_without_a_device_are_not_asked(client, ministry):
    password_login(client, "ministry")
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("otp_verify")).status_code == 302


@pytest.mark.django_db
def test_logout_works_while_the_code_is_pending(client, admin_user):
    confirmed(admin_user)
    password_login(client, "admin")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_turning_it_off_needs_a_current_code(client, ministry):
    device = confirmed(ministry)
    password_login(client, "ministry")
    client.post(reverse("otp_verify"), {"token": current_code(device)})
    response = client.post(reverse("otp_setup"), {"token": "abcdef"})
    assert response.status_code == 200
    assert TOTPDevice.objects.filter(user=ministry, confirmed=True).exists()
    device.refresh_from_db()
    response = client.post(reverse("otp_setup"), {"token": current_code(device, offset=30)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=ministry).exists()


@pytest.mark.django_db
def test_only_ministry_and_admin_accounts_get_the_setup_page(client, officer_hn, leader):
    for user in (officer_hn, leader):
        client.force_login(user)
        assert client.get(reverse("otp_setup")).status_code == 403
