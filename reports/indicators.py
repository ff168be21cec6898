"""The indicator engine: every code of docs/indicators.md for a period and a scope, computed in the
database (aggregates, COUNT(DISTINCT …), EXISTS subqueries) in a fixed number of queries,
whatever the amount of data.

One code path serves the `indicators` command, the dashboards and the exports:
`compute_indicators` for one scope, `indicators_by` for the same numbers grouped by province,
historical province, model, region, site or site role (one grouped query per event table, not
one computation per group).
"""

from collections import defaultdict
from contextlib import contextmanager, nullcontext
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.conf import settings
from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Least, RowNumber

from participants.models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    PersonProfile,
    RightsAssessment,
)
from referrals.models import Referral
from sites.models import Cost, PeerGroup, Province, Site, Training

from . import catalogue

# The codes and how the derived ones are made come from the catalogue (reports.catalogue).
CODES = catalogue.CODES
PERCENTAGES = catalogue.PERCENTAGES  # code -> (numerator code, denominator code)
RATIOS = catalogue.RATIOS  # ratios in VND that still reveal their denominator: code -> (num, den)
MONEY_CODES = catalogue.MONEY_CODES
COUNT_CODES = catalogue.COUNT_CODES

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
    if isinstance(province, list | tuple | set | frozenset):
        # Several 2025 provinces (a release over the approved ones only).
        conditions[f"{prefix}province__current__code__in"] = sorted(province)
    elif province:
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


REPORT_WORK_MEM = "64MB"


@contextmanager
def report_cursor(using):
    """A cursor for one of the reports' large statements. On PostgreSQL, inside a transaction
    with its own `work_mem` (SET LOCAL, through set_config): the grouping of a national year's
    contacts by person fits in memory instead of spilling to disk, and no other query of the
    request gets the larger allowance. (JIT compilation is off for the whole connection: the
    settings' `-c jit=off`.)"""
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    # Inside a request's transaction already (ATOMIC_REQUESTS), the setting lasts until its
    # end; otherwise a transaction of its own (BEGIN and COMMIT, no savepoint) holds it.
    atomic = nullcontext() if connection.in_atomic_block else transaction.atomic(using=using)
    with atomic, connection.cursor() as cursor:
        work_mem = getattr(settings, "REPORT_WORK_MEM", REPORT_WORK_MEM)
        cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
        yield cursor


# The key of a site in each grouping, as the people statement reads it (s: the site, pv: its
# province).
GROUP_SQL = {
    "province": "pv.current_id",
    "province_legacy": "s.province_id",
    "model": "s.model_id",
    "region": "pv.region_id",
    "site": "s.id",
    "role": "s.role",
}
INTEGER_GROUPS = ("province", "province_legacy", "site")
SITE_KEYS = {
    "province": "province__current_id",
    "province_legacy": "province_id",
    "model": "model_id",
    "region": "province__region_id",
    "site": "id",
    "role": "role",
}


