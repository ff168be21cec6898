"""IDOR sweep: every URL that takes a record's id is tried with the ids of real records in Cần
Thơ, as the Hà Nội officer, the Hà Nội peer-group leader and the Hà Nội provider's staff, with
GET and POST. The answer is always 404 (not in your scope) or 403 (not your role) — never the
page, never a write.

Routes are discovered from the URL resolver; the record for an id argument is the model named
by the URL name ("peergroup_detail" -> PeerGroup, "rights_assessment_edit" ->
RightsAssessment) or by the argument ("participant_pk"). A route whose model cannot be told,
or for which no Cần Thơ record is made below, fails the test: add it to `cantho_records`."""

import itertools
import re

import pytest
from django.apps import apps
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

from accounts.access import allow
from accounts.models import Role
from config import urls as project_urls
from tests import factories

CONVERTER_RE = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
ID_CONVERTERS = {"int"}
PROJECT_APPS = ("accounts", "programs", "sites", "participants", "referrals", "reports", "exchange")
REFUSED = {403, 404, 405}


def id_routes():
    """(route template, url name, app label) of every pattern with an id argument."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                yield from walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if any(m["conv"] in ID_CONVERTERS for m in CONVERTER_RE.finditer(route)):
                    yield route, pattern.name or "", namespace, pattern.callback

    return list(walk(get_resolver().url_patterns, "", ""))


def _models_by_name():
    found = {}
    for label in PROJECT_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            found.setdefault((label, model._meta.model_name), model)
            found.setdefault((None, model._meta.model_name), model)
    return found


def model_for(name, namespace, kwarg):
    """The model an id argument points at."""
    models = _models_by_name()
    if kwarg not in ("pk", "id"):
        stem = kwarg.removesuffix("_pk").removesuffix("_id").replace("_", "")
        return models.get((namespace, stem)) or models.get((None, stem))
    tokens = name.split("_")
    for size in range(len(tokens) - 1, 0, -1):
        stem = "".join(tokens[:size])
        model = models.get((namespace, stem)) or models.get((None, stem))
        if model is not None:
            return model
    return None


def str_values(kwarg):
    if kwarg == "action":
        from referrals.services import TRANSITIONS

        return sorted(TRANSITIONS)
    return ["zz"]


@pytest.fixture
def cantho_records(cantho, site_ct, group_ct, leader_ct, officer_ct):
    """One record of every kind in Cần Thơ, none of them linked to Hà Nội."""
    from participants.models import Contact

    establishment = factories.EstablishmentFactory(site=site_ct)
    provider = factories.ProviderFactory(name="Cơ sở Cần Thơ", province=cantho)
    participant = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=participant, site=site_ct, peer_group=group_ct)
    contact = factories.ContactFactory(
        participant=participant, site=site_ct, peer_group=group_ct, kind=Contact.Kind.OUTREACH
    )
    referral = factories.ReferralFactory(
        participant=participant, site=site_ct, peer_group=group_ct, provider=provider
    )
    records = [
        site_ct,
        group_ct,
        establishment,
        provider,
        participant,
        contact,
        referral,
        factories.SupportFactory(participant=participant, site=site_ct),
        factories.CostFactory(site=site_ct),
        factories.TrainingFactory(site=site_ct),
        factories.RightsAssessmentFactory(participant=participant, establishment=establishment),
        factories.EstablishmentAssessmentFactory(establishment=establishment),
    ]
    return {type(record): record for record in records}


def fill(route, values):
    return "/" + CONVERTER_RE.sub(lambda m: str(values[m["name"]]), route)


def probes(cantho_records):
    """(url, url name, record) for every id route, with every value of its other arguments."""
    problems, found = [], []
    for route, name, namespace, callback in id_routes():
        args = [(m["name"], m["conv"] or "str") for m in CONVERTER_RE.finditer(route)]
        choices, record = {}, None
        for kwarg, conv in args:
            if conv in ID_CONVERTERS:
                model = model_for(name, namespace, kwarg)
                if model is None or model not in cantho_records:
                    problems.append(f"{namespace}:{name} {kwarg}: no Cần Thơ record for {model}")
                    break
                record = cantho_records[model]
                choices[kwarg] = [record.pk]
            else:
                choices[kwarg] = str_values(kwarg)
        else:
            for combo in itertools.product(*choices.values()):
                values = dict(zip(choices, combo, strict=True))
                found.append((fill(route, values), f"{namespace}:{name}", record, callback))
    return found, problems


def snapshot(record):
    """Row counts of every project table and the record's own values."""
    counts = {}
    for label in PROJECT_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            if model._meta.label_lower in ("accounts.activityevent",):
                continue  # views log their refusals/views here; not a programme record
            counts[model._meta.label_lower] = model._default_manager.count()
    fresh = type(record)._default_manager.filter(pk=record.pk).first()
    return counts, model_to_dict(fresh) if fresh else None


def idor_failures(client, records, users):
    found, problems = probes(records)
    assert problems == [], "routes the IDOR sweep cannot cover yet"
    assert found, "no id routes discovered"
    client.raise_request_exception = False
    failures = []
    for url, name, record, callback in found:
        rule = getattr(callback, "access_rule", None)
        for user in users:
            client.force_login(user)
            # A record another province may read (the national provider directory) is not an
            # IDOR to open; it must still not be changed from Hà Nội.
            readable = type(record).objects.visible_to(user).filter(pk=record.pk).exists()
            allowed = rule == "public" or (rule and user.role in rule)
            for method in ("get", "post"):
                before = snapshot(record)
                status = getattr(client, method)(url).status_code
                if not readable and status not in (REFUSED if allowed else {403}):
                    failures.append(f"{user.username} {method.upper()} {url} ({name}): {status}")
                if snapshot(record) != before:
                    failures.append(f"{user.username} {method.upper()} {url} ({name}): WROTE")
    return failures


@pytest.mark.django_db
def test_other_province_ids_are_refused_to_hanoi_users(
    client, cantho_records, officer_hn, leader, provider_staff
):
    assert idor_failures(client, cantho_records, (officer_hn, leader, provider_staff)) == []


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
def test_the_sweep_catches_a_view_that_skips_the_scope(client, cantho_records, officer_hn):
    failures = idor_failures(client, cantho_records, (officer_hn,))
    assert any("/leak/site/" in f and ": 200" in f for f in failures)
    assert any("/leak/site/" in f and "WROTE" in f for f in failures)
    assert all("/leak/site/" in f for f in failures)


@pytest.mark.django_db
def test_the_sweep_uses_ids_that_exist(client, cantho_records, officer_ct, admin_user):
    """Guards the sweep itself: the Cần Thơ officer (or the administrator) reaches each record,
    so a 404 above means "refused", not "wrong id"."""
    found, problems = probes(cantho_records)
    assert problems == []
    client.raise_request_exception = False
    wrong = []
    for url, name, _record, callback in found:
        rule = getattr(callback, "access_rule", None) or ()
        owner = officer_ct if "officer" in rule else admin_user
        client.force_login(owner)
        status = client.get(url).status_code
        if status == 404:
            wrong.append(f"{name} {url}: 404 for {owner.username}")
    # POST-only views answer GET with 405 and are checked by the POST sweep's own asserts.
    assert wrong == []
