"""Disclosure control of releases (docs/indicators.md, "Small-cell suppression"; the method
is written down in reports/DISCLOSURE.md).

A release is every table a user can obtain for one published period, decided as one linked set:
the national table by 2025 province and by pre-2025 province, by model, the worker-rights
model's pilot / control / scale-up sites with their total, the breakdowns of people reached, and
costs by province. `publishable_tables` computes them with the indicator engine, hides small
counts of people ("<5"), adds complementary suppression ("x") over the whole set and over the
releases already published for nesting periods (`fixed`), and runs the attacker check: for every
hidden cell, the interval an analyst can derive from everything published, by linear
programming (`attack`). A release that fails the check is refused (`DisclosureError`).

Release format (JSON-serialisable, stored as it is by the reporting cycle):

    {"period": {"start": "2019-01-01", "end": "2019-03-31"}, "threshold": 5,
     "tables": {name: {"codes": [...], "rows": {key: {code: value}}, "total": {code: value}}},
     "markers": {"small": "<5", "hidden": "x"}}

Tables: "province_2025" (rows: 2025 province codes), "province_legacy" (pre-2025 codes, plus
"<code>-2025" for a 2025 province whose own post-merger sites have data), "model", "role"
(pilot / control / scale_up of the worker-rights model; its total is that model's row),
"breakdown_<by>" for by in sex, age_group, residence, category, model, region (code "reached";
"unknown" holds people reached with no enrolment in scope, when there are any) and "costs"
(rows: 2025 province codes). A value is an int, a decimal as a string ("52.3"), None (no
denominator), or a marker.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext as _
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array

from programs.models import InterventionModel
from sites.models import Province, Region, Site

from . import catalogue, selectors, suppression
from .indicators import (
    CODES,
    EMPTY,
    Pass,
    breakdown_labels,
    cost_results,
    percentage,
    reached_breakdowns,
)
from .suppression import (
    ADDITIVE,
    COVERING,
    DISTINCT,
    HIDDEN,
    MONOTONE,
    PROTECTED_COUNTS,
    RELATIONS,
    ROW_FACTS,
)

TOTAL = "total"
LEGACY_2025_SUFFIX = "-2025"
UNKNOWN_GROUP = "unknown"

# The columns of each table: the national export's (every code) by province, with coverage;
# the dashboard's by model (with the counts behind its percentages), by site role and of costs.
COVERAGE_CODES = catalogue.COVERAGE_CODES
PROVINCE_CODES = catalogue.RELEASE_COLUMNS[catalogue.PROVINCE]
MODEL_CODES = catalogue.RELEASE_COLUMNS[catalogue.MODEL]
ROLE_CODES = catalogue.RELEASE_COLUMNS[catalogue.ROLE]
COST_CODES = catalogue.RELEASE_COLUMNS[catalogue.COSTS]
BREAKDOWNS = ("sex", "age_group", "residence", "category", "model", "region")
# Breakdowns where each person reached falls in exactly one group: they add up to `reached`.
PARTITIONS = ("sex", "age_group", "residence", "category")
# Breakdowns whose groups are the same in every period (sex is the person's own, region the
# site's; the model breakdown is the model table's): a group in a quarter is part of the same
# group in the year.
STABLE_GROUPS = ("sex", "region")
# Derived values: code -> (numerator, denominator). Hidden when either is hidden.
RATIO_PARTS = catalogue.RATIO_PARTS

NATIONAL = ("national",)
# Relation kinds beyond suppression.RELATIONS: exact partition of a total; the sum of parts
# that do not cover the whole is at most the whole (additive codes); one cell <= another.
PARTITION = "partition"
AT_MOST_WHOLE = "at_most_whole"
FACT = "fact"

SMALL = "small"
# The cells of a province whose period was not approved when the release was published.
UNAPPROVED = "chưa phê duyệt"
# Integer rounding of the programs' bounds allows for the solver's tolerance.
TOLERANCE = 1e-6


class DisclosureError(Exception):
    """The release cannot be published: `cells` lists the hidden cells an analyst could still
    work back (or why the check could not run)."""

    def __init__(self, message, cells=()):
        super().__init__(message)
        self.cells = list(cells)


# ------------------------------------------------------------------------------ the tables


@dataclass
class Units:
    """The province hierarchy: every row key of the pre-2025 table -> its 2025 province and its
    region; the codes of the 2025 provinces, in order; each province's code and row key by
    primary key."""

    parent: dict = field(default_factory=dict)
    region: dict = field(default_factory=dict)
    current: list = field(default_factory=list)
    by_pk: dict = field(default_factory=dict)

    @classmethod
    def load(cls):
        """One query."""
        units = cls()
        rows = Province.objects.order_by("code").values_list(
            "pk", "code", "unit_set", "current__code", "region_id"
        )
        for pk, code, unit_set, current, region in rows:
            if unit_set == Province.UnitSet.CURRENT:
                key = code + LEGACY_2025_SUFFIX
                units.current.append(code)
            else:
                key = code
            units.by_pk[pk] = (code, key)
            units.parent[key] = current or code
            units.region[key] = region
        return units


def _province_values(row):
    return {
        **{code: row.values[code] for code in CODES},
        "localities_covered": row.coverage["covered"],
        "locality_units": row.coverage["units"],
        "coverage_pct": row.coverage["pct"],
    }


def _national_values(national, rows):
    """The national row of a province table; its coverage adds up the provinces'."""
    covered = sum(row.coverage["covered"] for row in rows)
    counts = [row.coverage["units"] for row in rows]
    units = None if any(count is None for count in counts) else sum(counts)
    pct = percentage(covered, units) if units else None
    return {
        **{code: national[code] for code in CODES},
        "localities_covered": covered,
        "locality_units": units,
        "coverage_pct": pct,
    }


def _no_costs():
    return {
        "total_cost_vnd": 0,
        "reached": 0,
        "referrals_completed": 0,
        "cost_per_reached_vnd": None,
        "cost_per_completed_referral_vnd": None,
        "site_years": Decimal("0.00"),
        "cost_per_site_year_vnd": None,
    }


def _table(codes, rows, total):
    return {
        "codes": list(codes),
        "rows": {key: {code: values[code] for code in codes} for key, values in rows.items()},
        "total": {code: total[code] for code in codes},
    }