class Pass:
    """Every indicator of a page, for a period and a scope, in one pass over each event table,
    for any number of tables of the page: `wanted` lists them as (grouping, model) pairs — the
    grouping a key of GROUPINGS (None: the whole scope), the model (None: any) narrowing that
    table to one intervention model's sites (the pilot/control table).

    Each event table is read once, reduced per site (per person and site for the people
    reached and the workers assessed); every table of the page is then derived from those rows:
    in SQL for the people reached (one statement, one scan of the period's contacts and
    referrals, a branch per table over the reduced rows), in Python for the rest. The queries:
    the sites in scope, the people, the referrals, the workers' and establishments' latest
    assessments, the peer groups, trainings and costs — eight, whatever the number of tables
    (and, on PostgreSQL, one setting of work_mem for the people); seven when the one table is
    the whole scope (`whole_scope`: the people statement counts the referrals)."""

    def __init__(
        self,
        *,
        start,
        end,
        province=None,
        model=None,
        site=None,
        wanted=((None, None),),
        breakdowns=False,
    ):
        self.start, self.end = start, end
        self.scope = {"province": province, "model": model, "site": site}
        self.wanted = list(dict.fromkeys(tuple(w) for w in wanted))
        # The four breakdowns of the people reached (reached_breakdowns) in the same statement.
        self.with_breakdowns = breakdowns
        for group, _model in self.wanted:
            if group is not None and group not in GROUPINGS:
                raise ValueError(group)

    @property
    def whole_scope(self):
        """The one table is the whole scope (compute_indicators): the people statement counts
        the referrals too, and each worker's latest assessment is taken per person."""
        return self.wanted == [(None, None)] and not self.with_breakdowns

    # -- sites

    @cached_property
    def sites(self):
        """{site id: its row} of every site in scope: its keys in each grouping, its model, and
        whether it was active in the period. One query."""
        rows = Site.objects.filter(scope_filter("", **self.scope)).values(
            "id",
            "start_date",
            "end_date",
            "model_id",
            **{f"k_{g}": F(p) for g, p in SITE_KEYS.items()},
        )
        sites = {}
        for row in rows:
            row["active"] = row["start_date"] <= self.end and (
                row["end_date"] is None or row["end_date"] >= self.start
            )
            sites[row["id"]] = row
        return sites

    @cached_property
    def site_ids(self):
        if not any(self.scope.values()):
            return None
        return list(self.sites)

    def in_scope(self, prefix, date_field="date"):
        q = at_sites(prefix, self.site_ids)
        if date_field:
            q &= Q(**{f"{date_field}__gte": self.start, f"{date_field}__lte": self.end})
        return q

    def key(self, site_id, group, model):
        """The key of a site in a table (group, model); SKIP when the table leaves it out."""
        if site_id is WHOLE:
            return None
        site = self.sites.get(site_id)
        if site is None or (model is not None and site["model_id"] != model):
            return SKIP
        return None if group is None else site[f"k_{group}"]

    # -- tables reduced per site

    def _counted(self, queryset, **aggregates):
        """[(site id, {name: value})]: `queryset`'s rows counted per site, or, when the one
        table is the whole scope, counted over all of them in one row (site WHOLE)."""
        queryset = queryset.order_by()
        if self.whole_scope:
            return [(WHOLE, queryset.aggregate(**aggregates))]
        rows = queryset.values("site_id").annotate(**aggregates)
        return [(row.pop("site_id"), row) for row in rows]

    def _sites_active(self):
        """[(site id, {sites_active…})] of the sites in scope active in the period."""
        if self.whole_scope:
            roles = {
                f"sites_active_{role}": Count("id", filter=Q(role=role))
                for role in (Site.SiteRole.PILOT, Site.SiteRole.CONTROL, Site.SiteRole.SCALE_UP)
            }
            active = Site.objects.filter(
                at_sites("", self.site_ids), _active_sites_q("", self.start, self.end)
            )
            return [(WHOLE, active.aggregate(sites_active=Count("id"), **roles))]
        return [
            (
                site_id,
                {
                    "sites_active": 1,
                    "sites_active_pilot": int(site["k_role"] == Site.SiteRole.PILOT),
                    "sites_active_control": int(site["k_role"] == Site.SiteRole.CONTROL),
                    "sites_active_scale_up": int(site["k_role"] == Site.SiteRole.SCALE_UP),
                },
            )
            for site_id, site in self.sites.items()
            if site["active"]
        ]

    def per_site(self):
        """{site id: {raw name: value}} of every table that adds up over sites ({WHOLE: …}
        when the one table is the whole scope: each table counted in the database)."""
        out = defaultdict(lambda: defaultdict(int))
        active_groups = PeerGroup.objects.filter(
            at_sites("site__", self.site_ids), _active_sites_q("site__", self.start, self.end)
        )
        counted = [
            *self._sites_active(),
            *self.establishments(),
            *self._counted(active_groups, peer_group_members=Sum("members")),
            *self._counted(
                Training.objects.filter(self.in_scope("site__")),
                trainings=Count("id"),
                trainees=Sum("trainees"),
            ),
            *self._counted(
                Cost.objects.filter(self.in_scope("site__")), total_cost_vnd=Sum("amount_vnd")
            ),
        ]
        if not self.whole_scope:  # else counted by the people statement
            counted += self._counted(
                Referral.objects.filter(self.in_scope("site__")), **self.REFERRALS
            )
        for site_id, values in counted:
            for name, value in values.items():
                out[site_id][name] += value or 0
        return out

    # The referrals made and completed, as counted per site and in the people statement.
    REFERRALS = {
        "referrals_made": Count("*"),
        "referrals_completed": Count("status", filter=Q(status=Referral.Status.COMPLETED)),
    }

    def _latest(self, model, partition, conditions, values, *, count_by=None):
        """The latest (greatest date, then id) of `model`'s rows in scope and period in each
        partition, with whether it meets all `conditions`: [row of `values` + (meets,)]; with
        `count_by` (some of the names of `values`, or none), those rows counted in the database
        instead: [row of the `count_by` values + (how many, how many meet)]. PostgreSQL takes
        the first row of each partition with DISTINCT ON (one sort, no window over every row:
        59 → 18 ms for a national year's rights assessments at bench scale 0.5); the other
        databases rank the rows with ROW_NUMBER."""
        meets = Case(When(conditions, then=Value(1)), default=Value(0), output_field=IntegerField())
        named = {f"v_{n}": F(path) for n, path in values.items()}
        rows = model.objects.filter(self.in_scope("establishment__site__"))
        if connections[rows.db].vendor == "postgresql":
            keys = [f"{p}_id" for p in partition]
            latest = (
                rows.order_by(*keys, "-date", "-id")
                .distinct(*keys)
                .annotate(meets=meets, **named)
                .values_list(*named, "meets")
            )
            first = ""
        else:
            latest = (
                rows.order_by()
                .annotate(
                    latest_rank=Window(
                        RowNumber(),
                        partition_by=[F(p) for p in partition],
                        order_by=[F("date").desc(), F("id").desc()],
                    ),
                    meets=meets,
                )
                .values("latest_rank", "meets", **named)
            )
            first = " WHERE latest.latest_rank = 1"
        if count_by is None:
            columns = [f"latest.v_{n}" for n in values] + ["latest.meets"]
            grouped = ""
        else:
            keys = [f"latest.v_{n}" for n in count_by]
            columns = keys + ["COUNT(*)", "COALESCE(SUM(latest.meets), 0)"]
            grouped = f" GROUP BY {', '.join(keys)}" if keys else ""
        sql, params = latest.query.sql_with_params()
        outer = f"SELECT {', '.join(columns)} FROM ({sql}) latest{first}{grouped}"  # noqa: S608
        with connections[latest.db].cursor() as cursor:
            cursor.execute(outer, params)
            return cursor.fetchall()

    def establishments(self):
        """[(site id, {establishments assessed, compliant})] (_counted): an establishment
        belongs to one site, so its latest assessment is the same in every grouping."""
        by_site = [] if self.whole_scope else ["site"]
        rows = self._latest(
            EstablishmentAssessment,
            ["establishment"],
            Q(**{name: True for name in EstablishmentAssessment.DUTIES}),
            {"site": "establishment__site_id"},
            count_by=by_site,
        )
        names = ("establishments_assessed", "establishments_compliant")
        if self.whole_scope:
            return [(WHOLE, dict(zip(names, row, strict=True))) for row in rows]
        return [(site_id, dict(zip(names, counts, strict=True))) for site_id, *counts in rows]

    def rights(self):
        """{table: {key: (workers assessed, rights ensured)}}: of each person's latest
        assessment in the table's group (the latest per person and site, read once, then the
        latest of those per group); for the whole scope alone, the latest per person, counted
        in the database."""
        conditions = Q(**{name: True for name in RightsAssessment.CORE_RIGHTS})
        if self.whole_scope:
            person = ["participant__person"]
            ((assessed, ensured),) = self._latest(
                RightsAssessment, person, conditions, {}, count_by=[]
            )
            return {(None, None): {None: (assessed, ensured)}}
        rows = self._latest(
            RightsAssessment,
            ["participant__person", "establishment__site"],
            conditions,
            {
                "person": "participant__person_id",
                "site": "establishment__site_id",
                "date": "date",
                "id": "id",
            },
        )
        out = {}
        for table in self.wanted:
            latest = {}
            for person, site_id, day, pk, meets in rows:
                key = self.key(site_id, *table)
                if key is SKIP:
                    continue
                seen = latest.get((person, key))
                if seen is None or (day, pk) > seen[0]:
                    latest[(person, key)] = ((day, pk), meets)
            counts = defaultdict(lambda: [0, 0])
            for (_person, key), (_rank, meets) in latest.items():
                counts[key][0] += 1
                counts[key][1] += meets
            out[table] = counts
        return out

    # -- people reached

    def people(self):
        """{table: {key: {reached, reached_by_peer_groups, reached_with_need, referred}}}, in
        one statement: the period's contacts and referrals in scope reduced to one row per
        person (met, by a peer group, with a need, referred, and the first and last site).
        Most people are met at one site only: they are counted per site, and each table adds
        up its sites (their row is the same in every grouping). The few met (or referred) at
        several sites are grouped per person and key of each table (GROUPING SETS on
        PostgreSQL), then counted. With `breakdowns`, the same statement counts the people
        reached by sex, age group, residence and category from the same reduced contacts
        (self.breakdowns): the page's contacts are read once."""
        if self.whole_scope:
            return self.people_in_scope()
        return self._people_and_breakdowns[0]

    @cached_property
    def breakdowns(self):
        """{by: {value: count}} of the people reached (as reached_breakdowns), counted by the
        people statement of a Pass made with `breakdowns=True`."""
        if not self.with_breakdowns:
            raise ValueError("Pass(breakdowns=True) counts the breakdowns")
        return self._people_and_breakdowns[1]

    @cached_property
    def _people_and_breakdowns(self):
        (per_person_sql, referred_sites_sql, met_sql, referred_sql), params, db = (
            self._people_querysets()
        )
        connection = connections[db]
        grouping_sets = connection.vendor == "postgresql"
        n = len(self.wanted)
        breakdowns = self.with_breakdowns
        # A narrower scope than the country on PostgreSQL: a few thousand people, whose records
        # and enrolments are looked up by index (LATERAL … OFFSET 0, one look-up per row);
        # the whole country: by hash.
        lookup = grouping_sets and self.site_ids is not None
        # The whole country: the breakdowns from each person's profile.
        national = breakdowns and self.site_ids is None
        records, person, several = self._people_records(
            connection, per_person_sql, breakdowns, lookup, national=national
        )
        ctes = [
            # Per person met (and per record of theirs with the breakdowns; the row of the
            # first record met is the person's row): most people are met and referred at one
            # site only, their row counts the same in every table, at that site's key.
            "people AS (SELECT c.person_id AS person, c.site, c.record, c.last_record, "  # noqa: S608
            "c.by_group, c.with_need, "
            "CASE WHEN r.person_id IS NULL THEN 0 ELSE 1 END AS referral, "
            "CASE WHEN c.site = c.last_site AND (r.person_id IS NULL OR "
            "(r.site = c.site AND r.last_site = c.site)) THEN 1 ELSE 0 END AS one_site"
            f"{records} LEFT JOIN ({referred_sites_sql}) r ON r.person_id = {person})",
            # The others (met or referred at several sites, or met as several records).
            f"few AS (SELECT person, one_site FROM people WHERE id = record {several})",  # noqa: S608
            f"mx AS ({met_sql})",
            # Those met or referred at several sites, per site, to be grouped per table's key.
            "base AS (SELECT person_id AS person, site_id AS site, 1 AS met, by_group, "  # noqa: S608
            "with_need, 0 AS referral FROM mx "
            "WHERE person_id IN (SELECT person FROM few WHERE one_site = 0) "
            f"UNION ALL SELECT r.person_id, r.site_id, 0, 0, 0, 1 FROM ({referred_sql}) r)",
        ]
        # The people met at one site, counted per site (added up per table's key in Python):
        # (n, NULL keys, the site as text, four counts).
        key_columns = n if grouping_sets else 2
        key_nulls = "NULL, " * key_columns
        per_site = (
            f"SELECT {n}, {key_nulls}CAST(site AS TEXT), "  # noqa: S608
            "COUNT(*), SUM(by_group), SUM(with_need), SUM(with_need * referral) "
            "FROM people WHERE id = record AND one_site = 1 GROUP BY site"
        )
        branches = [per_site]
        if breakdowns:
            more_ctes, more_branches, more = people_breakdown_sql(
                connection,
                self.site_ids,
                self.end,
                key_columns=key_columns,
                lookup=lookup,
                national=national,
            )
            ctes += more_ctes
            branches += more_branches
            params += more
        if grouping_sets:
            sql, more = self._grouping_sets_sql(branches)
        else:
            sql, more = self._branches_sql(branches)
        sql = "WITH " + ", ".join(ctes) + " " + sql
        with report_cursor(db) as cursor:
            cursor.execute(sql, [*params, *more])
            return self._tally(cursor.fetchall(), grouping_sets=grouping_sets)

    def _people_querysets(self):
        """The people statement's four sub-statements (as SQL, with their parameters, and the
        database): one row per person met, the first and last site each person was referred
        at, and, for the few met at several sites or as several records (the statement's `few`),
        their contacts per person, record and site and their referrals per site."""
        flag = {"default": Value(0), "output_field": IntegerField()}
        flags = {
            "by_group": Max(Case(When(peer_group__isnull=False, then=Value(1)), **flag)),
            "with_need": Max(Case(When(needs__any=True, then=Value(1)), **flag)),
        }
        contacts = Contact.objects.filter(self.in_scope("site__")).order_by()
        referrals = Referral.objects.filter(self.in_scope("site__")).order_by()
        # One row per person met: the first and last site and record met, and the flags.
        per_person = contacts.values("person_id").annotate(
            site=Min("site_id"),
            last_site=Max("site_id"),
            record=Min("participant_id"),
            last_record=Max("participant_id"),
            **flags,
        )
        # The first and last site each person was referred at.
        referred_sites = referrals.values("person_id").annotate(
            site=Min("site_id"), last_site=Max("site_id")
        )
        # Per person, record and site, of the few people met at several sites or as several
        # records only (looked up by the person index), and the sites the few met at several
        # sites were referred at.
        few = {"person_id__in": RawSQL("SELECT person FROM few", [])}
        several_sites = {"person_id__in": RawSQL("SELECT person FROM few WHERE one_site = 0", [])}
        met = (
            contacts.filter(**few)
            .values("person_id", "participant_id", "site_id")
            .annotate(**flags)
        )
        referred = referrals.filter(**several_sites).values("person_id", "site_id").distinct()
        sqls, params = [], []
        for queryset in (per_person, referred_sites, met, referred):
            sql, more = queryset.query.sql_with_params()
            sqls.append(sql)
            params += more
        return sqls, params, met.db

    def _people_records(self, connection, per_person_sql, breakdowns, lookup, *, national):
        """The `people` row's source, the person column the referrals join on, and which
        people are `few`: with the breakdowns, each record of each person met (`national`: the
        person's first record met and their profile, participants.models.PersonProfile);
        without, the person's first record met."""
        quote = connection.ops.quote_name
        if national:
            # Sex and birth year of the record met when the person's records disagree (the
            # profile leaves them NULL): looked up for those few only.
            profiles = quote(PersonProfile._meta.db_table)
            participants = quote(Participant._meta.db_table)
            met = [
                f"COALESCE(pp.{column}, (SELECT m.{column} FROM {participants} m "  # noqa: S608
                f"WHERE m.id = c.record)) AS {column}"
                for column in ("sex", "birth_year")
            ]
            records = (
                f", c.record AS id, {', '.join(met)}, pp.category, pp.residence "  # noqa: S608
                f"FROM ({per_person_sql}) c LEFT JOIN {profiles} pp ON pp.person_id = c.person_id"
            )
            return records, "c.person_id", "AND (one_site = 0 OR record <> last_record)"
        if breakdowns:
            # Each record of each person met (the records met, and their records elsewhere).
            # The referrals are joined on the record's person: the planner knows how many
            # people the records have, not how many groups the contacts make, and sizes the
            # rows (and the joins after) from it.
            participants = quote(Participant._meta.db_table)
            columns = "p.id AS id, p.sex, p.birth_year, p.category, p.residence"
            if lookup:
                joined = (
                    f"JOIN LATERAL (SELECT * FROM {participants} p "  # noqa: S608
                    "WHERE p.person_id = c.person_id OFFSET 0) p ON TRUE"
                )
            else:
                joined = f"JOIN {participants} p ON p.person_id = c.person_id"
            records = f", {columns} FROM ({per_person_sql}) c {joined}"
            person = "p.person_id"
            several = "AND (one_site = 0 OR record <> last_record)"
        else:
            records = f", c.record AS id FROM ({per_person_sql}) c"  # noqa: S608
            person = "c.person_id"
            several = "AND one_site = 0"
        return records, person, several

    def _tally(self, rows, *, grouping_sets):
        """The people statement's rows added up into ({table: {key: counts}}, {by: {value:
        count}}): a row of one site's people met there only counts in every table at its key."""
        n = len(self.wanted)
        names = ("reached", "reached_by_peer_groups", "reached_with_need", "referred")
        out = {table: defaultdict(lambda: dict.fromkeys(names, 0)) for table in self.wanted}
        found = {by: {} for by in PEOPLE_BREAKDOWNS}
        for index, *keys, value, c1, c2, c3, c4 in rows:
            counts = (c1, c2, c3, c4)
            if index < 0:
                found_by = found[PEOPLE_BREAKDOWNS[-1 - index]]
                found_by[value] = found_by.get(value, 0) + counts[0]
                continue
            if index == n:  # one site's people met there only: in each table at its key
                site_id = int(value)
                places = [(table, self.key(site_id, *table)) for table in self.wanted]
            else:
                group, model = table = self.wanted[index]
                # GROUPING SETS: the key in its table's column; else a whole number, or a code.
                if grouping_sets:
                    key = keys[index]
                else:
                    key = next((k for k in keys if k is not None), None)
                places = [(table, key if group else None)]
            for table, key in places:
                if key is SKIP:
                    continue
                counted = out[table][key]
                for name, count in zip(names, counts, strict=True):
                    counted[name] += count or 0
        return {table: dict(keyed) for table, keyed in out.items()}, found

    def _keyed(self, params):
        """The reduced rows (`base`) with each site's keys: a column k<i> per wanted table, and
        in<i> (whether the site is of the table's model) for a table narrowed to one model."""
        quote = connections[Site.objects.db].ops.quote_name
        sites, provinces = quote(Site._meta.db_table), quote(Province._meta.db_table)
        columns = []
        for index, (group, model) in enumerate(self.wanted):
            columns.append(f"{GROUP_SQL[group] if group else '0'} AS k{index}")
            if model is not None:
                columns.append(f"COALESCE(s.model_id = %s, FALSE) AS in{index}")
                params.append(model)
        return (
            "SELECT b.person, b.met, b.by_group, b.with_need, b.referral, "  # noqa: S608
            f"{', '.join(columns)} FROM base b JOIN {sites} s ON s.id = b.site "
            f"JOIN {provinces} pv ON pv.id = s.province_id"
        )

    def _grouping_sets_sql(self, breakdown_branches):
        """PostgreSQL: every table from one reading of the reduced rows, with GROUPING SETS —
        per person and key of each table (and whether its site is of the table's model), then
        counted per table and key. Rows: (table index, k0 … kn, NULL, four counts); the
        breakdowns' rows (negative index, NULLs, value, count, 0, 0, 0) follow."""
        params = []
        keyed = self._keyed(params)
        n = len(self.wanted)
        keys = [f"k{i}" for i in range(n)]
        sets, which, outside = [], [], []
        for index, (_group, model) in enumerate(self.wanted):
            narrowed = f", in{index}" if model is not None else ""
            sets.append(f"(person, k{index}{narrowed})")
            which.append(f"WHEN GROUPING(k{index}) = 0 THEN {index}")
            if model is not None:
                outside.append(f"AND COALESCE(x.in{index}, TRUE)")
        narrowed_columns = [f"in{i}" for i, (_g, m) in enumerate(self.wanted) if m is not None]
        inner = (
            f"SELECT CASE {' '.join(which)} END AS t, "  # noqa: S608
            f"{', '.join(keys + narrowed_columns)}, MAX(met) AS met, MAX(by_group) AS by_group, "
            "MAX(with_need) AS with_need, MAX(referral) AS referral "
            # OFFSET 0 keeps the keys distinct columns (two tables may share an expression).
            f"FROM ({keyed} OFFSET 0) keyed GROUP BY GROUPING SETS ({', '.join(sets)})"
        )
        x_keys = ", ".join(f"x.{k}" for k in keys)
        tables = (
            f"SELECT x.t, {x_keys}, NULL, COUNT(*), SUM(x.by_group), SUM(x.with_need), "  # noqa: S608
            f"SUM(x.with_need * x.referral) FROM ({inner}) x WHERE x.met = 1 "
            f"{' '.join(outside)} GROUP BY x.t, {x_keys}"
        )
        return " UNION ALL ".join([tables, *breakdown_branches]), params

    def _branches_sql(self, breakdown_branches):
        """Elsewhere (SQLite has no GROUPING SETS): a branch per table over the reduced rows.
        Rows: (table index, whole-number key, code key, NULL, four counts), then the
        breakdowns' rows (negative index, NULL, NULL, value, count, 0, 0, 0)."""
        quote = connections[Site.objects.db].ops.quote_name
        sites, provinces = quote(Site._meta.db_table), quote(Province._meta.db_table)
        params, table_branches = [], []
        for index, (group, model) in enumerate(self.wanted):
            key = GROUP_SQL[group] if group else "0"
            by_key = f", {key}" if group else ""
            where = ""
            if model is not None:
                where = "WHERE s.model_id = %s"
                params.append(model)
            # Whole numbers and codes in columns of their own: a UNION keeps one type a column.
            keys = "x.g, NULL" if group in INTEGER_GROUPS or not group else "NULL, x.g"
            table_branches.append(
                f"SELECT {index}, {keys}, NULL, COUNT(*), SUM(x.by_group), SUM(x.with_need), "  # noqa: S608
                "SUM(x.with_need * x.referral) FROM ("
                f"SELECT b.person, {key} AS g, MAX(b.met) AS met, MAX(b.by_group) AS by_group, "
                "MAX(b.with_need) AS with_need, MAX(b.referral) AS referral "
                f"FROM base b JOIN {sites} s ON s.id = b.site "
                f"JOIN {provinces} pv ON pv.id = s.province_id {where} "
                f"GROUP BY b.person{by_key}) x WHERE x.met = 1 GROUP BY x.g"
            )
        return " UNION ALL ".join(table_branches + breakdown_branches), params

    def people_in_scope(self):
        """people() when the only table is the whole scope, with the referrals made and
        completed: the referrals reduced to one row per person referred (read once, for both)
        and the contacts to one row per person met, joined, counted."""
        flag = {"default": Value(0), "output_field": IntegerField()}
        met = (
            Contact.objects.filter(self.in_scope("site__"))
            .order_by()
            .values("person_id")
            .annotate(
                by_group=Max(Case(When(peer_group__isnull=False, then=Value(1)), **flag)),
                with_need=Max(Case(When(needs__any=True, then=Value(1)), **flag)),
            )
        )
        met_sql, met_params = met.query.sql_with_params()
        referred = (
            Referral.objects.filter(self.in_scope("site__"))
            .order_by()
            .values("person_id")
            .annotate(**self.REFERRALS)
        )
        referred_sql, referred_params = referred.query.sql_with_params()
        # `r` is read twice: PostgreSQL computes it once (a CTE used twice is materialized).
        sql = (
            f"WITH r AS ({referred_sql}) "  # noqa: S608
            "SELECT people.*, refs.* FROM (SELECT COUNT(*), SUM(c.by_group), SUM(c.with_need), "
            "SUM(CASE WHEN c.with_need = 1 AND r.person_id IS NOT NULL THEN 1 ELSE 0 END) "
            f"FROM ({met_sql}) c LEFT JOIN r ON r.person_id = c.person_id) people, "
            "(SELECT SUM(referrals_made), SUM(referrals_completed) FROM r) refs"
        )
        with report_cursor(met.db) as cursor:
            cursor.execute(sql, (*referred_params, *met_params))
            row = cursor.fetchone()
        names = (
            "reached",
            "reached_by_peer_groups",
            "reached_with_need",
            "referred",
            "referrals_made",
            "referrals_completed",
        )
        return {(None, None): {None: dict(zip(names, row, strict=True))}}

    # -- every table

    @cached_property
    def tables(self):
        """{(grouping, model): {key: every code}} of every wanted table."""
        per_site = self.per_site()
        rights = self.rights()
        people = self.people()
        result = {}
        for table in self.wanted:
            merged = defaultdict(dict)
            for site_id, values in per_site.items():
                key = self.key(site_id, *table)
                if key is SKIP:
                    continue
                raw = merged[key]
                for name, value in values.items():
                    raw[name] = raw.get(name, 0) + value
            for key, (assessed, ensured) in rights[table].items():
                merged[key].update(workers_assessed=assessed, workers_rights_ensured=ensured)
            for key, values in people[table].items():
                merged[key].update(values)
            if table[0] is None:
                merged[None]  # the whole scope always has its row
            result[table] = {key: finish(raw) for key, raw in merged.items()}
        return result

    def get(self, group=None, model=None):
        """One wanted table: {key: {code: value}} ({None: …} for the whole scope)."""
        return self.tables[(group, model)]


