"""Walk every URL pattern of the project (outside the Django admin), with placeholder arguments
or with the ids of real records (`one_of_each`)."""

import re
from dataclasses import dataclass

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from privacy.models import ErasureRun
from tests import factories
from tests.access_table import PERSONAS, TABLE

# Placeholder values for path converters: ids that exist nowhere, so an allowed role gets 404.
PLACEHOLDERS = {
    "int": "999999",
    "str": "zz",
    "slug": "zz",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "zz",
}
CONVERTER_RE = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
ID_CONVERTERS = {"int"}
PROJECT_APPS = (
    "accounts",
    "programs",
    "periods",
    "sites",
    "participants",
    "referrals",
    "reports",
    "exchange",
)


@dataclass
class Route:
    path: str
    name: str
    callback: object
    # The pattern with its converters ("/sites/<int:pk>/"), for `url()`.
    template: str = ""

    @property
    def rule(self):
        return getattr(self.callback, "access_rule", None)

    @property
    def arguments(self):
        """{argument name: converter} of the pattern."""
        return {m["name"]: m["conv"] or "str" for m in CONVERTER_RE.finditer(self.template)}

    def url(self, **values):
        """The path with `values` for the named arguments and placeholders for the others."""
        return _fill(self.template, values)


def _fill(template, values=None):
    values = values or {}
    return CONVERTER_RE.sub(
        lambda m: str(values.get(m["name"], PLACEHOLDERS.get(m["conv"] or "str", "zz"))), template
    )


def walk(urlconf=None, patterns=None, prefix="", namespace=""):
    """Yield a Route for every view reachable from urlconf, skipping the admin site (it checks
    is_staff itself)."""
    if patterns is None:
        patterns = get_resolver(urlconf).url_patterns
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            ns = pattern.namespace or namespace
            yield from walk(patterns=pattern.url_patterns, prefix=prefix + route, namespace=ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            template = "/" + (prefix + route).lstrip("^").rstrip("$")
            yield Route(_fill(template), name, pattern.callback, template)


def id_routes():
    """(route template without its leading slash, url name, namespace, view) of every pattern
    with an id argument."""
    found = []
    for route in walk():
        if any(conv in ID_CONVERTERS for conv in route.arguments.values()):
            namespace, _sep, name = route.name.rpartition(":")
            found.append((route.template.removeprefix("/"), name, namespace, route.callback))
    return found


def model_for(name, namespace, kwarg):
    """The model an id argument points at, guessed from the names: the argument's own
    ("participant_pk") or, for `pk`, the URL name's ("peergroup_detail" -> PeerGroup)."""
    models = {}
    for label in PROJECT_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            models.setdefault((label, model._meta.model_name), model)
            models.setdefault((None, model._meta.model_name), model)
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


def table_lines():
    """(key, url name, {text argument: value}, kind, record name, {persona: answer}) of every
    line of tests/access_table.py."""
    for key, (kind, record, answers) in TABLE.items():
        name, *pairs = key.split()
        values = dict(pair.split("=", 1) for pair in pairs)
        yield key, name, values, kind, record, dict(zip(PERSONAS, answers.split(), strict=True))


def undeclared(urlconf=None):
    """Routes whose view declares no access rule: the middleware refuses them all."""
    return [route for route in walk(urlconf) if route.rule is None]


def one_of_each(*, site, group, provider):
    """One record of every kind a URL takes the id of, all under `site` (in its province): the
    group's participant, enrolled and met by `group`, referred by it to `provider`. Keyed by the
    names of tests/access_table.py's record column."""
    establishment = factories.EstablishmentFactory(site=site)
    participant = factories.ParticipantFactory(province=site.province.current)
    factories.EnrolmentFactory(participant=participant, site=site, peer_group=group)
    referral = factories.ReferralFactory(
        participant=participant, site=site, peer_group=group, provider=provider
    )
    return {
        "site": site,
        "group": group,
        "provider": provider,
        "estab": establishment,
        "cost": factories.CostFactory(site=site),
        "training": factories.TrainingFactory(site=site),
        "participant": participant,
        "contact": factories.ContactFactory(participant=participant, site=site, peer_group=group),
        "referral": referral,
        "support": factories.SupportFactory(participant=participant, site=site, referral=referral),
        "rights": factories.RightsAssessmentFactory(
            participant=participant, establishment=establishment
        ),
        "estab_check": factories.EstablishmentAssessmentFactory(establishment=establishment),
        # An erasure on request (its certificate): counts only, about nobody.
        "erasure": ErasureRun.objects.create(kind=ErasureRun.Kind.REQUEST, people=1, counts={}),
    }
