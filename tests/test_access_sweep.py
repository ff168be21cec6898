"""Every URL, as anonymous and as every persona, with GET and POST, answers what the access
table says (tests/access_table.py, written by hand from docs/design.md) — not what the view's own
`allow()` rule says. A URL name with no line in the table, or a line whose URL is gone, fails.

Ids are those of real Hà Nội records (so an allowed role reaches the page and the Cần Thơ
officer gets 404), then the placeholder id of a record that exists nowhere. Each request runs
in a savepoint that is rolled back, so every persona meets the same records."""

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from config import urls as project_urls
from tests.access_table import ASK, GET, JSON, PAGE, POST
from tests.urlsweep import one_of_each, table_lines, undeclared, walk

# The table's persona columns -> the `personas` fixture (tests/conftest.py); "anon" signs out.
USERS = {
    "min": "ministry",
    "o_hn": "officer_hn",
    "o_ct": "officer_ct",
    "lead": "leader",
    "prov": "provider_staff",
    "adm": "admin",
    "out": "outsider",
}
ANSWERS = {"ok", "go", "in", "403", "404", "ro"}
MISSING_ID = 999999


def expected(kind, answer, method, *, missing=False):
    """What `answer` of the table means for `method`, as `seen()` reports a response; `missing`:
    the id is of no record at all, so whoever gets past the role check is told 404."""
    if answer == "in":
        return "302 sign-in"
    if answer in ("go", "403"):
        return {"go": "302", "403": "403"}[answer]
    if (kind in (POST, ASK) and method == "get") or (kind == GET and method == "post"):
        return "405"
    if kind == JSON and method == "post":
        return "400"
    if missing or answer == "404":
        return "404"
    if answer == "ro":
        return "403"
    return "302" if kind == POST else "200"


def seen(response):
    """ "302 sign-in" for the sign-in page asked to come back here (a page refused to someone
    signed out), else the status code."""
    if response.status_code == 302 and response["Location"].startswith("/login/?next="):
        return "302 sign-in"
    return str(response.status_code)


class Visitor:
    """One signed-in client per persona (anonymous: none), each request in a savepoint rolled
    back afterwards: every request meets the same records and the same session."""

    def __init__(self, users):
        self.users = users
        self.clients = {}

    def client(self, persona):
        client = self.clients.get(persona)
        cookie = client and client.cookies.get(settings.SESSION_COOKIE_NAME)
        if client is None or (persona in self.users and not (cookie and cookie.value)):
            # First visit, or the logout page ended the session.
            client = self.clients[persona] = Client(raise_request_exception=False)
            if persona in self.users:
                client.force_login(self.users[persona])
        return client

    def answer(self, persona, method, url):
        client = self.client(persona)
        with transaction.atomic():
            response = getattr(client, method)(url)
            if response.streaming:
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        return seen(response)


def test_every_view_declares_who_may_use_it():
    assert undeclared() == []


def test_the_table_has_a_line_for_every_url_and_only_for_urls():
    routes = {route.name: route for route in walk()}
    lines = list(table_lines())
    listed = {name for _key, name, *_rest in lines}
    missing, gone = sorted(set(routes) - listed), sorted(listed - set(routes))
    assert not missing, f"URL names missing from tests/access_table.py: {missing}"
    assert not gone, f"lines of tests/access_table.py with no URL: {gone}"
    problems = []
    for key, name, values, kind, record, answers in lines:
        arguments = routes[name].arguments
        ids = [arg for arg, conv in arguments.items() if conv == "int"]
        texts = [arg for arg, conv in arguments.items() if conv != "int"]
        if ids != (["pk"] if record else []):
            problems.append(f"{key}: id arguments {ids}, record {record}")
        if sorted(texts) != sorted(values):
            problems.append(f"{key}: text arguments {texts}, given {sorted(values)}")
        if kind not in (PAGE, POST, GET, JSON, ASK) or not set(answers.values()) <= ANSWERS:
            problems.append(f"{key}: unknown kind or answer")
    assert problems == []


@pytest.fixture
def reporting_cycle(officer_hn, ministry, hanoi):
    """Hà Nội's 2018Q1 approved and published, its 2018Q2 submitted (the table's periods)."""
    from periods.models import ReportingPeriod
    from reports import cycle, releases

    first, second = (
        ReportingPeriod.objects.get(code="2018Q1"),
        ReportingPeriod.objects.get(code="2018Q2"),
    )
    submission = cycle.submission_submit(period=first, province=hanoi, by=officer_hn)
    cycle.submission_approve(submission=submission, by=ministry)
    releases.release_publish(period=first, provinces=[hanoi], by=ministry)
    cycle.submission_submit(period=second, province=hanoi, by=officer_hn)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_url_answers_every_persona_as_the_table_says(
    personas, site_hn, group_hn, provider_hn, reporting_cycle, method
):
    records = one_of_each(site=site_hn, group=group_hn, provider=provider_hn)
    routes = {route.name: route for route in walk()}
    visitor = Visitor({column: personas[name] for column, name in USERS.items()})
    failures = []
    for key, name, values, kind, record, answers in table_lines():
        route = routes[name]
        probes = [(route.url(**values), False)]
        if record is not None:
            probes = [
                (route.url(**values, pk=records[record].pk), False),
                (route.url(**values, pk=MISSING_ID), True),
            ]
        for url, missing in probes:
            for persona, answer in answers.items():
                if missing and answer in ("in", "403"):
                    continue  # refused before any record is looked up: seen with the real id
                want = expected(kind, answer, method, missing=missing)
                got = visitor.answer(persona, method, url)
                if got != want:
                    failures.append(f"{persona} {method.upper()} {url} ({key}): {got}, want {want}")
    assert not failures, "\n".join(failures)


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