SKIP = object()
WHOLE = object()  # the site of the one row of a table counted over the whole scope


def finish(raw):
    """Raw aggregates -> every code: missing counts and sums are 0, percentages and the cost per
    person reached are derived from them (None on a zero denominator)."""
    values = {}
    codes, percentages, ratios = tuple(CODES), dict(PERCENTAGES), dict(RATIOS)
    for code in codes:
        if code in percentages or code in ratios:
            continue
        value = raw.get(code)
        values[code] = 0 if value is None else int(value)
    for code, (numerator, denominator) in percentages.items():
        values[code] = percentage(values[numerator], values[denominator])
    for code, (amount, count) in ratios.items():
        values[code] = divide_vnd(values[amount], values[count])
    return {code: values[code] for code in codes}


def compute_indicators(*, start, end, province=None, model=None, site=None):
    """Every docs/indicators.md code for [start, end] in a scope: a 2025 province code (takes in
    the pre-2025 provinces merged into it) or a list of them, an intervention model code, a site
    code, or any combination (None = no restriction). Seven queries for the whole country, eight
    for a narrower scope (its sites are read first); one more on PostgreSQL (work_mem)."""
    figures = Pass(start=start, end=end, province=province, model=model, site=site)
    return figures.get()[None]


def indicators_by(group, *, start, end, province=None, model=None, site=None):
    """The same codes grouped by `group` (a key of GROUPINGS) -> {group id: {code: value}}.
    Groups with no data at all are absent (use `finish({})` for them). Eight queries (nine on
    PostgreSQL). A page showing several tables asks one `Pass` for all of them."""
    figures = Pass(
        start=start, end=end, province=province, model=model, site=site, wanted=[(group, None)]
    )
    return figures.get(group)


