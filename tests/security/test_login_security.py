"""Login throttling and lock-out (django-axes), session expiry after inactivity, strong
passwords."""

import datetime
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityEvent

PASSWORD = "Mat-khau-thu-nghiem-2025"


def attempt(client, username, password, ip="127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def signed_in_as(client):
    response = client.get(reverse("home"))
    return response.status_code == 200 and response.wsgi_request.user.get_username()


@pytest.mark.django_db
def test_five_failures_lock_the_username_from_that_address(client, officer_hn):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = attempt(client, "officer_hn", "sai-mat-khau")
        assert response.status_code == 200  # the form again, with an error
    response = attempt(client, "officer_hn", "sai-mat-khau")
    assert response.status_code == 429
    content = response.content.decode()
    assert "Tài khoản tạm bị khoá" in content and "30 phút" in content
    # Locked: even the right password is refused now, and nobody is signed in.
    response = attempt(client, "officer_hn", PASSWORD)
    assert response.status_code == 429
    assert not signed_in_as(client)
    assert ActivityEvent.objects.filter(kind="login").count() == 0
    assert ActivityEvent.objects.filter(kind="login_failed", what="officer_hn").count() >= 5


@pytest.mark.django_db
def test_a_made_up_username_longer_than_any_account_is_a_failed_sign_in(client, officer_hn):
    # Found by the fuzz test on PostgreSQL: 300 letters broke the throttle's record (a 500).
    response = attempt(client, "Đ" * 300, "0")
    assert response.status_code == 200  # the form again, with an error
    assert not signed_in_as(client)
    (recorded,) = AccessAttempt.objects.values_list("username", flat=True)
    assert recorded == "Đ" * 150


@pytest.mark.django_db
def test_lockout_is_keyed_by_username_and_address(client, officer_hn, officer_ct):
    for _ in range(5):
        attempt(client, "officer_hn", "wrong", ip="10.0.0.1")
    assert attempt(client, "officer_hn", PASSWORD, ip="10.0.0.1").status_code == 429
    # Another user from the same address, and the same user from another address, still get in.
    response = attempt(client, "officer_ct", PASSWORD, ip="10.0.0.1")
    assert response.status_code == 302
    client.logout()
    response = attempt(client, "officer_hn", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    assert signed_in_as(client) == "officer_hn"


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(client, officer_hn):
    for _ in range(5):
        attempt(client, "officer_hn", "wrong")
    assert attempt(client, "officer_hn", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=31))
    response = attempt(client, "officer_hn", PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == "officer_hn"


@pytest.mark.django_db
def test_a_success_resets_the_failure_count(client, officer_hn):
    for _ in range(4):
        attempt(client, "officer_hn", "wrong")
    assert attempt(client, "officer_hn", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "officer_hn", "wrong").status_code == 200
    assert attempt(client, "officer_hn", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(client, officer_hn):
    """With no trusted proxy configured, X-Forwarded-For is ignored: changing it on every try
    does not give a fresh count."""
    for n in range(5):
        client.post(
            reverse("login"),
            {"username": "officer_hn", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    assert attempt(client, "officer_hn", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_behind_a_trusted_proxy_the_forwarded_address_is_used(client, officer_hn, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "officer_hn", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="forged, 198.51.100.7",
            REMOTE_ADDR="127.0.0.1",
        )
    locked = client.post(
        reverse("login"),
        {"username": "officer_hn", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert locked.status_code == 429
    other = client.post(
        reverse("login"),
        {"username": "officer_hn", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 302


def _expire_date(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


@pytest.mark.django_db
def test_session_expires_after_30_minutes_without_activity(client, officer_hn):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert attempt(client, "officer_hn", PASSWORD).status_code == 302
    start = timezone.now()
    with mock.patch(
        "django.utils.timezone.now", return_value=start + datetime.timedelta(minutes=31)
    ):
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_each_request_pushes_the_expiry_forward(client, officer_hn):
    assert attempt(client, "officer_hn", PASSWORD).status_code == 302
    start = timezone.now()
    first_expiry = _expire_date(client)
    # Active every 20 minutes for an hour: never signed out.
    for minutes in (20, 40, 60):
        with mock.patch(
            "django.utils.timezone.now", return_value=start + datetime.timedelta(minutes=minutes)
        ):
            assert client.get(reverse("home")).status_code == 200
    assert _expire_date(client) >= first_expiry + datetime.timedelta(minutes=59)
    with mock.patch(
        "django.utils.timezone.now", return_value=start + datetime.timedelta(minutes=91)
    ):
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize(
    "password",
    ["short1!", "1234567890123", "password123", "matkhau", "officer_hn2025", "qwertyuiop"],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(password, officer_hn):
    with pytest.raises(ValidationError):
        validate_password(password, user=officer_hn)


@pytest.mark.django_db
def test_a_strong_password_is_accepted(officer_hn):
    validate_password("Gió-mùa-Đông-Bắc-2025!", user=officer_hn)


@pytest.mark.django_db
def test_password_change_refuses_a_weak_password_and_keeps_the_old_one(client, officer_hn):
    client.force_login(officer_hn)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    officer_hn.refresh_from_db()
    assert officer_hn.check_password(PASSWORD)