def raw_tables(*, start, end, units, provinces=None):
    """The linked set of tables for [start, end], unsuppressed (Python values). `provinces` (2025
    codes; None: every province) narrows every figure to those provinces, national and regional
    rows included; the province tables then hold their rows only. About 30 queries, whatever
    the amount of data."""
    scope = None if provinces is None else sorted(provinces)

    def kept(rows):
        if scope is None:
            return rows
        return [row for row in rows if units.parent.get(units.by_pk[row.key][1]) in scope]

    worker_rights = InterventionModel.WORKER_RIGHTS
    # One pass of the indicator engine for every table of the release.
    figures = Pass(
        start=start,
        end=end,
        province=scope,
        wanted=[
            ("province", None),
            ("province_legacy", None),
            (None, None),
            ("model", None),
            ("role", worker_rights),
            ("region", None),
        ],
    )
    rows, national = selectors.province_table(
        start=start, end=end, units="2025", scope=scope, figures=figures
    )
    rows = kept(rows)
    tables = {
        "province_2025": _table(
            PROVINCE_CODES,
            {row.code: _province_values(row) for row in rows},
            _national_values(national, rows),
        )
    }
    legacy, _national = selectors.province_table(
        start=start, end=end, units="legacy", scope=scope, figures=figures
    )
    legacy = kept(legacy)
    tables["province_legacy"] = _table(
        PROVINCE_CODES,
        {units.by_pk[row.key][1]: _province_values(row) for row in legacy},
        _national_values(national, legacy),
    )
    models = [m.code for m in InterventionModel.objects.all()]
    by_model = figures.get("model")
    model_rows = {code: by_model.get(code, EMPTY) for code in models}
    tables["model"] = _table(MODEL_CODES, model_rows, national)
    by_role = figures.get("role", worker_rights)
    tables["role"] = _table(
        ROLE_CODES,
        {role: by_role.get(role, EMPTY) for role in Site.SiteRole.values},
        model_rows.get(worker_rights, EMPTY),
    )
    people = reached_breakdowns(start=start, end=end, province=scope)
    tables.update(_breakdown_tables(figures, people, national["reached"], models))
    tables["costs"] = _cost_table(start=start, end=end, units=units, scope=scope)
    _same_figures_everywhere(tables)
    return tables


def _breakdown_tables(figures, people, reached, models):
    """The breakdowns of the people reached: by sex, age group, residence and category from
    `people` (reached_breakdowns), by model and region from the pass `figures`; the partitions
    with an "unknown" group for the people reached with no enrolment in scope."""
    tables = {}
    for by in BREAKDOWNS:
        if by in people:
            counts = people[by]
        else:  # by model or region: the people reached of the pass's table
            counts = {key: values["reached"] for key, values in figures.get(by).items()}
        if by in PARTITIONS:
            keys = [key for key, _label in breakdown_labels(by)]
        elif by == "model":
            keys = models
        else:
            keys = list(Region.objects.order_by("order").values_list("code", flat=True))
        groups = {key: {"reached": counts.get(key, 0)} for key in keys}
        if by in PARTITIONS:
            rest = reached - sum(group["reached"] for group in groups.values())
            if rest < 0:
                raise DisclosureError(
                    _("Bảng phân tổ theo %(by)s đếm một người ở hai nhóm.") % {"by": by}
                )
            if rest:
                groups[UNKNOWN_GROUP] = {"reached": rest}
        tables[f"breakdown_{by}"] = _table(("reached",), groups, {"reached": reached})
    return tables


def _cost_table(*, start, end, units, scope):
    """Costs by 2025 province (every province in scope, with no costs when none)."""
    current = {
        pk: code for pk, (code, key) in units.by_pk.items() if key.endswith(LEGACY_2025_SUFFIX)
    }
    cost_rows = {code: _no_costs() for code in units.current if scope is None or code in scope}
    costs = cost_results(start=start, end=end, group="province", province=scope)
    for pk, values in costs.items():
        if current[pk] in cost_rows:
            cost_rows[current[pk]] = values
    total = cost_results(start=start, end=end, province=scope)[None]
    return _table(COST_CODES, cost_rows, total)


def _cells(tables):
    """Every cell of the tables: (table, row, code, scope, value); row TOTAL for the total."""
    for name, table in tables.items():
        lines = [*table["rows"].items(), (TOTAL, table["total"])]
        for row, values in lines:
            scope = scope_of(name, row)
            for code, value in values.items():
                yield name, row, code, scope, value


def scope_of(table, row):
    """What a row counts: the same scope in two tables is the same figure (the costs table's
    people reached in a province are the province table's)."""
    if row == TOTAL:
        if table == "role":
            return ("model", InterventionModel.WORKER_RIGHTS)
        return NATIONAL
    if table in ("province_2025", "costs"):
        return ("province", row)
    if table == "province_legacy":
        return ("legacy", row)
    if table in ("model", "breakdown_model"):
        return ("model", row)
    if table == "role":
        return ("role", row)
    return ("group", table.removeprefix("breakdown_"), row)


def _same_figures_everywhere(tables):
    """One figure shown in two tables must be the same number in both (it is one cell of the
    linked set). Raises DisclosureError otherwise: the engine counted it two ways."""
    seen = {}
    for name, row, code, scope, value in _cells(tables):
        if code not in PROTECTED_COUNTS:
            continue
        first = seen.setdefault((scope, code), (value, name, row))
        if first[0] != value:
            raise DisclosureError(
                _("Cùng một số liệu khác nhau giữa hai bảng: %(a)s và %(b)s (%(code)s).")
                % {"a": f"{first[1]}/{first[2]}", "b": f"{name}/{row}", "code": code}
            )


# ------------------------------------------------------------------------------ releases


@dataclass
class Release:
    """What an analyst reads in one published release: known protected counts, hidden ones
    (with their marker), and where each is shown."""

    start: date | None
    end: date | None
    threshold: int
    known: dict = field(default_factory=dict)
    hidden: dict = field(default_factory=dict)
    where: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)
    # The approved 2025 provinces when the release covers only part of them (else None), and
    # the scopes of the provinces it leaves out ("chưa phê duyệt").
    provinces: frozenset | None = None
    unapproved: set = field(default_factory=set)

    def has(self, quantity):
        return quantity in self.known or quantity in self.hidden

    def leaves_out(self, scope):
        """The scope (a province's row) is not in the release: its figures are unknown, not 0."""
        if scope in self.unapproved:
            return True
        if scope[0] == "legacy" and scope[1].endswith(LEGACY_2025_SUFFIX):
            return ("province", scope[1].removesuffix(LEGACY_2025_SUFFIX)) in self.unapproved
        return False

    def comparable(self, other, scope):
        """Whether a figure of `scope` counts the same provinces in both releases: a province's
        own row when both hold it; a national, regional, model or group row when both cover the
        same provinces."""
        if scope[0] in ("province", "legacy"):
            return not (self.leaves_out(scope) or other.leaves_out(scope))
        return self.provinces == other.provinces


def _day(text):
    return date.fromisoformat(text) if text else None


def read_release(release):
    """A published release (the dict `publishable_tables` returns) as a Release."""
    markers = release.get("markers", {})
    small = markers.get("small", suppression.small_label())
    hidden = markers.get("hidden", HIDDEN)
    period = release.get("period") or {}
    out = Release(
        start=_day(period.get("start")),
        end=_day(period.get("end")),
        threshold=int(release.get("threshold") or small.lstrip("<")),
    )
    tables = release["tables"]
    approved = release.get("approved")
    if approved and approved["count"] != approved["of"]:
        out.provinces = frozenset(approved["provinces"])
    for name, table in tables.items():
        out.rows[name] = list(table["rows"])
    for name, row, code, scope, value in _cells(tables):
        if value == UNAPPROVED:  # not published at all: not a cell of the release
            out.unapproved.add(scope)
            continue
        if code not in PROTECTED_COUNTS:
            continue
        quantity = (scope, code)
        out.where.setdefault(quantity, (name, row, code))
        if isinstance(value, str):
            if value not in (small, hidden):
                raise DisclosureError(
                    _("Ô %(cell)s có giá trị không hiểu được: %(value)s")
                    % {"cell": f"{name}/{row}/{code}", "value": value}
                )
            if quantity not in out.known:
                out.hidden[quantity] = SMALL if value == small else HIDDEN
        elif value is not None:
            out.known[quantity] = value
            out.hidden.pop(quantity, None)
    return out


