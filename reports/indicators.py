"""The indicator engine: every code of docs/indicators.md for a period and a scope, computed in the
database (aggregates, COUNT(DISTINCT …), EXISTS subqueries) in a fixed number of queries,
whatever the amount of data.

One code path serves the `indicators` command, the dashboards and the exports:
`compute_indicators` for one scope, `indicators_by` for the same numbers grouped by province,
historical province, model, region, site or site role (one grouped query per event table, not
one computation per group).
"""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Least, RowNumber

from participants.models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    RightsAssessment,
)
from referrals.models import Referral
from sites.models import Cost, PeerGroup, Site, Training

CODES = (
    "sites_active",
    "sites_active_pilot",
    "sites_active_control",
    "sites_active_scale_up",
    "reached",
    "reached_by_peer_groups",
    "reached_with_need",
    "referred",
    "referred_pct",
    "referrals_made",
    "referrals_completed",
    "referral_completion_pct",
    "workers_assessed",
    "workers_rights_ensured",
    "workers_rights_ensured_pct",
    "establishments_assessed",
    "establishments_compliant",
    "establishments_compliant_pct",
    "peer_group_members",
    "trainings",
    "trainees",
    "total_cost_vnd",
    "cost_per_reached_vnd",
)

# Percentages: code -> (numerator code, denominator code).
PERCENTAGES = {
    "referred_pct": ("referred", "reached_with_need"),
    "referral_completion_pct": ("referrals_completed", "referrals_made"),
    "workers_rights_ensured_pct": ("workers_rights_ensured", "workers_assessed"),
    "establishments_compliant_pct": ("establishments_compliant", "establishments_assessed"),
}
# Ratios that are not percentages but still reveal their denominator: code -> (num, den).
RATIOS = {"cost_per_reached_vnd": ("total_cost_vnd", "reached")}
MONEY_CODES = ("total_cost_vnd", "cost_per_reached_vnd")
COUNT_CODES = tuple(c for c in CODES if c not in PERCENTAGES and c not in MONEY_CODES)

# What an indicator can be grouped by: name -> path from a Site.
GROUPINGS = {
    "province": "province__current_id",
    "province_legacy": "province_id",
    "model": "model_id",
    "region": "province__region_id",
    "site": "id",
    "role": "role",
}

AGE_GROUPS = ("<18", "18-24", "25-34", "35-49", "50+")
BREAKDOWNS = ("sex", "age_group", "residence", "category", "model", "province", "region")

ONE_DECIMAL = Decimal("0.1")
DAYS_PER_YEAR = Decimal("365.25")