# Every code of a group with no data (read-only, follows the catalogue).
EMPTY = catalogue.Table("empty", lambda: finish({}))


# Breakdowns of `reached` --------------------------------------------------------------------


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


PEOPLE_BREAKDOWNS = ("sex", "age_group", "residence", "category")


def reached_breakdown(by, *, start, end, province=None, model=None, site=None, peer_group=None):
    """Distinct participants reached in scope and period, per value of `by` ("sex",
    "age_group", "residence", "category", "model", "province" (2025), "province_legacy",
    "region", "site") -> {value: count}; `peer_group` keeps the contacts that group made. One
    grouped query, and one for the sites in scope."""
    scope = {"province": province, "model": model, "site": site, "peer_group": peer_group}
    if by in PEOPLE_BREAKDOWNS:
        return reached_breakdowns(start=start, end=end, **scope)[by]
    site_ids = scope_site_ids(province=province, model=model, site=site)
    contacts = Contact.objects.filter(
        at_sites("site__", site_ids), date__gte=start, date__lte=end
    ).order_by()
    if peer_group is not None:
        contacts = contacts.filter(peer_group=peer_group)
    rows = contacts.values(key_=F(BREAKDOWN_PATHS[by])).annotate(n=Count("person", distinct=True))
    return {row["key_"]: row["n"] for row in rows}


