"""IDOR sweep: every URL that takes a record's id is tried, as every kind of persona, with GET
and POST, with the ids of records whose province, peer group and provider are known because
the fixture built them so. What a persona may read and change is worked out from those facts
by the rule below, written from docs/design.md ("Roles and scope") — never by asking the code under
test (`visible_to`, a selector). A record the persona may not read is refused (403/404/405) and
never written; one they may read is reached (not 404); one they may not change is never written,
whatever the method.

The records: a full set in Hà Nội (site HN-HM-PG, the leader's group Sao đêm, the Hà Nội
provider), a full set in Cần Thơ (its own group and provider), the participant, contact and
referral of a second Hà Nội group at the same site, and a Cần Thơ referral sent to the Hà Nội
provider."""

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from accounts.access import allow
from accounts.models import Role
from config import urls as project_urls
from tests import factories
from tests.access_table import PAGE, POST
from tests.urlsweep import one_of_each, table_lines, walk

PROJECT_APPS = (
    "accounts",
    "programs",
    "periods",
    "sites",
    "participants",
    "referrals",
    "reports",
    "exchange",
    "offline",
)
# Views log who opened what here; that is not a change to a programme record.
NOT_RECORDS = ("accounts.activityevent",)
REFUSED = {403, 404, 405}
WRITE_RE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)

STRUCTURE = {"site", "group", "estab", "cost", "training"}
# What a peer leader reads of their own group's work (and the group and its site).
GROUP_WORK = {"site", "group", "participant", "contact", "referral"}


@dataclass(frozen=True)
class Fact:
    """What the fixture made a record with."""

    kind: str  # its name in tests/access_table.py's record column
    province: str  # GSO code of its (2025) province
    groups: frozenset = frozenset()  # codes of the peer groups whose work it is
    provider: str = ""  # a referral's provider, a provider's own name


def may_read(user, fact):
    if user.role == Role.ADMIN:
        return True
    if fact.kind == "provider":
        # The directory is national; provider staff see their own entry.
        return user.role != Role.PROVIDER or fact.provider == user.provider.name
    if user.role == Role.MINISTRY:
        return fact.kind in STRUCTURE
    if user.role == Role.OFFICER:
        return fact.province == user.province.code
    if user.role == Role.PEER_LEADER:
        return fact.kind in GROUP_WORK and user.peer_group.code in fact.groups
    if user.role == Role.PROVIDER:
        return fact.kind == "referral" and fact.provider == user.provider.name
    return False


def may_change(user, fact):
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.OFFICER:
        return fact.province == user.province.code
    if user.role == Role.PROVIDER:
        return fact.kind == "referral" and fact.provider == user.provider.name
    return False


def facts_of(records, *, province, group, site_groups, provider):
    """Facts of a `one_of_each` set made at a site of `province` by `group`."""
    mine = frozenset({group})
    made_by_group = {"group": mine, "participant": mine, "contact": mine, "referral": mine}
    made_by_group["site"] = frozenset(site_groups)
    facts = {}
    for kind, record in records.items():
        facts[record] = Fact(
            kind,
            province,
            made_by_group.get(kind, frozenset()),
            provider if kind in ("referral", "provider") else "",
        )
    return facts


@pytest.fixture
def known_records(site_hn, group_hn, provider_hn, site_ct, group_ct, cantho):
    """{record: Fact} for every record of the sweep."""
    provider_ct = factories.ProviderFactory(name="Cơ sở Cần Thơ", province=cantho)
    group_hn2 = factories.PeerGroupFactory(code="HOA-SEN", name="Hoa sen", site=site_hn)
    hanoi = one_of_each(site=site_hn, group=group_hn, provider=provider_hn)
    cantho_set = one_of_each(site=site_ct, group=group_ct, provider=provider_ct)
    facts = {
        **facts_of(
            hanoi,
            province="01",
            group="SAO-DEM",
            site_groups={"SAO-DEM", "HOA-SEN"},
            provider=provider_hn.name,
        ),
        **facts_of(
            cantho_set,
            province="92",
            group="ANH-DUONG",
            site_groups={"ANH-DUONG"},
            provider=provider_ct.name,
        ),
    }
    # The other Hà Nội group's participant, met and referred (to no provider) by that group.
    other = factories.ParticipantFactory(province=hanoi["participant"].province)
    factories.EnrolmentFactory(participant=other, site=site_hn, peer_group=group_hn2)
    hoa_sen = frozenset({"HOA-SEN"})
    facts[other] = Fact("participant", "01", hoa_sen)
    contact = factories.ContactFactory(participant=other, site=site_hn, peer_group=group_hn2)
    facts[contact] = Fact("contact", "01", hoa_sen)
    referral = factories.ReferralFactory(participant=other, site=site_hn, peer_group=group_hn2)
    facts[referral] = Fact("referral", "01", hoa_sen)
    # A Cần Thơ referral sent to the Hà Nội provider.
    sent_north = factories.ReferralFactory(
        participant=cantho_set["participant"],
        site=site_ct,
        peer_group=group_ct,
        provider=provider_hn,
        service="legal_aid",
    )
    facts[sent_north] = Fact("referral", "92", frozenset({"ANH-DUONG"}), provider_hn.name)
    return facts


