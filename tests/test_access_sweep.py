"""Every URL, as anonymous and as every persona, with GET and POST: a view answers only the
roles it declares; everyone else gets 403 (or the login page when signed out)."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from accounts.access import PUBLIC
from config import urls as project_urls
from tests.urlsweep import undeclared, walk


def test_every_view_declares_who_may_use_it():
    assert undeclared() == []


def test_the_sweep_reaches_the_app_pages():
    names = {route.name for route in walk()}
    assert {"home", "login", "password_change"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_url_as_every_role(client, personas, method):
    failures = []
    for route in walk():
        rule = route.rule
        client.logout()
        response = getattr(client, method)(route.path)
        if rule == PUBLIC:
            if response.status_code >= 500:
                failures.append(f"anonymous {method} {route.path}: {response.status_code}")
        elif not (response.status_code == 302 and "/login/" in response["Location"]):
            failures.append(f"anonymous {method} {route.path}: {response.status_code}")
        for label, user in personas.items():
            client.force_login(user)
            status = getattr(client, method)(route.path).status_code
            allowed = rule == PUBLIC or user.role in rule
            if allowed and (status == 403 or status >= 500):
                failures.append(f"{label} {method} {route.path}: {status}, expected access")
            if not allowed and status != 403:
                failures.append(f"{label} {method} {route.path}: {status}, expected 403")
    assert failures == []


def undeclared_view(request):
    return HttpResponse("this view forgot to say who may use it")


urlpatterns = [path("forgot/", undeclared_view, name="forgot"), *project_urls.urlpatterns]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_view_without_an_access_rule_is_refused_and_flagged(client, admin_user, officer_hn):
    """What happens when someone adds a view and forgets `allow()`: the sweep lists it and the
    middleware refuses it to everyone, administrators included."""
    assert [route.name for route in undeclared(__name__)] == ["forgot"]
    assert client.get("/forgot/").status_code == 403
    for user in (admin_user, officer_hn):
        client.force_login(user)
        assert client.get("/forgot/").status_code == 403