def reached_breakdowns(*, start, end, province=None, model=None, site=None, peer_group=None):
    """The people reached in scope and period by sex, age group, residence and category ->
    {by: {value: count}}, in one statement (and one query for the sites in scope): the pairs
    (person, participant record) met are read once; sex and age come from the record met (a
    person recorded differently by two provinces counts in each group), residence and category
    from each person's latest enrolment in scope (greatest date, then id): `breakdown_sql`, which
    a Pass uses too, to count them in the statement of its people reached."""
    site_ids = scope_site_ids(province=province, model=model, site=site)
    reached = Contact.objects.filter(
        at_sites("site__", site_ids), date__gte=start, date__lte=end
    ).order_by()
    if peer_group is not None:
        reached = reached.filter(peer_group=peer_group)
    reached = reached.values("person_id", "participant_id").distinct()
    reached_sql, params = reached.query.sql_with_params()
    ctes, branches, more = breakdown_sql(
        connections[reached.db],
        f"SELECT person_id, participant_id FROM ({reached_sql}) pairs",  # noqa: S608
        site_ids,
        end,
        national=site_ids is None and peer_group is None,
    )
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(branches)
    out = {by: {} for by in PEOPLE_BREAKDOWNS}
    with report_cursor(reached.db) as cursor:
        cursor.execute(sql, [*params, *more])
        for index, _number, value, count, *_rest in cursor.fetchall():
            out[PEOPLE_BREAKDOWNS[-1 - index]][value] = count
    return out


