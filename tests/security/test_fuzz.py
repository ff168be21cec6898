"""Property-based tests (hypothesis): arbitrary input thrown at every form, every page that
shows a form or takes filters, and the exchange import. Never a crash (500), never a partial
write: input that is refused leaves every programme table as it was.

Forms and pages are discovered (forms modules of the apps, the URL resolver), so pages added
later are covered without editing this file."""

import contextlib
import csv
import datetime
import importlib
import inspect
import io
import os

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.urlsweep import CONVERTER_RE, ID_CONVERTERS, id_routes, model_for, walk

FORM_MODULES = [
    "accounts.forms",
    "accounts.security_forms",
    "sites.forms",
    "participants.forms",
    "referrals.forms",
    "reports.forms",
    "exchange.forms",
]
# Programme tables: what "nothing was written" is checked on. The activity log is left out
# (views log page views and refusals there on purpose).
WATCHED_APPS = ("programs", "sites", "participants", "referrals", "auditlog")
# Every example starts from the same data (`fresh_data`): what one example's POST wrote (a referral
# declined, a record deleted) is rolled back before the next, so an example's outcome never depends
# on the ones before it and Hypothesis can replay it (no FlakyStrategyDefinition). That holds with
# or without CI; CI only fixes which examples are drawn (the same on every run), while a developer's
# machine draws new ones each time, to keep finding what CI has not tried.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PAGE_FUZZ = settings(FUZZ, max_examples=6)

JUNK = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "inf",
    "99999999999999999999999999",
    "-9223372036854775809",
    "2025-02-30",
    "31/12/2025",
    "0000-00-00",
    "9999-12-31",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "a\x00b",
    "\ud7ff\ufffd",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Đ" * 300,
    "=cmd|' /C calc'!A0",
    "../../etc/passwd",
    "h:" + "0" * 64,
    "LAHU030795F",
    "yes",
    "no",
]
ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(datetime.date.isoformat),
    st.sampled_from(JUNK),
)


@contextlib.contextmanager
def fresh_data():
    """Run one example in a savepoint that is always rolled back, with an empty cache before and
    after: the next example sees exactly the fixtures' data, whatever this one submitted."""
    cache.clear()
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        cache.clear()


def watched_counts():
    return {
        model._meta.label_lower: model._default_manager.count()
        for label in WATCHED_APPS
        for model in apps.get_app_config(label).get_models()
    }


def _choice_values(field):
    values = []
    for value, _label in getattr(field, "choices", []):
        if isinstance(_label, (list, tuple)):  # option groups
            values += [str(v) for v, _l in _label]
        else:
            values.append(str(value))
    return [v for v in values if v != ""]


def value_strategy(field, initial=None):
    """Arbitrary text, or (often) a value the field would accept, so valid paths are reached."""
    options = [ANY_TEXT]
    choices = _choice_values(field) if isinstance(field, forms.ChoiceField) else []
    if choices:
        options.append(st.sampled_from(choices))
    if initial not in (None, "", [], ()):
        options.append(st.just(initial))
    one = st.one_of(*options)
    if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        return st.lists(one, max_size=4)
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(["on", "true", "false", ""]), one)
    return one


def data_strategy(form):
    fields = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        initial = form[name].value()
        if isinstance(initial, (list, tuple)):
            initial = [str(v) for v in initial]
        elif initial is not None and not isinstance(initial, str):
            initial = str(initial)
        fields[form.add_prefix(name)] = value_strategy(field, initial)
    return st.fixed_dictionaries(fields)


# ---- forms ---------------------------------------------------------------------------------


def discovered_form_classes():
    found = []
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and issubclass(cls, forms.BaseForm)
                and cls.__module__ == module_name
                and not name.startswith("_")
                and cls not in (forms.Form, forms.ModelForm)
                and not (
                    issubclass(cls, forms.ModelForm)
                    and getattr(getattr(cls, "_meta", None), "model", None) is None
                )
            ):
                found.append(f"{module_name}.{name}")
    return found


BUILT_IN = ["login", "password_change", "set_password"]