def _within(release, units):
    """The relations inside one release: (kind, whole, parts), quantities as (scope, code)."""
    rows = release.rows
    relations = []

    def hierarchy(whole_scope, part_scopes, codes, kind=None):
        for code in codes:
            whole = (whole_scope, code)
            if not release.has(whole):
                continue
            parts = [(scope, code) for scope in part_scopes if release.has((scope, code))]
            if not parts:  # the parts' table has no such column
                continue
            relations.append((kind or RELATIONS[code], whole, parts))

    provinces = rows.get("province_2025", [])
    hierarchy(NATIONAL, [("province", p) for p in provinces], PROTECTED_COUNTS)
    legacy = rows.get("province_legacy", [])
    for province in provinces:
        parts = [("legacy", key) for key in legacy if units.parent.get(key) == province]
        hierarchy(("province", province), parts, PROTECTED_COUNTS)
    hierarchy(NATIONAL, [("model", m) for m in rows.get("model", [])], PROTECTED_COUNTS)
    roles = [("role", r) for r in rows.get("role", [])]
    hierarchy(("model", InterventionModel.WORKER_RIGHTS), roles, PROTECTED_COUNTS)
    for by in PARTITIONS:
        groups = [("group", by, value) for value in rows.get(f"breakdown_{by}", [])]
        hierarchy(NATIONAL, groups, ("reached",), PARTITION)
    regions = rows.get("breakdown_region", [])
    for region in regions:
        parts = [("legacy", key) for key in legacy if units.region.get(key) == region]
        hierarchy(("group", "region", region), parts, ("reached",))
    hierarchy(NATIONAL, [("group", "region", r) for r in regions], ("reached",))
    scopes = {scope for scope, _code in (*release.known, *release.hidden)}
    for scope in scopes:
        for smaller, larger in ROW_FACTS:
            if release.has((scope, smaller)) and release.has((scope, larger)):
                relations.append((FACT, (scope, smaller), [(scope, larger)]))
    return relations


def _nesting_kind(quantity):
    scope, code = quantity
    if scope[0] == "group":
        return DISTINCT if scope[1] in STABLE_GROUPS else None
    return RELATIONS[code]


def _nesting(releases):
    """Relations between releases whose periods nest (a year and its quarters), quantities as
    (release index, scope, code). A release of the same period (an earlier version) is taken
    to hold the same figures."""
    relations = []
    periods = [(r.start, r.end) for r in releases]
    for a, (start, end) in enumerate(periods):
        if start is None:
            continue
        same = [b for b, p in enumerate(periods) if b > a and p == (start, end)]
        inner = {}
        for b, (s, e) in enumerate(periods):
            if s is not None and (s, e) != (start, end) and start <= s and e <= end:
                inner.setdefault((s, e), b)
        children = sorted(
            (p, b)
            for p, b in inner.items()
            if not any(q != p and q[0] <= p[0] and p[1] <= q[1] for q in inner)
        )
        disjoint = all(children[i][0][1] < children[i + 1][0][0] for i in range(len(children) - 1))
        covering = (
            bool(children)
            and disjoint
            and children[0][0][0] == start
            and children[-1][0][1] == end
            and all(
                children[i][0][1] + timedelta(days=1) == children[i + 1][0][0]
                for i in range(len(children) - 1)
            )
        )
        indices = [b for _p, b in children]
        quantities = set()
        for index in (a, *indices, *same):
            quantities |= {*releases[index].known, *releases[index].hidden}
        for quantity in sorted(quantities, key=repr):
            scope = quantity[0]
            if not releases[a].comparable(releases[a], scope):
                continue  # a province the release leaves out
            for b in same:
                if releases[a].comparable(releases[b], scope):
                    relations.append((ADDITIVE, (a, *quantity), [(b, *quantity)]))
            kind = _nesting_kind(quantity)
            if not indices or kind is None:
                continue
            whole = (a, *quantity)
            # Only the periods whose figure counts the same provinces are parts; when one is
            # left out, the others no longer cover the whole.
            members = [b for b in indices if releases[a].comparable(releases[b], scope)]
            if not members:
                continue
            complete = covering and len(members) == len(indices)
            parts = [(b, *quantity) for b in members]
            if kind == ADDITIVE and disjoint:
                relations.append((ADDITIVE if complete else AT_MOST_WHOLE, whole, parts))
            if kind in (DISTINCT, MONOTONE):
                relations.append((MONOTONE, whole, parts))
            if kind in (DISTINCT, COVERING) and complete:
                relations.append((COVERING, whole, parts))
    return relations


def linked_relations(releases, units):
    """Every relation an analyst has over the releases (the first is the one being checked),
    quantities as (release index, scope, code)."""
    relations = []
    for index, release in enumerate(releases):
        for kind, whole, parts in _within(release, units):
            relations.append((kind, (index, *whole), [(index, *part) for part in parts]))
    return relations + _nesting(releases)


def _linear(kind, whole, parts):
    """A relation as linear forms ({quantity: coefficient}, "eq" | "le") against 0."""
    if kind in (ADDITIVE, PARTITION):
        return [(_terms((whole, 1), *((p, -1) for p in parts)), "eq")]
    if kind == AT_MOST_WHOLE:
        return [(_terms((whole, -1), *((p, 1) for p in parts)), "le")]
    if kind == FACT:
        return [(_terms((whole, 1), (parts[0], -1)), "le")]
    forms = []
    if kind in (DISTINCT, MONOTONE):
        forms += [(_terms((p, 1), (whole, -1)), "le") for p in parts]
    if kind in (DISTINCT, COVERING):
        forms.append((_terms((whole, 1), *((p, -1) for p in parts)), "le"))
    return forms


def _terms(*pairs):
    terms = {}
    for quantity, coefficient in pairs:
        terms[quantity] = terms.get(quantity, 0) + coefficient
    return terms


# ------------------------------------------------------------------------------ the attack


@dataclass
class _Component:
    variables: list
    equalities: list
    inequalities: list


def linear_forms(relations):
    """Every relation as linear forms ({cell: coefficient}, "eq" | "le") against 0."""
    return [form for kind, whole, parts in relations for form in _linear(kind, whole, parts)]


def _components(releases, forms):
    """Linear constraints on the hidden cells (the published ones moved to the right-hand
    side), split into independent groups of cells."""
    known, hidden = {}, set()
    for index, release in enumerate(releases):
        known.update({(index, *q): v for q, v in release.known.items()})
        hidden.update((index, *q) for q in release.hidden)
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    constraints = []
    for terms, sense in forms:
        variables = {q: c for q, c in terms.items() if q in hidden and c}
        if not variables:
            continue
        rhs = -sum(c * known.get(q, 0) for q, c in terms.items() if q not in hidden)
        constraints.append((variables, sense, rhs))
        first, *others = variables
        for other in others:
            parent[find(other)] = find(first)
    groups = {}
    for quantity in sorted(hidden, key=repr):
        groups.setdefault(find(quantity), _Component([], [], [])).variables.append(quantity)
    for variables, sense, rhs in constraints:
        component = groups[find(next(iter(variables)))]
        (component.equalities if sense == "eq" else component.inequalities).append((variables, rhs))
    return list(groups.values()), known