def _age_group_sql(end):
    """The age group at the period's end, from `birth_year`."""
    year = end.year
    return (
        f"CASE WHEN birth_year > {year - 18} THEN '<18' "
        f"WHEN birth_year > {year - 25} THEN '18-24' "
        f"WHEN birth_year > {year - 35} THEN '25-34' "
        f"WHEN birth_year > {year - 50} THEN '35-49' ELSE '50+' END"
    )


def _latest_enrolment_sql(connection, records, person, site_ids, *, lookup=False):
    """Each person's latest enrolment in scope (greatest date, then id) of the rows of `records`
    (a CTE of participant records: id, `person`, category, residence): (SELECT of person,
    category, residence; params). DISTINCT ON on PostgreSQL, a window elsewhere; `lookup`
    (PostgreSQL, a few thousand records): each record's enrolments looked up by index."""
    enrolments = connection.ops.quote_name(Enrolment._meta.db_table)
    params = []
    if site_ids is None:
        at_site = ""
    elif site_ids:
        at_site = f"AND e.site_id IN ({', '.join(['%s'] * len(site_ids))})"
        params += site_ids
    else:
        at_site = "AND 1 = 0"
    if lookup:
        enrolled = (
            f"FROM {records} p JOIN LATERAL (SELECT e.enrolled_on, e.id FROM {enrolments} e "  # noqa: S608
            f"WHERE e.participant_id = p.id {at_site} OFFSET 0) e ON TRUE"
        )
    else:
        enrolled = (
            f"FROM {records} p JOIN {enrolments} e ON e.participant_id = p.id "  # noqa: S608
            f"WHERE 1 = 1 {at_site}"
        )
    if connection.vendor == "postgresql":
        latest = (
            f"SELECT DISTINCT ON (p.{person}) p.{person} AS person, p.category, "  # noqa: S608
            f"p.residence {enrolled} ORDER BY p.{person}, e.enrolled_on DESC, e.id DESC"
        )
    else:
        latest = (
            "SELECT person, category, residence FROM (SELECT p.{person} AS person, "  # noqa: S608
            "p.category, p.residence, ROW_NUMBER() OVER (PARTITION BY p.{person} "
            f"ORDER BY e.enrolled_on DESC, e.id DESC) AS n {enrolled}) ranked WHERE n = 1"
        ).replace("{person}", person)
    return latest, params