def build_form(path, data, *, user):
    if path == "login":
        return AuthenticationForm(RequestFactory().post("/login/"), data=data)
    if path == "password_change":
        return PasswordChangeForm(user, data)
    if path == "set_password":
        return SetPasswordForm(user, data)
    module_name, _sep, name = path.rpartition(".")
    cls = getattr(importlib.import_module(module_name), name)
    known = {"user": user, "default_year": 2025, "request": RequestFactory().get("/")}
    kwargs = {}
    # A subclass's __init__(*args, **kwargs) may pass arguments on to a parent that needs them.
    for klass in cls.__mro__:
        if "__init__" not in vars(klass) or klass.__module__.startswith("django."):
            continue
        for param in inspect.signature(klass.__init__).parameters.values():
            usable = param.kind in (param.KEYWORD_ONLY, param.POSITIONAL_OR_KEYWORD)
            if param.name in known and usable:
                kwargs[param.name] = known[param.name]
            elif param.kind == param.KEYWORD_ONLY and param.default is param.empty:
                pytest.skip(f"{path} needs {param.name}=, which the fuzz test cannot provide")
    if data is None:
        return cls(**kwargs)
    return cls(data, **kwargs)


@pytest.mark.parametrize("path", BUILT_IN + discovered_form_classes())
@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_no_form_crashes_or_writes_on_arbitrary_input(path, data, officer_hn, site_hn, group_hn):
    with fresh_data():
        blank = build_form(path, None, user=officer_hn)
        posted = data.draw(data_strategy(blank))
        before = watched_counts()
        form = build_form(path, posted, user=officer_hn)
        valid = form.is_valid()
        assert isinstance(valid, bool)
        if not valid:
            assert form.errors
        str(form)  # rendering with errors must work too
        assert watched_counts() == before


def test_the_forms_of_the_apps_are_discovered():
    found = set(discovered_form_classes())
    assert {"accounts.forms.PeriodForm", "accounts.security_forms.AuditFilterForm"} <= found


# ---- pages ---------------------------------------------------------------------------------


@pytest.fixture
def hanoi_records(hanoi, site_hn, group_hn, provider_hn):
    """A record of each kind in Hà Nội, so the edit pages of the Hà Nội officer open."""
    from participants.models import Contact

    establishment = factories.EstablishmentFactory(site=site_hn)
    participant = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=participant, site=site_hn, peer_group=group_hn)
    records = [
        site_hn,
        group_hn,
        establishment,
        provider_hn,
        participant,
        factories.ContactFactory(
            participant=participant, site=site_hn, peer_group=group_hn, kind=Contact.Kind.OUTREACH
        ),
        factories.ReferralFactory(
            participant=participant, site=site_hn, peer_group=group_hn, provider=provider_hn
        ),
        factories.SupportFactory(participant=participant, site=site_hn),
        factories.CostFactory(site=site_hn),
        factories.TrainingFactory(site=site_hn),
        factories.RightsAssessmentFactory(participant=participant, establishment=establishment),
        factories.EstablishmentAssessmentFactory(establishment=establishment),
    ]
    return {type(record): record for record in records}


def page_routes():
    """Every page (with its url template), except those that take a free string argument."""
    routes = {}
    id_templates = {f"{ns}:{name}": route for route, name, ns, _cb in id_routes()}
    for route in walk():
        if route.name in ("logout", "set_language"):
            continue
        template = id_templates.get(route.name)
        if template is None and "/zz" in route.path:
            continue
        routes[route.name] = template
    return sorted(routes.items(), key=lambda item: item[0])


PERSONA_ORDER = ("officer_hn", "leader", "provider_staff", "ministry", "admin")


def _persona_for(rule, personas):
    if rule == "public":
        return personas["officer_hn"]
    for label in PERSONA_ORDER:
        if personas[label].role in rule:
            return personas[label]
    return None


def _url_for(name, template, records):
    from django.urls import reverse

    if template is None:
        return reverse(name)
    namespace, _sep, url_name = name.rpartition(":")
    values = {}
    for match in CONVERTER_RE.finditer(template):
        if match["conv"] not in ID_CONVERTERS:
            return None
        model = model_for(url_name, namespace or None, match["name"])
        if model not in records:
            return None
        values[match["name"]] = records[model].pk
    return "/" + CONVERTER_RE.sub(lambda m: str(values[m["name"]]), template)