def record_kinds():
    """{url name: [(record kind, {text argument: value}, kind of URL)]} from the lines of the
    access table that take an id (the table says which record each id is)."""
    found = {}
    for _key, name, values, url_kind, record, _answers in table_lines():
        if record is not None:
            found.setdefault(name, []).append((record, values, url_kind))
    return found


def probes(facts, urlconf=None, extra=None):
    """(url, label, record, methods) for every id route × every record of its kind, and the
    routes whose record kind is not known."""
    kinds = {**record_kinds(), **(extra or {})}
    found, unknown = [], []
    for route in walk(urlconf):
        if "int" not in route.arguments.values():
            continue
        if route.name not in kinds:
            unknown.append(route.name)
            continue
        for kind, values, url_kind in kinds[route.name]:
            # A POST-only view answers GET with 405 before it looks anything up.
            methods = ("post",) if url_kind == POST else ("get", "post")
            for record, fact in facts.items():
                if fact.kind == kind:
                    url = route.url(**values, pk=record.pk)
                    found.append((url, f"{route.name} {kind}", record, methods))
    return found, unknown


def project_tables():
    tables = set()
    for label in PROJECT_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if model._meta.label_lower not in NOT_RECORDS:
                tables.add(model._meta.db_table)
    return tables


def request(client, method, url, tables):
    """(status, tables written) of one request, rolled back afterwards."""
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    written = set()
    for query in queries.captured_queries:
        match = WRITE_RE.match(query["sql"])
        if match and match.group(1) in tables:
            written.add(match.group(1))
    return response.status_code, written


def idor_failures(facts, users, urlconf=None, extra=None):
    found, unknown = probes(facts, urlconf, extra)
    assert unknown == [], "id routes with no record kind in tests/access_table.py"
    assert found, "no id routes discovered"
    tables = project_tables()
    failures = []
    for user in users:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url, label, record, methods in found:
            fact = facts[record]
            readable, changeable = may_read(user, fact), may_change(user, fact)
            for method in methods:
                status, written = request(client, method, url, tables)
                where = f"{user.username} {method.upper()} {url} ({label} of {fact})"
                if not readable and status not in REFUSED:
                    failures.append(f"{where}: {status}, not theirs to read")
                if readable and method == "get" and status == 404:
                    failures.append(f"{where}: 404, theirs to read")
                if written and not changeable:
                    failures.append(f"{where}: WROTE {sorted(written)}")
    return failures


@pytest.mark.django_db
def test_records_are_read_and_changed_only_by_whom_the_rule_allows(
    known_records, ministry, officer_hn, leader, provider_staff, admin_user
):
    users = (ministry, officer_hn, leader, provider_staff, admin_user)
    failures = idor_failures(known_records, users)
    assert not failures, "\n".join(failures)


@allow(Role.OFFICER, Role.ADMIN)
def leaky_site_rename(request, pk):
    """What the sweep must catch: a lookup that skips visible_to() and writes."""
    from sites.models import Site

    site = Site.objects.get(pk=pk)
    if request.method == "POST":
        Site.objects.filter(pk=pk).update(name="đã bị sửa")
    return HttpResponse(site.name)


urlpatterns = [
    path("leak/site/<int:pk>/", leaky_site_rename, name="site_rename"),
    *project_urls.urlpatterns,
]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_the_sweep_catches_a_view_that_skips_the_scope(known_records, officer_hn):
    failures = idor_failures(
        known_records, (officer_hn,), __name__, extra={"site_rename": [("site", {}, PAGE)]}
    )
    assert any("/leak/site/" in f and ": 200, not theirs" in f for f in failures)
    assert any("/leak/site/" in f and "WROTE ['sites_site']" in f for f in failures)
    assert all("/leak/site/" in f for f in failures)


@pytest.mark.django_db
def test_the_rule_is_not_empty(known_records, officer_hn, leader, provider_staff, ministry):
    """Guards the rule itself: each persona may read some records and not others, so neither
    half of the sweep is vacuous."""
    for user in (officer_hn, leader, provider_staff, ministry):
        verdicts = {may_read(user, fact) for fact in known_records.values()}
        assert verdicts == {True, False}, user.username
    sent_north = [f for f in known_records.values() if f.kind == "referral" and f.province == "92"]
    assert [may_read(provider_staff, f) for f in sent_north].count(True) == 1