def _breakdown_branches(counted, key_columns):
    """SELECT branches (-1 - position in PEOPLE_BREAKDOWNS, `key_columns` NULLs, value, count,
    0, 0, 0) from (breakdown, value, count, FROM … WHERE … of the rows counted)."""
    nulls = "NULL, " * key_columns
    return [
        f"SELECT {-1 - PEOPLE_BREAKDOWNS.index(by)}, {nulls}{value}, {count}, 0, 0, 0 "  # noqa: S608
        f"{source} GROUP BY {value}"
        for by, value, count, source in counted
    ]


def people_breakdown_sql(connection, site_ids, end, *, key_columns, lookup=False, national=False):
    """The four breakdowns of the people reached, from a Pass's people statement: its
    `people` CTE (a row per person met and record of theirs: id, sex, birth_year, category,
    residence, and the first and last record met) and `mx` (the (person, record, site) met of
    the people met as several records, among others). (CTEs, SELECT branches, params of the
    CTEs), as breakdown_sql; a value may come in two rows, to be added up.

    Sex and age of a person met as one record are that record's: counted once per person, with
    no DISTINCT; a person met as several records counts once in each group of theirs. Residence
    and category from each person's latest enrolment in scope (greatest date, then id), among
    the enrolments of all their records.

    `national` (the whole country): `people` is a row per person met, with their first record
    met as `id` and their profile (participants.models.PersonProfile: the latest enrolment's
    category and residence, and sex and birth year, the record met's where records disagree);
    the records of the people met as several records are read from `mx`."""
    age = _age_group_sql(end)
    if national:
        return _national_breakdown_sql(connection, age, key_columns)
    latest, params = _latest_enrolment_sql(connection, "people", "person", site_ids, lookup=lookup)
    one = "FROM people WHERE id = record AND record = last_record"
    several = "FROM people WHERE record <> last_record AND id IN (SELECT participant_id FROM mx)"
    counted = (
        ("sex", "sex", "COUNT(*)", one),
        ("sex", "sex", "COUNT(DISTINCT person)", several),
        ("age_group", age, "COUNT(*)", one),
        ("age_group", age, "COUNT(DISTINCT person)", several),
        ("residence", "residence", "COUNT(*)", "FROM latest"),
        ("category", "category", "COUNT(*)", "FROM latest"),
    )
    return [f"latest AS ({latest})"], _breakdown_branches(counted, key_columns), params