def _matrix(rows, index):
    if not rows:
        return None, None
    data, row_ids, col_ids, rhs = [], [], [], []
    for i, (variables, value) in enumerate(rows):
        for quantity, coefficient in variables.items():
            data.append(coefficient)
            row_ids.append(i)
            col_ids.append(index[quantity])
        rhs.append(value)
    shape = (len(rows), len(index))
    return coo_array((data, (row_ids, col_ids)), shape=shape).tocsr(), np.array(rhs, float)


def _width_ok(low, high, threshold):
    if high < low:  # nothing solved yet
        return False
    return math.floor(high + TOLERANCE) - math.ceil(low - TOLERANCE) >= threshold


def _marker_ok(low, high):
    if high < low:
        return False
    return math.floor(high + TOLERANCE) - math.ceil(low - TOLERANCE) >= 1


class _Inconsistent(Exception):
    pass


class _Program:
    """The linear programs over every hidden cell: their lowest and highest values consistent
    with the constraints and the cells' bounds. Components are independent, so one program
    settles one cell of every component at once (its objective is a sum of independent
    parts)."""

    def __init__(self, components, bounds):
        self.variables = [q for component in components for q in component.variables]
        self.group = np.array(
            [n for n, component in enumerate(components) for _q in component.variables]
        )
        index = {q: i for i, q in enumerate(self.variables)}
        equalities = [row for component in components for row in component.equalities]
        inequalities = [row for component in components for row in component.inequalities]
        self.rows = [
            ([(index[q], c) for q, c in variables.items()], rhs, equality)
            for rows, equality in ((equalities, True), (inequalities, False))
            for variables, rhs in rows
        ]
        self.bounds = np.array(bounds, float).reshape(-1, 2)
        self.a_eq, self.b_eq = _matrix(equalities, index)
        self.a_ub, self.b_ub = _matrix(inequalities, index)
        self.size = len(index)
        self.low = np.full(self.size, np.inf)
        self.high = np.full(self.size, -np.inf)

    def outer_bounds(self, sweeps=50):
        """Bounds implied constraint by constraint (propagation): never narrower than the
        programs' ones, so a cell they already pin down is exposed without a program."""
        low, high = self.bounds[:, 0].copy(), self.bounds[:, 1].copy()
        for _sweep in range(sweeps):
            changed = False
            for terms, rhs, equality in self.rows:
                least = [c * (low[i] if c > 0 else high[i]) for i, c in terms]
                most = [c * (high[i] if c > 0 else low[i]) for i, c in terms]
                all_least, all_most = sum(least), sum(most)
                for (i, c), smallest, largest in zip(terms, least, most, strict=True):
                    limits = [(rhs - (all_least - smallest)) / c]
                    if equality:
                        limits.append((rhs - (all_most - largest)) / c)
                    for k, limit in enumerate(limits):
                        upper = (c > 0) == (k == 0)
                        if upper and limit < high[i] - TOLERANCE:
                            high[i], changed = limit, True
                        elif not upper and limit > low[i] + TOLERANCE:
                            low[i], changed = limit, True
            if not changed:
                break
        if np.any(low > high + TOLERANCE):
            raise _Inconsistent
        return low, high

    def solve(self, objective):
        result = linprog(
            objective,
            A_ub=self.a_ub,
            b_ub=self.b_ub,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=self.bounds,
            method="highs",
        )
        if result.status != 0:
            raise _Inconsistent
        np.minimum(self.low, result.x, out=self.low)
        np.maximum(self.high, result.x, out=self.high)

    def settle(self, checks, *, exact, bounds=True):
        """Each (cell index, test) of `checks` passes `test(low, high)` over values the cell can
        take, or fails: returns the failures [(index, low, high)]. Without `exact`, cells that
        propagation already exposes are returned without solving anything (their bounds are
        then outer ones). Without `bounds` (only which cells fail matters), every cell is
        settled but those that propagation exposes are not solved again (their bounds are outer
        ones: an outer interval already too narrow means the exact one is too)."""
        if not checks:
            return []
        outer_low, outer_high = self.outer_bounds()
        exposed = [
            (i, outer_low[i], outer_high[i])
            for i, test in checks
            if not test(outer_low[i], outer_high[i])
        ]
        if exposed and not exact:
            return exposed
        failures = []
        if not bounds:
            failures = [(i, float(low), float(high)) for i, low, high in exposed]
            out = {i for i, _low, _high in exposed}
            checks = [(i, test) for i, test in checks if i not in out]
        pending = self._probe(checks)
        solved = set()  # (cell, direction) solved exactly
        while pending:
            objective = np.zeros(self.size)
            chosen, still = set(), []
            for i, test in pending:
                if test(self.low[i], self.high[i]):
                    continue
                todo = [sign for sign in (1.0, -1.0) if (i, sign) not in solved]
                if not todo:
                    failures.append((i, float(self.low[i]), float(self.high[i])))
                    continue
                still.append((i, test))
                if self.group[i] not in chosen:
                    chosen.add(self.group[i])
                    objective[i] = todo[0]
                    solved.add((i, todo[0]))
            if still:
                self.solve(objective)
            pending = still
        return failures

    def _probe(self, checks):
        """A few programs over many cells at once (every cell pushed down, up, then each still
        unsettled cell to a random side): each solution is a set of values the cells can take
        together, which settles most cells without a program of their own."""
        pending = [(i, test) for i, test in checks if not test(self.low[i], self.high[i])]
        rng = np.random.default_rng(self.size)
        objectives = [np.ones(self.size), -np.ones(self.size)]
        stalled = 0
        while pending and stalled < 2:
            if objectives:
                objective = objectives.pop()
            else:
                objective = np.zeros(self.size)
                for i, _test in pending:
                    objective[i] = rng.choice([-1.0, 1.0])
            before = len(pending)
            self.solve(objective)
            pending = [(i, test) for i, test in pending if not test(self.low[i], self.high[i])]
            stalled = stalled + 1 if len(pending) == before else 0
        return pending


MARKED, PLAIN = "marked", "plain"


class _Readings:
    """The analyst's two programs over the hidden cells of `releases` (section 4 of
    reports/DISCLOSURE.md): `marked` (the markers' bounds: "<5" is 1..4, "x" at least 5) and
    `plain` (every hidden cell >= 0), with each variable's threshold and marker."""

    def __init__(self, releases, forms):
        self.components, known = _components(releases, forms)
        cap = 10 * max((abs(v) for v in known.values()), default=0) + 1000
        marks = {}
        for index, release in enumerate(releases):
            marks.update({(index, *q): m for q, m in release.hidden.items()})
        self.variables = [q for component in self.components for q in component.variables]
        self.thresholds = [releases[q[0]].threshold for q in self.variables]
        self.small = [marks[q] == SMALL for q in self.variables]
        self.cap = cap
        self.marked = _Program(
            self.components,
            [
                (1, t - 1) if s else (t, cap)
                for s, t in zip(self.small, self.thresholds, strict=True)
            ],
        )

    def plain(self):
        plain = _Program(self.components, [(0, self.cap)] * len(self.variables))
        # Values consistent with the markers are consistent without them.
        plain.low, plain.high = self.marked.low.copy(), self.marked.high.copy()
        return plain