@pytest.mark.parametrize(("name", "template"), page_routes())
@pytest.mark.django_db
@PAGE_FUZZ
@given(data=st.data())
def test_no_page_crashes_or_writes_partially_on_arbitrary_input(
    name, template, data, client, personas, hanoi_records
):
    from django.urls import resolve

    url = _url_for(name, template, hanoi_records)
    if url is None:
        pytest.skip(f"{name}: no record to open it with")
    rule = getattr(resolve(url).func, "access_rule", None)
    user = _persona_for(rule, personas)
    if user is None:
        pytest.skip(f"{name}: no persona may open it")
    with fresh_data():
        client.raise_request_exception = False
        client.force_login(user)
        page = client.get(url)
        assert page.status_code < 500, f"GET {url}: {page.status_code}"
        form = (page.context or {}).get("form") if page.status_code == 200 else None
        if not isinstance(form, forms.BaseForm):
            form = forms.Form()
        fuzz = data.draw(data_strategy(form))
        fuzz.update(
            data.draw(
                st.dictionaries(
                    st.sampled_from(["page", "q", "format", "next"]), ANY_TEXT, max_size=2
                )
            )
        )

        before = watched_counts()
        response = client.get(url, fuzz)
        assert response.status_code < 500, f"GET {url} {fuzz!r}: {response.status_code}"
        assert watched_counts() == before, f"GET {url} wrote"

        response = client.post(url, fuzz)
        assert response.status_code < 500, f"POST {url} {fuzz!r}: {response.status_code}"
        if response.status_code == 200:
            assert watched_counts() == before, f"POST {url} {fuzz!r} refused but wrote"


# ---- the exchange import -------------------------------------------------------------------


def _import_specs():
    from exchange.spec import FILES

    return [spec.name for spec in FILES]


def cell_strategy(column):
    from exchange import spec as exchange_spec

    plausible = {
        exchange_spec.DATE: st.dates(
            min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2026, 12, 31)
        ).map(datetime.date.isoformat),
        exchange_spec.INT: st.integers(min_value=-5, max_value=10**6).map(str),
        exchange_spec.BOOL: st.sampled_from(["yes", "no"]),
        exchange_spec.SERVICES: st.sampled_from(["", "health_check", "health_check;legal_aid"]),
        exchange_spec.UIC: st.builds(factories.next_uic),
        exchange_spec.CODE: st.sampled_from(["HN-HM-PG", "SAO-DEM", "E-NEW-1", "KHONG-CO"]),
    }.get(column.kind, st.text(min_size=1, max_size=30))
    options = [plausible, ANY_TEXT]
    if column.choices:
        options.append(st.sampled_from(list(column.choices)))
    return st.one_of(*options)


@pytest.mark.parametrize("spec_name", _import_specs())
@pytest.mark.django_db
@settings(FUZZ, max_examples=20)
@given(data=st.data())
def test_the_import_is_all_or_nothing_on_arbitrary_rows(
    spec_name, data, tmp_path_factory, site_hn, group_hn
):
    from exchange.spec import FILES_BY_NAME

    spec = FILES_BY_NAME[spec_name]
    columns = list(spec.columns)
    rows = data.draw(
        st.lists(st.tuples(*(cell_strategy(c) for c in columns)), min_size=1, max_size=3)
    )
    header = [c.name for c in columns]
    if data.draw(st.booleans()):
        header = data.draw(st.permutations(header))
    folder = tmp_path_factory.mktemp("import")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        by_name = dict(zip([c.name for c in columns], row, strict=True))
        writer.writerow([by_name[name] for name in header])
    (folder / spec.filename).write_bytes(buffer.getvalue().encode("utf-8", "surrogatepass"))

    with fresh_data():
        before = watched_counts()
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_exchange", str(folder), stdout=out, stderr=err)
        except CommandError:
            assert watched_counts() == before, "a refused import wrote rows"
            assert err.getvalue().strip(), "refused without saying which row"
        else:
            assert "Import complete." in out.getvalue()