def percentage(numerator, denominator):
    """100 * numerator / denominator rounded half-up to one decimal; None when denominator is 0."""
    if not denominator:
        return None
    return (Decimal(100) * Decimal(numerator) / Decimal(denominator)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def divide_vnd(amount, count):
    """amount / count rounded half-up to whole VND; None when count is 0 (or unknown)."""
    if not count or amount is None:
        return None
    return int((Decimal(amount) / Decimal(count)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def scope_filter(prefix, *, province=None, model=None, site=None):
    """The filter that puts an event in scope, for a model whose site is at `prefix` ("site__",
    "establishment__site__", or "" for Site itself)."""
    conditions = {}
    if province:
        conditions[f"{prefix}province__current__code"] = province
    if model:
        conditions[f"{prefix}model_id"] = model
    if site:
        conditions[f"{prefix}code"] = site
    return Q(**conditions)


def scope_site_ids(*, province=None, model=None, site=None):
    """The ids of the sites in scope, read once (None: no restriction). Given to the queries
    as a list, the database knows how many sites they filter on — a subquery through the
    provinces made it guess a few dozen where a big province has hundreds, and read each site's
    whole history instead of the period. One query."""
    if not (province or model or site):
        return None
    scope = scope_filter("", province=province, model=model, site=site)
    return list(Site.objects.filter(scope).values_list("id", flat=True))


def at_sites(prefix, site_ids):
    """The filter keeping events at those sites (`site_ids` None: every site). No site at all
    keeps nothing, with a condition the SQL can still hold (an empty IN cannot be written)."""
    if site_ids is None:
        return Q()
    if not site_ids:
        return Q(**{f"{prefix}id__isnull": True})
    return Q(**{f"{prefix}id__in": site_ids})


def _active_sites_q(prefix, start, end):
    return Q(**{f"{prefix}start_date__lte": end}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": start})
    )


class _Query:
    """Runs one aggregate per event table, either over the whole scope (`group` None) or grouped
    by a path from the site (`GROUPINGS`). Every result is {group key: {name: value}}, with the
    key None when not grouped."""

    def __init__(self, *, start, end, province, model, site, group):
        self.start, self.end = start, end
        self.scope = {"province": province, "model": model, "site": site}
        self.group = GROUPINGS[group] if group else None

    @cached_property
    def site_ids(self):
        return scope_site_ids(**self.scope)

    def in_scope(self, prefix, date_field="date"):
        """Events at a site in scope (`prefix` is the path to the site, e.g. "site__") in the
        period. The scope is resolved once into site ids (`site_id IN (…)`), not joined through
        site, province and province again inside every query."""
        q = at_sites(prefix, self.site_ids)
        if date_field:
            q &= Q(**{f"{date_field}__gte": self.start, f"{date_field}__lte": self.end})
        return q

    def same_group(self, prefix, outer_prefix):
        """Extra correlation for a subquery: the inner row is in the outer row's group."""
        if not self.group:
            return {}
        return {f"{prefix}{self.group}": OuterRef(f"{outer_prefix}{self.group}")}

    def run(self, queryset, prefix, **aggregates):
        if not self.group:
            return {None: queryset.aggregate(**aggregates)}
        rows = (
            queryset.order_by().values(group_key=F(f"{prefix}{self.group}")).annotate(**aggregates)
        )
        return {row.pop("group_key"): row for row in rows}

    def sites(self):
        active = Site.objects.filter(
            scope_filter("", **self.scope), _active_sites_q("", *self.period)
        )
        return self.run(
            active,
            "",
            sites_active=Count("id"),
            sites_active_pilot=Count("id", filter=Q(role=Site.SiteRole.PILOT)),
            sites_active_control=Count("id", filter=Q(role=Site.SiteRole.CONTROL)),
            sites_active_scale_up=Count("id", filter=Q(role=Site.SiteRole.SCALE_UP)),
        )

    @property
    def period(self):
        return self.start, self.end

    def contacts(self):
        """People reached: contacts are reduced to one row per participant record (and group)
        with flags (met by a peer group, a need identified), those rows to one per person (a
        person known in two provinces has two records), the referrals in scope and period to
        the people referred the same way, and the two joined and counted: one pass over each
        event table, joined to the participants only once reduced, no subquery per row, no
        COUNT(DISTINCT …)."""
        keys = {"group_key": F(f"site__{self.group}")} if self.group else {}
        flag = {"default": Value(0), "output_field": IntegerField()}
        met = (
            Contact.objects.filter(self.in_scope("site__"))
            .order_by()
            .values("participant", **keys)
            .annotate(
                by_group=Max(Case(When(peer_group__isnull=False, then=Value(1)), **flag)),
                with_need=Max(Case(When(needs__any=True, then=Value(1)), **flag)),
            )
        )
        referred = (
            Referral.objects.filter(self.in_scope("site__"))
            .order_by()
            .values("participant", **keys)
            .distinct()
        )
        met_sql, met_params = met.query.sql_with_params()
        referred_sql, referred_params = referred.query.sql_with_params()
        participants = connections[met.db].ops.quote_name(Participant._meta.db_table)
        keep = ", x.group_key" if self.group else ""

        def by_person(sql, columns=""):
            return (
                f"SELECT p.person_id AS person{keep}{columns} FROM ({sql}) x "  # noqa: S608
                f"JOIN {participants} p ON p.id = x.participant GROUP BY p.person_id{keep}"
            )

        people = by_person(met_sql, ", MAX(x.by_group) AS by_group, MAX(x.with_need) AS with_need")
        group = "c.group_key" if self.group else "NULL"
        same_group = " AND r.group_key = c.group_key" if self.group else ""
        outer = (
            f"SELECT {group}, COUNT(*), SUM(c.by_group), SUM(c.with_need), "  # noqa: S608
            "SUM(CASE WHEN c.with_need = 1 AND r.person IS NOT NULL THEN 1 ELSE 0 END) "
            f"FROM ({people}) c LEFT JOIN ({by_person(referred_sql)}) r "
            f"ON r.person = c.person{same_group}"
        )
        if self.group:
            outer += f" GROUP BY {group}"
        params = (*met_params, *referred_params)
        names = ("reached", "reached_by_peer_groups", "reached_with_need", "referred")
        return self.fetch(outer, params, names, using=met.db)

    def referrals(self):
        return self.run(
            Referral.objects.filter(self.in_scope("site__")),
            "site__",
            referrals_made=Count("id"),
            referrals_completed=Count("id", filter=Q(status=Referral.Status.COMPLETED)),
        )

    def latest(self, model, key, conditions, names):
        """Over the latest assessment in scope, period and group of each `key` (a worker, an
        establishment) — greatest date, then greatest id —: how many there are, and how many
        meet all `conditions`. One pass with a window function, no subquery per row."""
        prefix = "establishment__site__"
        keys = {"group_key": F(f"{prefix}{self.group}")} if self.group else {}
        ranked = (
            model.objects.filter(self.in_scope(prefix))
            .order_by()
            .annotate(
                latest_rank=Window(
                    RowNumber(),
                    partition_by=[F(key), *keys.values()],
                    order_by=[F("date").desc(), F("id").desc()],
                ),
                meets=Case(
                    When(conditions, then=Value(1)), default=Value(0), output_field=IntegerField()
                ),
            )
            .values("latest_rank", "meets", **keys)
        )
        sql, params = ranked.query.sql_with_params()
        group = "latest.group_key" if self.group else "NULL"
        outer = (
            f"SELECT {group}, COUNT(*), SUM(latest.meets) "  # noqa: S608
            f"FROM ({sql}) latest WHERE latest.latest_rank = 1"
        )
        if self.group:
            outer += f" GROUP BY {group}"
        return self.fetch(outer, params, names, using=ranked.db)

    def fetch(self, sql, params, names, *, using):
        """Rows (group key, *values) of a statement built on this query's querysets, read from
        their database (the read replica inside reports.routing.report_reads)."""
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        result = {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}
        return result or {None: {}}

    def rights(self):
        return self.latest(
            RightsAssessment,
            "participant__person",
            Q(**{name: True for name in RightsAssessment.CORE_RIGHTS}),
            ("workers_assessed", "workers_rights_ensured"),
        )

    def establishments(self):
        return self.latest(
            EstablishmentAssessment,
            "establishment",
            Q(**{name: True for name in EstablishmentAssessment.DUTIES}),
            ("establishments_assessed", "establishments_compliant"),
        )

    def peer_groups(self):
        groups = PeerGroup.objects.filter(
            scope_filter("site__", **self.scope), _active_sites_q("site__", *self.period)
        )
        return self.run(groups, "site__", peer_group_members=Sum("members"))

    def trainings(self):
        return self.run(
            Training.objects.filter(self.in_scope("site__")),
            "site__",
            trainings=Count("id"),
            trainees=Sum("trainees"),
        )

    def costs(self):
        return self.run(
            Cost.objects.filter(self.in_scope("site__")),
            "site__",
            total_cost_vnd=Sum("amount_vnd"),
        )

    def all(self):
        merged = defaultdict(dict)
        for part in (
            self.sites(),
            self.contacts(),
            self.referrals(),
            self.rights(),
            self.establishments(),
            self.peer_groups(),
            self.trainings(),
            self.costs(),
        ):
            for key, values in part.items():
                merged[key].update(values)
        return {key: finish(values) for key, values in merged.items()}


def finish(raw):
    """Raw aggregates -> every code: missing counts and sums are 0, percentages and the cost per
    person reached are derived from them (None on a zero denominator)."""
    values = {}
    for code in CODES:
        if code in PERCENTAGES or code in RATIOS:
            continue
        value = raw.get(code)
        values[code] = 0 if value is None else int(value)
    for code, (numerator, denominator) in PERCENTAGES.items():
        values[code] = percentage(values[numerator], values[denominator])
    values["cost_per_reached_vnd"] = divide_vnd(values["total_cost_vnd"], values["reached"])
    return {code: values[code] for code in CODES}


def compute_indicators(*, start, end, province=None, model=None, site=None):
    """Every docs/indicators.md code for [start, end] in a scope: a 2025 province code (takes in the
    pre-2025 provinces merged into it), an intervention model code, a site code, or any
    combination (None = no restriction). Eight queries (nine with a scope)."""
    result = _Query(start=start, end=end, province=province, model=model, site=site, group=None)
    return result.all()[None]


def indicators_by(group, *, start, end, province=None, model=None, site=None):
    """The same codes grouped by `group` (a key of GROUPINGS) -> {group id: {code: value}}.
    Groups with no data at all are absent (use `finish({})` for them). Eight queries (nine
    with a scope)."""
    query = _Query(start=start, end=end, province=province, model=model, site=site, group=group)
    return query.all()


EMPTY = finish({})


# Breakdowns of `reached` --------------------------------------------------------------------


def _age_group(end):
    year = end.year
    birth = "participant__birth_year"
    return Case(
        When(**{f"{birth}__gt": year - 18}, then=Value("<18")),
        When(**{f"{birth}__gt": year - 25}, then=Value("18-24")),
        When(**{f"{birth}__gt": year - 35}, then=Value("25-34")),
        When(**{f"{birth}__gt": year - 50}, then=Value("35-49")),
        default=Value("50+"),
        output_field=CharField(),
    )


# Recorded per province's record: taken from the person's latest enrolment in scope.
ENROLMENT_BREAKDOWNS = ("residence", "category")
BREAKDOWN_PATHS = {
    "sex": "participant__sex",
    "model": "site__model_id",
    "province": "site__province__current_id",
    "province_legacy": "site__province_id",
    "region": "site__province__region_id",
    "site": "site_id",
}


def reached_breakdown(by, *, start, end, province=None, model=None, site=None, peer_group=None):
    """Distinct participants reached in scope and period, per value of `by` ("sex",
    "age_group", "residence", "category", "model", "province" (2025), "province_legacy",
    "region", "site") -> {value: count}; `peer_group` keeps the contacts that group made. One
    grouped query, and one for the sites in scope."""
    site_ids = scope_site_ids(province=province, model=model, site=site)
    contacts = Contact.objects.filter(
        at_sites("site__", site_ids), date__gte=start, date__lte=end
    ).order_by()
    if peer_group is not None:
        contacts = contacts.filter(peer_group=peer_group)
    if by in ENROLMENT_BREAKDOWNS:
        rows = _latest_enrolments(
            at_sites("site__", site_ids), contacts.values("participant__person")
        ).values(key_=F(f"participant__{by}"))
    else:
        key = _age_group(end) if by == "age_group" else F(BREAKDOWN_PATHS[by])
        rows = contacts.values(key_=key)
    rows = rows.annotate(n=Count("participant__person", distinct=True))
    return {row["key_"]: row["n"] for row in rows}


def _latest_enrolments(in_scope, persons):
    """Each of `persons`' latest enrolment in scope (greatest enrolment date; on a tie, the one
    entered last): what a province recorded there (category, residence) puts the person in
    exactly one group, even when two provinces recorded it differently (docs/indicators.md)."""
    later = Enrolment.objects.filter(
        in_scope,
        Q(enrolled_on__gt=OuterRef("enrolled_on"))
        | Q(enrolled_on=OuterRef("enrolled_on"), id__gt=OuterRef("id")),
        participant__person=OuterRef("participant__person"),
    )
    return (
        Enrolment.objects.filter(in_scope, participant__person__in=persons)
        .exclude(Exists(later))
        .order_by()
    )


def breakdown_labels(by):
    """The values a breakdown can take, in display order, with their labels."""
    if by == "sex":
        return list(Participant.Sex.choices)
    if by == "residence":
        return list(Participant.Residence.choices)
    if by == "category":
        return list(Participant.Category.choices)
    if by == "age_group":
        return [(group, group) for group in AGE_GROUPS]
    raise ValueError(by)


# Coverage and cost ---------------------------------------------------------------------------


def localities_covered(*, start, end, unit_set="2025", model=None):
    """Per province (2025 id, or the site's own province for "legacy"): the number of distinct
    localities with a pilot or scale-up site active in the period. One grouped query."""
    path = "province__current_id" if unit_set == "2025" else "province_id"
    rows = (
        Site.objects.filter(
            _active_sites_q("", start, end),
            scope_filter("", model=model),
            role__in=(Site.SiteRole.PILOT, Site.SiteRole.SCALE_UP),
        )
        .order_by()
        .values(key_=F(path))
        .annotate(
            n=Count(Concat(Cast("province_id", CharField()), Value("|"), "locality"), distinct=True)
        )
    )
    return {row["key_"]: row["n"] for row in rows}


def _grouped(queryset, group_path, **aggregates):
    """{group value: aggregates} (key None when `group_path` is None). One query."""
    if group_path is None:
        return {None: queryset.aggregate(**aggregates)}
    rows = queryset.order_by().values(key_=F(group_path)).annotate(**aggregates)
    return {row.pop("key_"): row for row in rows}


def _site_days(span, sites):
    """Days of `sites` closed date ranges inside the period, from their summed overlap (a
    timedelta of last - first for each): each site's last day counts too."""
    if not sites:
        return 0
    return span.days + sites


def site_days(*, start, end, province=None, model=None, group=None):
    """Days each site in scope was running inside the period, summed per group (a key of
    GROUPINGS; None: the whole scope) -> {group: days}. One query."""
    overlap = ExpressionWrapper(
        Least(Coalesce("end_date", Value(end, DateField())), Value(end, DateField()))
        - Greatest("start_date", Value(start, DateField())),
        output_field=DurationField(),
    )
    spans = _grouped(
        Site.objects.filter(
            scope_filter("", province=province, model=model), _active_sites_q("", start, end)
        ),
        GROUPINGS[group] if group else None,
        span=Sum(overlap),
        n=Count("id", output_field=IntegerField()),
    )
    return {key: _site_days(span.get("span"), span.get("n") or 0) for key, span in spans.items()}


def cost_figures(*, total, reached, completed, days):
    """Cost per result from a scope's total cost, people reached, referrals completed and
    site-days: the cost per each, site-years (days / 365.25) and cost per site-year."""
    years = (Decimal(days) / DAYS_PER_YEAR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {
        "total_cost_vnd": total,
        "reached": reached,
        "referrals_completed": completed,
        "cost_per_reached_vnd": divide_vnd(total, reached),
        "cost_per_completed_referral_vnd": divide_vnd(total, completed),
        "site_years": years,
        "cost_per_site_year_vnd": divide_vnd(total * DAYS_PER_YEAR, days),
    }


def cost_results(*, start, end, province=None, model=None, group=None):
    """Cost per result for a scope, optionally grouped (a key of GROUPINGS): total cost, people
    reached, referrals completed, the cost per each, site-years (days each site in scope was
    running inside the period / 365.25) and cost per site-year -> {group: {...}}. Five
    queries."""
    scope = {"province": province, "model": model}
    via_site = f"site__{GROUPINGS[group]}" if group else None
    events = {"date__gte": start, "date__lte": end}
    in_scope = at_sites("site__", scope_site_ids(**scope))
    costs = _grouped(
        Cost.objects.filter(in_scope, **events),
        via_site,
        total=Sum("amount_vnd"),
    )
    reached = _grouped(
        Contact.objects.filter(in_scope, **events),
        via_site,
        n=Count("participant__person", distinct=True),
    )
    completed = _grouped(
        Referral.objects.filter(in_scope, status=Referral.Status.COMPLETED, **events),
        via_site,
        n=Count("id"),
    )
    days = site_days(start=start, end=end, group=group, **scope)
    return {
        key: cost_figures(
            total=int(costs.get(key, {}).get("total") or 0),
            reached=reached.get(key, {}).get("n") or 0,
            completed=completed.get(key, {}).get("n") or 0,
            days=days.get(key, 0),
        )
        for key in set(costs) | set(reached) | set(completed) | set(days)
    }


def scale_up_budget(*, cost_per_site_year, areas, years=1):
    """The budget to bring `areas` more district-level areas to a model for `years` years, at the
    observed cost per site-year; None when that cost is unknown."""
    if cost_per_site_year is None:
        return None
    return int(
        (Decimal(cost_per_site_year) * areas * Decimal(years)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    )