def _floored(test, floor):
    """`test`, or, for a cell earlier releases already narrow whatever this one hides (`floor`:
    its interval then, as integers): an interval that still holds all of that one (no pattern
    of this release can widen it; none may narrow it further)."""
    if floor is None:
        return test
    least, most = floor

    def floored(low, high):
        if test(low, high):
            return True
        if high < low:
            return False
        return math.ceil(low - TOLERANCE) <= least and math.floor(high + TOLERANCE) >= most

    return floored


def _attack(releases, forms, *, exact=True, bounds=True, floors=None):
    """The hidden cells an analyst can narrow down too far: [(cell, low, high)]. Two readings of
    the published figures: (1) the published numbers and the relations, every hidden cell >= 0:
    each hidden cell must keep an interval at least `threshold` wide; (2) adding what the
    markers say ("<5": 1..4, "x": at least 5): a "<5" cell must not come down to one value.
    `floors` ({MARKED|PLAIN: {cell: (low, high)}}, `_unavoidable`): cells that earlier releases
    already narrow, whatever this release hides, keep at least that interval instead.
    Without `exact`, when propagation alone exposes cells no program is solved. Without
    `bounds`, every exposed cell is found but the bounds of those that propagation exposes are
    outer ones (`_Program.settle`)."""
    floors = floors or {}
    marked_floors, plain_floors = floors.get(MARKED, {}), floors.get(PLAIN, {})
    try:
        readings = _Readings(releases, forms)
        variables = readings.variables
        checks = [
            (i, _floored(_marker_ok, marked_floors.get(variables[i])))
            for i, s in enumerate(readings.small)
            if s
        ]
        found = readings.marked.settle(checks, exact=exact, bounds=bounds)
        if found and not exact:
            return [(variables[i], low, high) for i, low, high in found]
        exposed = {i for i, _low, _high in found}
        checks = [
            (
                i,
                _floored(lambda lo, hi, t=t: _width_ok(lo, hi, t), plain_floors.get(variables[i])),
            )
            for i, t in enumerate(readings.thresholds)
            if i not in exposed
        ]
        found += readings.plain().settle(checks, exact=exact, bounds=bounds)
    except _Inconsistent:
        raise _inconsistent() from None
    return [(variables[i], low, high) for i, low, high in found]


def _intervals(releases, forms, cells):
    """The exact interval of each of `cells` (hidden cells of `releases`) in both readings:
    {MARKED: {cell: (low, high)} for the "<5" cells, PLAIN: {cell: (low, high)}}, as integers."""
    readings = _Readings(releases, forms)
    variables = readings.variables

    def never(_low, _high):
        return False

    def settled(program, indexes):
        found = program.settle([(i, never) for i in indexes], exact=True, bounds=True)
        return {
            variables[i]: (math.ceil(low - TOLERANCE), math.floor(high + TOLERANCE))
            for i, low, high in found
        }

    wanted = [i for i, q in enumerate(variables) if q in cells]
    return {
        MARKED: settled(readings.marked, [i for i in wanted if readings.small[i]]),
        PLAIN: settled(readings.plain(), wanted),
    }


def _inconsistent():
    return DisclosureError(
        _(
            "Các số liệu đã công bố của các kỳ lồng nhau không khớp với nhau (số liệu "
            "đã được sửa sau khi công bố?): không kiểm tra được khả năng suy ngược."
        )
    )


def _describe(releases, quantity, low, high):
    index, *q = quantity
    release = releases[index]
    table, row, code = release.where[tuple(q)]
    return {
        "period": {
            "start": release.start.isoformat() if release.start else None,
            "end": release.end.isoformat() if release.end else None,
        },
        "release": index,
        "table": table,
        "row": row,
        "code": code,
        "marker": release.hidden[tuple(q)],
        "low": math.ceil(low - TOLERANCE),
        "high": math.floor(high + TOLERANCE),
    }


def attack(tables, *, fixed=(), units=None):
    """The attacker check of a published release (`tables`, as `publishable_tables` returns it)
    together with the releases already published for nesting periods (`fixed`): every hidden
    cell (of this release or of those) that an analyst can pin down or narrow to an interval
    narrower than the threshold, as {"release" (0: this one, 1…: `fixed` in order), "period",
    "table", "row", "code", "marker", "low", "high"}. Empty when the release is safe."""
    units = units or Units.load()
    releases = [read_release(tables), *(read_release(release) for release in fixed)]
    failing = _attack(releases, linear_forms(linked_relations(releases, units)))
    return [_describe(releases, cell, low, high) for cell, low, high in failing]


# ------------------------------------------------------------------------------ suppression


def _format(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


def render(raw, status, *, start, end, threshold):
    """The release as published: protected counts hidden by `status` ({(scope, code): SMALL
    or HIDDEN}), ratios hidden with their parts, decimals as strings."""
    small = f"<{threshold}"
    marker = {SMALL: small, HIDDEN: HIDDEN}
    tables = {}
    for name, table in raw.items():
        out = {"codes": table["codes"], "rows": {}, "total": {}}
        lines = [*table["rows"].items(), (TOTAL, table["total"])]
        for row, values in lines:
            scope = scope_of(name, row)
            shown = {}
            for code, value in values.items():
                if code in PROTECTED_COUNTS and (scope, code) in status:
                    shown[code] = marker[status[(scope, code)]]
                elif code in RATIO_PARTS and any(
                    (scope, part) in status for part in RATIO_PARTS[code]
                ):
                    shown[code] = HIDDEN
                else:
                    shown[code] = _format(value)
            if row == TOTAL:
                out["total"] = shown
            else:
                out["rows"][row] = shown
        tables[name] = out
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "threshold": threshold,
        "tables": tables,
        "markers": {"small": small, "hidden": HIDDEN},
    }


def _mark(value, threshold):
    return SMALL if 0 < value < threshold else HIDDEN