def _national_breakdown_sql(connection, age, key_columns):
    """people_breakdown_sql for the whole country, from the profiles carried on `people`: the
    records of the few people met as several records looked up one by one (`several`); on
    PostgreSQL the people met as one record counted in one pass for the four breakdowns
    (GROUPING SETS)."""
    participants = connection.ops.quote_name(Participant._meta.db_table)
    looked_up = ", ".join(
        f"(SELECT m.{column} FROM {participants} m WHERE m.id = x.participant_id) AS {column}"  # noqa: S608
        for column in ("sex", "birth_year")
    )
    ctes = [
        f"several AS (SELECT DISTINCT x.person_id AS person, {looked_up} FROM mx x "  # noqa: S608
        "WHERE x.person_id IN (SELECT person FROM people WHERE record <> last_record))"
    ]
    counted = [
        ("sex", "sex", "COUNT(DISTINCT person)", "FROM several"),
        ("age_group", age, "COUNT(DISTINCT person)", "FROM several"),
    ]
    one = "FROM people WHERE record = last_record"
    latest = "FROM people WHERE category IS NOT NULL"
    if connection.vendor != "postgresql":
        counted += [
            ("sex", "sex", "COUNT(*)", one),
            ("age_group", age, "COUNT(*)", one),
            ("residence", "residence", "COUNT(*)", latest),
            ("category", "category", "COUNT(*)", latest),
        ]
        return ctes, _breakdown_branches(counted, key_columns), []
    index = {by: -1 - PEOPLE_BREAKDOWNS.index(by) for by in PEOPLE_BREAKDOWNS}
    nulls = "NULL, " * key_columns
    one_pass = (
        f"SELECT t, {nulls}value, n, 0, 0, 0 FROM (SELECT CASE "  # noqa: S608
        f"WHEN GROUPING(sex) = 0 THEN {index['sex']} "
        f"WHEN GROUPING(age) = 0 THEN {index['age_group']} "
        f"WHEN GROUPING(residence) = 0 THEN {index['residence']} "
        f"ELSE {index['category']} END AS t, "
        "COALESCE(sex, age, residence, category) AS value, "
        "CASE WHEN GROUPING(sex) = 0 OR GROUPING(age) = 0 THEN SUM(one) ELSE SUM(latest) END AS n "
        f"FROM (SELECT sex, {age} AS age, residence, category, "
        "CASE WHEN record = last_record THEN 1 ELSE 0 END AS one, "
        "CASE WHEN category IS NOT NULL THEN 1 ELSE 0 END AS latest FROM people) p "
        "GROUP BY GROUPING SETS ((sex), (age), (residence), (category))) g WHERE n > 0"
    )
    return ctes, [*_breakdown_branches(counted, key_columns), one_pass], []


def breakdown_sql(connection, pairs_sql, site_ids, end, *, key_columns=1, national=None):
    """The statement pieces of the four breakdowns of the people reached, from `pairs_sql` (a
    SELECT of the (person_id, participant_id) met, repeats allowed): (CTEs, SELECT branches,
    params of the CTEs). Each branch gives (-1 - position in PEOPLE_BREAKDOWNS, `key_columns`
    NULLs, value, count, 0, 0, 0), the shape of a Pass's rows.

    Sex and age come from the record met (a person recorded differently by two provinces
    counts in each group); residence and category from each person's latest enrolment in
    scope (greatest date, then id). The people reached are narrowed to first: every record of
    theirs is read once (`national`, by default when `site_ids` is None — the whole country: by
    hash; a narrower scope: through the person index), then only their enrolments, of which
    each person's latest is taken with DISTINCT ON on PostgreSQL (a window elsewhere)."""
    participants = connection.ops.quote_name(Participant._meta.db_table)
    columns = "p.id, p.person_id, p.sex, p.birth_year, p.category, p.residence"
    if national is None:
        national = site_ids is None
    if national:
        # The whole country: tens of thousands of people, read by hash (a join the planner
        # sizes from the pairs; a semi-join on a set it cannot size made it look each person
        # up by index, one at a time).
        records = (
            f"SELECT DISTINCT {columns} FROM met_pairs r "  # noqa: S608
            f"JOIN {participants} p ON p.person_id = r.person_id"
        )
    else:
        # A province, a site, a peer group: a few thousand people, looked up by the person index.
        records = (
            f"SELECT {columns} FROM {participants} p "  # noqa: S608
            "WHERE p.person_id IN (SELECT person_id FROM met_pairs)"
        )
    latest, params = _latest_enrolment_sql(connection, "records", "person_id", site_ids)
    ctes = [
        f"met_pairs AS ({pairs_sql})",
        # Every record of the people reached (those met, and their records elsewhere).
        f"records AS ({records})",
        "reached AS (SELECT r.person_id, p.sex, p.birth_year FROM met_pairs r "
        "JOIN records p ON p.id = r.participant_id)",
        f"latest AS ({latest})",
    ]
    counted = (
        ("sex", "sex", "COUNT(DISTINCT person_id)", "FROM reached"),
        ("age_group", _age_group_sql(end), "COUNT(DISTINCT person_id)", "FROM reached"),
        ("residence", "residence", "COUNT(*)", "FROM latest"),
        ("category", "category", "COUNT(*)", "FROM latest"),
    )
    return ctes, _breakdown_branches(counted, key_columns), params


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
        n=Count("person", distinct=True),
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