class _Suppressor:
    """Secondary suppression over the linked set: cells of the new release (index 0) are hidden
    until the attacker check passes, each time the cell that costs the least information (the
    smallest count) among those that share a relation with a cell still exposed."""

    def __init__(self, values, earlier, relations, forms, threshold):
        self.values = values
        self.earlier = earlier
        self.threshold = threshold
        self.status = {
            q: SMALL for q, v in values.items() if 0 < v < threshold and q[0] != NATIONAL
        }
        self.lines = [
            [whole, *parts]
            for kind, whole, parts in relations
            if kind in (ADDITIVE, PARTITION, DISTINCT, MONOTONE, COVERING)
        ]
        self.determined = self._given_away(forms)
        self.links = {}
        for _kind, whole, parts in relations:
            cells = [whole, *parts]
            for cell in cells:
                self.links.setdefault(cell, set()).update(cells)

    def _given_away(self, forms):
        """Cells of the new release that releases already published pin down to an interval
        narrower than the threshold whatever this one hides (a year whose quarters are all
        shown): hiding them would protect nothing. Propagation over the relations, every cell of
        the new release taken as unknown."""
        if not self.earlier:
            return set()
        known = {}
        for index, release in enumerate(self.earlier, start=1):
            known.update({(index, *q): v for q, v in release.known.items()})
        component = _Component([(0, *q) for q in self.values], [], [])
        for terms, sense in forms:
            new = {q: c for q, c in terms.items() if q[0] == 0}
            if not new or any(q[0] != 0 and q not in known for q in terms):
                continue
            rhs = -sum(c * known[q] for q, c in terms.items() if q[0] != 0)
            rows = component.equalities if sense == "eq" else component.inequalities
            rows.append((new, rhs))
        cap = 10 * max((abs(v) for v in known.values()), default=0) + 1000
        program = _Program([component], [(0, cap)] * len(component.variables))
        try:
            low, high = program.outer_bounds(sweeps=10)
        except _Inconsistent:
            raise _inconsistent() from None
        return {
            cell
            for cell, lo, hi in zip(component.variables, low, high, strict=True)
            if not _width_ok(lo, hi, self.threshold)
        }

    def hidden(self, cell):
        index, *quantity = cell
        if index == 0:
            return tuple(quantity) in self.status
        return tuple(quantity) in self.earlier[index - 1].hidden

    def cost(self, cell):
        """None when the cell cannot be hidden: earlier releases, cells already hidden or
        given away by earlier releases, zeros. The national total only as a last resort."""
        index, *quantity = cell
        quantity = tuple(quantity)
        if index != 0 or self.hidden(cell) or cell in self.determined:
            return None
        if not self.values.get(quantity):
            return None
        value = self.values[quantity]
        return (quantity[0] == NATIONAL, value, repr(quantity))

    def hide(self, cell):
        quantity = tuple(cell[1:])
        self.status[quantity] = _mark(self.values[quantity], self.threshold)

    def complete_lines(self):
        """No line (a whole and its parts) keeps a lone hidden cell: subtracting the shown
        parts from the whole must never give one hidden cell, even for counts of distinct people
        that only nearly add up."""
        changed = True
        while changed:
            changed = False
            for line in self.lines:
                if sum(self.hidden(cell) for cell in line) != 1:
                    continue
                costs = [(self.cost(cell), cell) for cell in line]
                costs = [(c, cell) for c, cell in costs if c is not None and not c[0]]
                if costs:
                    self.hide(min(costs)[1])
                    changed = True

    def reinforce(self, failing):
        """Hide, for each exposed cell, the cheapest cell related to it, the nearest first (a
        national figure only when no other cell can be reached). Returns the number of cells
        hidden."""
        chosen = set()
        for exposed in failing:
            seen, frontier = {exposed}, {exposed}
            best, last_resort = None, []
            while frontier and best is None:
                around = set().union(*(self.links.get(c, ()) for c in frontier)) - seen
                costs = [(self.cost(c), c) for c in around if c not in chosen]
                costs = [(cost, c) for cost, c in costs if cost is not None]
                last_resort += [(cost, c) for cost, c in costs if cost[0]]
                costs = [(cost, c) for cost, c in costs if not cost[0]]
                if costs:
                    best = min(costs)
                seen |= around
                frontier = around
            best = best or min(last_resort, default=None)
            if best is not None:
                chosen.add(best[1])
        for cell in chosen:
            self.hide(cell)
        return len(chosen)


def publishable_tables(*, start, end, fixed=(), provinces=None):
    """The release of [start, end]: the linked set of tables computed with the indicator engine,
    small counts of people hidden ("<5") and complementary cells ("x") chosen over the whole set
    and over `fixed` (releases already published for periods that nest with this one, as this
    function returned them), then the attacker check (`attack`). Raises DisclosureError listing
    the exposed cells when no suppression passes the check.

    `provinces` (2025 codes; None: every province) are the approved provinces: every figure,
    national and regional ones included, counts them only; the other provinces' rows hold the
    marker "chưa phê duyệt" in every cell (never a number), and "approved" records how many of
    the 2025 provinces the release covers."""
    units = Units.load()
    raw = raw_tables(start=start, end=end, units=units, provinces=provinces)
    return suppress(
        raw,
        start=start,
        end=end,
        threshold=suppression.threshold(),
        fixed=fixed,
        units=units,
        provinces=provinces,
    )


def with_unapproved(release, *, units, provinces):
    """The release with a row "chưa phê duyệt" for every province outside `provinces` (in the
    tables by province: 2025, pre-2025 and costs) and the approved provinces ("approved").
    `provinces` None (every province, as the disclosure tests publish): unchanged."""
    if provinces is None:  # every province: nothing to mark
        return release
    everyone = list(units.current)
    approved = sorted(set(provinces) & set(everyone))
    release["markers"]["unapproved"] = UNAPPROVED
    release["approved"] = {"provinces": approved, "count": len(approved), "of": len(everyone)}
    legacy = [key for key in units.parent if not key.endswith(LEGACY_2025_SUFFIX)]
    others = {
        "province_2025": [code for code in everyone if code not in approved],
        "costs": [code for code in everyone if code not in approved],
        "province_legacy": [key for key in legacy if units.parent[key] not in approved],
    }
    for name, keys in others.items():
        table = release["tables"][name]
        rows = {**table["rows"], **{key: dict.fromkeys(table["codes"], UNAPPROVED) for key in keys}}
        table["rows"] = {key: rows[key] for key in sorted(rows)}
    return release


def approved_note(release_tables):
    """ "12/34 tỉnh đã phê duyệt" when a release covers only part of the 2025 provinces, else
    None (the stored release's "approved"; releases stored before it cover their provinces)."""
    approved = release_tables.get("approved")
    if not approved or approved["count"] == approved["of"]:
        return None
    return _("%(count)s/%(of)s tỉnh đã phê duyệt") % approved


GREEDY = "greedy"
EXACT = "exact"
AUTO = "auto"


def suppress(raw, *, start, end, threshold, fixed=(), units, method=AUTO, provinces=None):
    """Primary and secondary suppression of the raw tables of a release (`raw_tables`), checked
    by the attacker check until it passes. No query.

    `method`: EXACT (the mixed-integer programme of `_Exact`: the pattern that hides the fewest
    people), GREEDY (the cheapest related cell, until the check passes), AUTO (exact, then
    greedy when the programme finds no pattern). Cells of earlier releases that they pin
    down alone, whatever this release hides (`_unavoidable`), are not secrets of this release:
    the check leaves them out. The release says what it hides ("loss").

    `provinces` (2025 codes; None: every province): the approved provinces the raw tables were
    computed over (`with_unapproved`). The release is checked as it will be published, with
    them: its national, regional and model figures then nest with those of earlier releases
    over the same provinces (`Release.comparable`)."""
    values = {}
    for _name, _row, code, scope, value in _cells(raw):
        if code in PROTECTED_COUNTS:
            values[(scope, code)] = value
    earlier = [read_release(release) for release in fixed]

    def publish(status):
        release = render(raw, status, start=start, end=end, threshold=threshold)
        release = with_unapproved(release, units=units, provinces=provinces)
        return release, [read_release(release), *earlier]

    release, releases = publish({})
    relations = linked_relations(releases, units)
    forms = linear_forms(relations)
    suppressor = _Suppressor(values, earlier, relations, forms, threshold)
    floors = _unavoidable(values, earlier, forms, threshold)
    exempt = set(floors.get(MARKED, {})) | set(floors.get(PLAIN, {}))

    def failures(releases, exact):
        return _attack(releases, forms, exact=exact, floors=floors)

    def done(status, chosen_by):
        release, _releases = publish(status)
        given_away = [c for c in exempt if c[0] != 0 or tuple(c[1:]) in status]
        release["loss"] = _loss(values, status, threshold, chosen_by, len(given_away))
        return release

    if method in (EXACT, AUTO):
        exact = _Exact(
            values, earlier, relations, forms, threshold, suppressor.determined, floors=floors
        )
        for status in exact.patterns():
            release, releases = publish(status)
            failing = failures(releases, exact=False)
            if not failing:
                return done(status, EXACT)
            exact.cut(failing)
    if method in (GREEDY, AUTO):
        while True:
            suppressor.complete_lines()
            release, releases = publish(suppressor.status)
            failing = failures(releases, exact=False)
            if not failing:
                return done(suppressor.status, GREEDY)
            if not suppressor.reinforce([cell for cell, _low, _high in failing]):
                break
    else:
        release, releases = publish(exact.last)
    failing = failures(releases, exact=True)
    described = [_describe(releases, cell, low, high) for cell, low, high in failing]
    raise DisclosureError(_exposed_message(described, threshold), described)


def _loss(values, status, threshold, method, exempt):
    """What a release hides: cells (one per figure, however many tables show it) hidden as
    small counts and as complements, and the people (or events) they count."""
    primary = [q for q, mark in status.items() if 0 < values[q] < threshold and q[0] != NATIONAL]
    secondary = [q for q in status if q not in set(primary)]
    return {
        "method": method,
        "primary": len(primary),
        "secondary": len(secondary),
        "primary_count": sum(values[q] for q in primary),
        "secondary_count": sum(values[q] for q in secondary),
        "cells": len(values),
        "exempt": exempt,
    }


def _marker_bounds(mark, threshold, cap):
    return (1, threshold - 1) if mark == SMALL else (threshold, cap)


def _unavoidable(values, earlier, forms, threshold):
    """The hidden cells that earlier releases pin down whatever this release does (of earlier
    releases, or of this one: a year whose quarters are all shown): the attacker check with
    every non-zero cell of this release hidden (the most it could hide; zeros are always shown,
    small counts always say "<5"). No pattern of this release can widen them, so they are not
    its secrets: {MARKED|PLAIN: {cell: (low, high)}}, their intervals then, which a pattern of
    this release may not narrow further (`_attack`'s floors; reports/DISCLOSURE.md)."""
    if not earlier:
        return {}
    status = {q: _mark(v, threshold) for q, v in values.items() if v}
    release = Release(start=None, end=None, threshold=threshold, hidden=dict(status))
    release.known = {q: v for q, v in values.items() if not v}
    releases = [release, *earlier]
    try:
        failing = _attack(releases, forms, exact=True, bounds=False)
        if not failing:
            return {}
        return _intervals(releases, forms, {cell for cell, _low, _high in failing})
    except (DisclosureError, _Inconsistent):
        return {}


class _Exact:
    """Secondary suppression as a mixed-integer programme (scipy.optimize.milp, HiGHS): a 0/1
    variable per cell of the new release (1: hidden), minimising the people the hidden cells
    count (a national figure weighs more than every other cell together: the last resort).
    Small counts are hidden; zeros, cells given away by earlier releases and national cells
    (except as a last resort) are not chosen. Constraints:

    - lines: a line (a whole and its parts) holding a hidden cell holds another one (section 3
      of reports/DISCLOSURE.md);
    - attacker cuts (Fischetti and Salazar's): for an exposed cell s, any dual solution of the
      analyst's programmes max ±s (over the relations, a hidden cell within its bounds, a shown
      one at its value) bounds the interval of s by a linear function of the pattern, whatever
      the pattern; the interval must be wide enough (threshold, or 1 for a "<5" cell read with
      the markers), so that linear function must be too.

    Solved, checked by the attacker check, cut, solved again until the check passes: each
    pattern is the cheapest one that meets every cut found so far."""

    def __init__(self, values, earlier, relations, forms, threshold, determined, floors=None):
        self.floors = floors or {}
        self.values = values
        self.earlier = earlier
        self.threshold = threshold
        self.cells = list(values)
        self.index = {(0, *q): i for i, q in enumerate(self.cells)}
        known = {}
        self.hidden_earlier = []
        for i, release in enumerate(earlier, start=1):
            known.update({(i, *q): v for q, v in release.known.items()})
            self.hidden_earlier += [((i, *q), mark) for q, mark in release.hidden.items()]
        self.variables = [(0, *q) for q in self.cells] + [c for c, _m in self.hidden_earlier]
        position = {c: i for i, c in enumerate(self.variables)}
        self.position = position
        largest = max([abs(v) for v in known.values()] + [abs(v) for v in values.values()] + [0])
        self.cap = 10 * largest + 1000
        rows = {"eq": [], "le": []}
        for terms, sense in forms:
            variables = {position[q]: c for q, c in terms.items() if q in position and c}
            if not variables:
                continue
            rhs = -sum(c * known.get(q, 0) for q, c in terms.items() if q not in position)
            rows[sense].append((variables, rhs))
        self.a_eq, self.b_eq = self._matrix(rows["eq"])
        self.a_ub, self.b_ub = self._matrix(rows["le"])
        n = len(self.cells)
        self.fixed_on = np.zeros(n, bool)
        self.allowed = np.zeros(n, bool)
        self.weight = np.zeros(n)
        total = sum(values.values()) + 1
        for i, q in enumerate(self.cells):
            value = values[q]
            if 0 < value < threshold and q[0] != NATIONAL:
                self.fixed_on[i] = self.allowed[i] = True
            elif value and (0, *q) not in determined:
                self.allowed[i] = True
            # The count hidden, a little more per cell (fewer cells on a tie), a national
            # figure above every other cell together.
            self.weight[i] = value + 0.01 + (total if q[0] == NATIONAL else 0)
        self.value_array = np.array([values[q] for q in self.cells], float)
        marks = [self._marks(_mark(values[q], threshold)) for q in self.cells]
        marks = np.array(marks, float).reshape(-1, 2)
        self.mark_low, self.mark_high = marks[:, 0], marks[:, 1]
        self.lines = []
        for kind, whole, parts in relations:
            if kind not in (ADDITIVE, PARTITION, DISTINCT, MONOTONE, COVERING):
                continue
            line = [self.index[c] for c in (whole, *parts) if c in self.index]
            if len(line) == len(parts) + 1 and len(line) > 1:
                self.lines.append(line)
        self.cuts = []  # (coefficients over the new cells, right-hand side)
        self.last = {}
        self.seen = set()

    def _matrix(self, rows):
        """Rows ({variable position: coefficient}, rhs) as a sparse matrix and its right-hand
        side."""
        if not rows:
            return None, None
        data, row_ids, col_ids = [], [], []
        for i, (variables, _rhs) in enumerate(rows):
            data += variables.values()
            col_ids += variables.keys()
            row_ids += [i] * len(variables)
        shape = (len(rows), len(self.variables))
        matrix = coo_array((data, (row_ids, col_ids)), shape=shape).tocsr()
        return matrix, np.array([rhs for _v, rhs in rows], float)

    def patterns(self, rounds=60):
        """Successive cheapest patterns ({quantity: SMALL or HIDDEN}), until none remains."""
        for _round in range(rounds):
            chosen = self._solve()
            if chosen is None:
                return
            self.last = {
                self.cells[i]: _mark(self.values[self.cells[i]], self.threshold) for i in chosen
            }
            key = frozenset(chosen)
            if key in self.seen:  # the cuts did not move it: exclude this pattern itself
                self._no_good(chosen)
                continue
            self.seen.add(key)
            self.chosen = chosen
            yield self.last

    def _no_good(self, chosen):
        coefficients = np.zeros(len(self.cells))
        for i in range(len(self.cells)):
            if self.allowed[i] and i not in chosen:
                coefficients[i] = 1
        self.cuts.append((coefficients, 1))

    def _solve(self):
        n = len(self.cells)
        rows, low = [], []
        for line in self.lines:
            free = [i for i in line if self.allowed[i]]
            for i in free:
                others = [j for j in free if j != i]
                if not others:
                    continue
                row = np.zeros(n)
                row[others] = 1
                row[i] -= 1
                rows.append(row)
                low.append(0)
        for coefficients, rhs in self.cuts:
            rows.append(coefficients)
            low.append(rhs)
        constraints = []
        if rows:
            constraints.append(LinearConstraint(np.array(rows), np.array(low), np.inf))
        lower = self.fixed_on.astype(float)
        upper = self.allowed.astype(float)
        result = milp(
            self.weight,
            integrality=np.ones(n),
            bounds=Bounds(lower, upper),
            constraints=constraints,
            options={"time_limit": 60},
        )
        if result.x is None:
            return None
        return {i for i in range(n) if result.x[i] > 0.5}

    def _bounds(self, chosen, reading):
        """Each variable's bounds for the pattern: a shown cell at its value, a hidden one within
        [0, cap] (reading 1) or what its marker says (reading 2)."""
        n = len(self.cells)
        hidden = np.zeros(n, bool)
        hidden[list(chosen)] = True
        if reading == 1:
            low = np.where(hidden, 0.0, self.value_array)
            high = np.where(hidden, float(self.cap), self.value_array)
            earlier = np.tile([0.0, float(self.cap)], (len(self.hidden_earlier), 1))
        else:
            low = np.where(hidden, self.mark_low, self.value_array)
            high = np.where(hidden, self.mark_high, self.value_array)
            earlier = np.array(
                [self._marks(mark) for _cell, mark in self.hidden_earlier], float
            ).reshape(-1, 2)
        return np.vstack([np.column_stack([low, high]), earlier])

    def _marks(self, mark):
        return _marker_bounds(mark, self.threshold, self.cap)

    def cut(self, failing):
        """Cuts from the cells the check exposed under the last pattern."""
        chosen = self.chosen
        added = 0
        for cell, _low, _high in failing:
            if cell not in self.position:
                continue
            mark = self._mark_of(cell, chosen)
            readings = [(2, self._need(MARKED, cell, 1))] if mark == SMALL else []
            readings.append((1, self._need(PLAIN, cell, self.threshold)))
            for reading, need in readings:
                if need <= 0:
                    continue
                cut = self._cut(self.position[cell], chosen, reading, need)
                if cut is not None:
                    self.cuts.append(cut)
                    added += 1
        if not added:
            self._no_good(chosen)

    def _need(self, reading, cell, need):
        """How wide the cell's interval must stay: `need`, or for a cell earlier releases
        already narrow (`_unavoidable`), no wider than they leave it."""
        floor = self.floors.get(reading, {}).get(cell)
        return need if floor is None else min(need, floor[1] - floor[0])

    def _mark_of(self, cell, chosen):
        if cell[0] == 0:
            return _mark(self.values[tuple(cell[1:])], self.threshold)
        return self.earlier[cell[0] - 1].hidden.get(tuple(cell[1:]))

    def _cut(self, s, chosen, reading, need):
        """The width of s is at most D+(y) + D-(y), both linear in the pattern y (weak duality):
        the cut D+(y) + D-(y) >= need, or None when the programmes cannot be solved.

        Every variable is bounded, so any dual values give such a bound; the programmes are
        solved over the hidden cells only (the shown ones, fixed, moved to the right-hand side,
        the constraints left with no hidden cell dropped, their dual values 0): the same optimum
        and a dual solution of the whole programme."""
        bounds = self._bounds(chosen, reading)
        n = len(self.cells)
        free = bounds[:, 0] < bounds[:, 1]
        fixed_values = np.where(free, 0.0, bounds[:, 0])
        reduced_rows = {}
        for name, a, b in (("eq", self.a_eq, self.b_eq), ("ub", self.a_ub, self.b_ub)):
            if a is None:
                reduced_rows[name] = (None, None, None)
                continue
            rhs = b - a @ fixed_values
            sub = a[:, np.flatnonzero(free)]
            keep = np.flatnonzero(np.diff(sub.indptr))
            dropped = np.ones(len(rhs), bool)
            dropped[keep] = False
            if name == "eq" and np.any(np.abs(rhs[dropped]) > TOLERANCE):
                return None
            if name == "ub" and np.any(rhs[dropped] < -TOLERANCE):
                return None
            if not len(keep):
                reduced_rows[name] = (None, None, keep)
            else:
                reduced_rows[name] = (sub[keep], rhs[keep], keep)
        columns = np.flatnonzero(free)
        if not free[s]:
            return None
        target = int(np.searchsorted(columns, s))
        if reading == 1:
            hide_low, hide_high = np.zeros(n), np.full(n, float(self.cap))
        else:
            hide_low, hide_high = self.mark_low, self.mark_high
        constant, coefficients = 0.0, np.zeros(n)
        for sign in (1.0, -1.0):
            objective = np.zeros(len(columns))
            objective[target] = -sign  # linprog minimises: max sign * x_s
            a_eq, b_eq, keep_eq = reduced_rows["eq"]
            a_ub, b_ub, keep_ub = reduced_rows["ub"]
            result = linprog(
                objective,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=a_eq,
                b_eq=b_eq,
                bounds=bounds[columns],
                method="highs",
            )
            if result.status != 0:
                return None
            reduced = np.zeros(len(self.variables))
            reduced[s] = sign
            value = 0.0
            if a_eq is not None:
                lam = np.zeros(self.a_eq.shape[0])
                lam[keep_eq] = -np.asarray(result.eqlin.marginals)
                reduced -= self.a_eq.T @ lam
                value += self.b_eq @ lam
            if a_ub is not None:
                mu = np.zeros(self.a_ub.shape[0])
                mu[keep_ub] = np.maximum(-np.asarray(result.ineqlin.marginals), 0)
                reduced -= self.a_ub.T @ mu
                value += self.b_ub @ mu
            above, below = np.maximum(reduced, 0), np.maximum(-reduced, 0)
            # A cell of an earlier release: its bounds do not depend on the pattern.
            value += above[n:] @ bounds[n:, 1] - below[n:] @ bounds[n:, 0]
            above, below = above[:n], below[:n]
            value += (above - below) @ self.value_array
            coefficients += above * (hide_high - self.value_array)
            coefficients -= below * (hide_low - self.value_array)
            constant += value
        return coefficients, need - constant - TOLERANCE


def _exposed_message(failing, threshold):
    cells = "; ".join(
        f"{cell['table']}/{cell['row']}/{cell['code']} ∈ [{cell['low']}, {cell['high']}]"
        for cell in failing[:20]
    )
    return _(
        "Không thể công bố: %(count)s ô đã ẩn vẫn suy ra được trong một khoảng hẹp hơn %(n)s "
        "từ các bảng đã công bố: %(cells)s"
    ) % {"count": len(failing), "n": threshold, "cells": cells}
