"""The indicator catalogue: one entry per indicator, and every list of codes derived from it.

An entry says what the indicator is (code, Vietnamese label, kind), how it is derived (a
percentage or a ratio names its numerator and denominator), whether it counts people (then it is
protected by small-cell suppression, and says how a whole relates to its parts for the disclosure
check), which intervention model or site role it is about, and on which tables it is shown.
The engine (`reports.indicators`) computes the codes marked `engine`; the others are figures the
cost and coverage tables add (`COST`, `COVERAGE`). The definitions are in docs/indicators.md.

What reads the catalogue: the engine (`CODES`, `PERCENTAGES`, `RATIOS`), the dashboards' columns
(`columns(HEADLINE)`, …), the exports (`CODES`, `label`, `MONEY_CODES`), suppression
(`PROTECTED_COUNTS`, `RELATIONS`, `ROW_FACTS`), disclosure (`release_codes`) and the site page
(`columns(SITE)`). They are live views: an entry added with `register` shows everywhere.

Adding an indicator: an entry here and, unless it is a percentage or a ratio of codes the engine
already has, its query in `reports.indicators.Pass` (and its definition in docs/indicators.md).
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programs.models import InterventionModel

# -- kinds: what a value counts, and so how it is shown and exported
SITES = "sites"  # a count of sites
ESTABLISHMENTS = "establishments"  # a count of establishments
PEOPLE = "people"  # distinct people
EVENTS = "events"  # rows (referrals, trainings)
SUM = "sum"  # a sum of a recorded number (members, trainees)
LOCALITIES = "localities"  # a count of district-level areas or communes
YEARS = "years"  # site-years, two decimals
MONEY = "money"  # whole VND
PERCENTAGE = "percentage"  # 100 × numerator / denominator, one decimal
MONEY_RATIO = "money_ratio"  # numerator / denominator in whole VND
RATIO_KINDS = (PERCENTAGE, MONEY_RATIO)

# -- relations: what an analyst can derive about a protected count of a whole (the country, a
# 2025 province, a model, a year) from the counts of its parts (provinces, pre-2025 provinces,
# sites' roles, quarters); the facts the disclosure check (reports.disclosure) gives the analyst.
ADDITIVE = "additive"  # rows and sums: whole = sum of the parts
DISTINCT = "distinct"  # distinct people: every part <= whole <= sum of the parts
MONOTONE = "monotone"  # every part <= whole only: the need may be met in one part, the
# referral in another, so a person referred in the whole may be referred in no part
COVERING = "covering"  # whole <= sum of the parts only: the latest assessment in a part need
# not be the latest in the whole

# -- sources: who computes the figure
ENGINE = "engine"  # reports.indicators, for any scope and grouping
COST = "cost"  # the cost tables (reports.indicators.cost_figures)
COVERAGE = "coverage"  # coverage against the target (reports.indicators.localities_covered)
SCALE_UP = "scale_up"  # the scale-up estimate

# -- tables that show indicators (their columns, in catalogue order)
HEADLINE = "headline"  # the headline of every dashboard
PROVINCE = "province"  # the dashboard's table by province
MODEL = "model"  # the table by intervention model
ROLE = "role"  # the worker-rights model's pilot, control and scale-up sites side by side
SITE = "site"  # a site's own page
COSTS = "costs"  # cost per result (a ratio follows what it divides by; the amount first)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise | None  # None: a figure never shown under its own title
    kind: str
    numerator: str | None = None
    denominator: str | None = None
    # Counts people (or events about people): protected by suppression, and how a whole relates
    # to its parts. Ratios built on a protected count are hidden with it (not listed here).
    people: bool = False
    relation: str | None = None
    # Codes this count never exceeds in the same scope and period (facts for the disclosure check).
    at_most: tuple[str, ...] = ()
    model: str | None = None  # the intervention model it is about (None: every model)
    role: str | None = None  # the site role it is about (None: every role)
    tables: tuple[str, ...] = ()
    source: str = ENGINE

    def __post_init__(self) -> None:
        if self.people != (self.relation is not None):
            raise ValueError(f"{self.code}: a count of people says how its parts add up")
        named = self.numerator is not None and self.denominator is not None
        if (self.kind in RATIO_KINDS) != named:
            raise ValueError(f"{self.code}: a percentage or ratio names its parts, nothing else")


_ENTRIES: dict[str, Indicator] = {}
_DERIVED: dict[str, Any] = {}


def register(*indicators: Indicator) -> None:
    """Add entries at the end of the catalogue (in order). The codes an entry names (its parts,
    what it is at most) must be in the catalogue once the entries are added."""
    for indicator in indicators:
        if indicator.code in _ENTRIES:
            raise ValueError(f"{indicator.code} is already in the catalogue")
        _ENTRIES[indicator.code] = indicator
    _DERIVED.clear()
    for indicator in indicators:
        for part in (indicator.numerator, indicator.denominator, *indicator.at_most):
            if part is not None and part not in _ENTRIES:
                unregister(*(i.code for i in indicators))
                raise ValueError(f"{indicator.code}: {part} is not in the catalogue")


def unregister(*codes: str) -> None:
    """Take entries out again (a test's made-up indicator)."""
    for code in codes:
        del _ENTRIES[code]
    _DERIVED.clear()


def entries() -> tuple[Indicator, ...]:
    return tuple(_ENTRIES.values())


def get(code: str) -> Indicator:
    return _ENTRIES[code]


def label(code: str) -> Promise | None:
    return _ENTRIES[code].label


T = TypeVar("T")


def _derived(name: str, build: Callable[[], T]) -> T:
    """`build()` once per state of the catalogue."""
    if name not in _DERIVED:
        _DERIVED[name] = build()
    return _DERIVED[name]


class Codes(Sequence[str]):
    """A live, read-only tuple of codes: what `build` derives from the catalogue as it is now."""

    def __init__(self, name: str, build: Callable[[], tuple[str, ...]]) -> None:
        self._name, self._build = name, build

    def _codes(self) -> tuple[str, ...]:
        return _derived(self._name, self._build)

    def __getitem__(self, index: Any) -> Any:
        return self._codes()[index]

    def __len__(self) -> int:
        return len(self._codes())

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes())

    def __contains__(self, code: object) -> bool:
        return code in self._codes()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Codes):
            other = other._codes()
        return isinstance(other, tuple | list) and tuple(other) == self._codes()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._codes())


class Table(Mapping[str, T]):
    """A live, read-only {code: value} derived from the catalogue as it is now."""

    def __init__(self, name: str, build: Callable[[], dict[str, T]]) -> None:
        self._name, self._build = name, build

    def _dict(self) -> dict[str, T]:
        return _derived(self._name, self._build)

    def __getitem__(self, code: str) -> T:
        return self._dict()[code]

    def __len__(self) -> int:
        return len(self._dict())

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __contains__(self, code: object) -> bool:
        return code in self._dict()

    def __repr__(self) -> str:
        return repr(self._dict())


def _codes(name: str, keep: Callable[[Indicator], bool]) -> Codes:
    return Codes(name, lambda: tuple(i.code for i in _ENTRIES.values() if keep(i)))


def _parts(name: str, keep: Callable[[Indicator], bool]) -> "Table[tuple[str, str]]":
    return Table(
        name,
        lambda: {
            i.code: (i.numerator, i.denominator)  # type: ignore[misc]
            for i in _ENTRIES.values()
            if i.kind in RATIO_KINDS and keep(i)
        },
    )


def _engine(i: Indicator) -> bool:
    return i.source == ENGINE


# Every code of the engine, in the order of exports and docs/indicators.md.
CODES = _codes("codes", _engine)
# Percentages and ratios of the engine: code -> (numerator code, denominator code).
PERCENTAGES = _parts("percentages", lambda i: _engine(i) and i.kind == PERCENTAGE)
RATIOS = _parts("ratios", lambda i: _engine(i) and i.kind == MONEY_RATIO)
# Every derived figure, of the engine or of the cost and coverage tables: hidden with its parts.
RATIO_PARTS = _parts("ratio_parts", lambda i: True)
# The engine's percentages and ratios together: what suppression hides with their parts.
ENGINE_RATIOS = _parts("engine_ratios", _engine)
MONEY_CODES = _codes("money", lambda i: _engine(i) and i.kind in (MONEY, MONEY_RATIO))
# Everything shown in VND, the cost tables' and the scale-up estimate's included.
ALL_MONEY_CODES = _codes("all_money", lambda i: i.kind in (MONEY, MONEY_RATIO))
COUNT_CODES = _codes(
    "counts", lambda i: _engine(i) and i.kind not in (MONEY, MONEY_RATIO, PERCENTAGE)
)
COVERAGE_CODES = _codes("coverage", lambda i: i.source == COVERAGE)
# What suppression protects: counts of people and of events about people.
PROTECTED_COUNTS = _codes("protected", lambda i: i.people)
RELATIONS: "Table[str]" = Table(
    "relations", lambda: {i.code: i.relation for i in _ENTRIES.values() if i.relation}
)
INDICATOR_LABELS: "Table[Promise]" = Table(
    "labels", lambda: {i.code: i.label for i in _ENTRIES.values() if _engine(i) and i.label}
)
COST_LABELS: "Table[Promise]" = Table(
    "cost_labels",
    lambda: {i.code: i.label for i in _ENTRIES.values() if i.source == COST and i.label},
)


class RowFacts(Sequence[tuple[str, str]]):
    """(smaller, larger) of every `at_most` of the catalogue, live."""

    def _facts(self) -> tuple[tuple[str, str], ...]:
        return _derived(
            "row_facts",
            lambda: tuple((i.code, big) for i in _ENTRIES.values() for big in i.at_most),
        )

    def __getitem__(self, index: Any) -> Any:
        return self._facts()[index]

    def __len__(self) -> int:
        return len(self._facts())


ROW_FACTS = RowFacts()


def _cost_columns() -> tuple[str, ...]:
    """The cost table: the amount, then each cost ratio after what it divides by."""
    out: list[str] = []
    for i in _ENTRIES.values():
        if COSTS in i.tables and i.kind == MONEY_RATIO:
            for code in (i.numerator, i.denominator, i.code):
                if code not in out:
                    out.append(code)  # type: ignore[arg-type]
    return tuple(out)


def _table_columns(table: str) -> Callable[[], tuple[str, ...]]:
    if table == COSTS:
        return _cost_columns
    return lambda: tuple(i.code for i in _ENTRIES.values() if table in i.tables)


_COLUMNS = {
    table: Codes(f"columns_{table}", _table_columns(table))
    for table in (HEADLINE, PROVINCE, MODEL, ROLE, SITE, COSTS)
}


def columns(table: str) -> Codes:
    """The codes a table of the dashboards (or the site page) shows, in order."""
    return _COLUMNS[table]


def with_parts(codes: Sequence[str]) -> tuple[str, ...]:
    """`codes` with the protected counts behind its percentages and ratios (each before the first
    figure built on it, in catalogue order): a released table carries them so that the
    disclosure check sees what its ratios reveal."""
    out: list[str] = []
    for code in codes:
        entry = _ENTRIES.get(code)
        if entry is not None and entry.kind in RATIO_KINDS:
            parts = {entry.numerator, entry.denominator}
            for part in (i.code for i in _ENTRIES.values() if i.code in parts):
                if _ENTRIES[part].people and part not in codes and part not in out:
                    out.append(part)
        out.append(code)
    return tuple(out)


# ---------------------------------------------------------------------------- the entries

WORKER_RIGHTS = InterventionModel.WORKER_RIGHTS

register(
    Indicator(
        "sites_active",
        _("Địa bàn đang hoạt động"),
        SITES,
        tables=(HEADLINE, PROVINCE, MODEL, ROLE),
    ),
    Indicator("sites_active_pilot", _("Địa bàn thí điểm đang hoạt động"), SITES, role="pilot"),
    Indicator("sites_active_control", _("Địa bàn đối chứng đang hoạt động"), SITES, role="control"),
    Indicator(
        "sites_active_scale_up", _("Địa bàn nhân rộng đang hoạt động"), SITES, role="scale_up"
    ),
    Indicator(
        "reached",
        _("Số người được tiếp cận"),
        PEOPLE,
        people=True,
        relation=DISTINCT,
        tables=(HEADLINE, PROVINCE, MODEL, SITE),
    ),
    Indicator(
        "reached_by_peer_groups",
        _("Số người được nhóm đồng đẳng tiếp cận"),
        PEOPLE,
        people=True,
        relation=DISTINCT,
        at_most=("reached",),
        tables=(SITE,),
    ),
    Indicator(
        "reached_with_need",
        _("Số người được tiếp cận có nhu cầu"),
        PEOPLE,
        people=True,
        relation=DISTINCT,
        at_most=("reached",),
        tables=(HEADLINE, PROVINCE, MODEL, SITE),
    ),
    Indicator(
        "referred",
        _("Số người có nhu cầu được chuyển gửi"),
        PEOPLE,
        people=True,
        relation=MONOTONE,
        at_most=("reached_with_need", "referrals_made"),
        tables=(HEADLINE, PROVINCE, MODEL, SITE),
    ),
    Indicator(
        "referred_pct",
        _("Tỷ lệ người có nhu cầu được chuyển gửi (%)"),
        PERCENTAGE,
        numerator="referred",
        denominator="reached_with_need",
        tables=(HEADLINE, PROVINCE, MODEL, SITE),
    ),
    Indicator(
        "referrals_made",
        _("Số lượt chuyển gửi"),
        EVENTS,
        people=True,
        relation=ADDITIVE,
        tables=(HEADLINE, PROVINCE, SITE),
    ),
    Indicator(
        "referrals_completed",
        _("Số lượt chuyển gửi hoàn thành"),
        EVENTS,
        people=True,
        relation=ADDITIVE,
        at_most=("referrals_made",),
        tables=(MODEL, SITE),
    ),
    Indicator(
        "referral_completion_pct",
        _("Tỷ lệ chuyển gửi hoàn thành (%)"),
        PERCENTAGE,
        numerator="referrals_completed",
        denominator="referrals_made",
        tables=(HEADLINE, PROVINCE, SITE),
    ),
    Indicator(
        "workers_assessed",
        _("Số người lao động được đánh giá"),
        PEOPLE,
        people=True,
        relation=DISTINCT,
        model=WORKER_RIGHTS,
        tables=(ROLE,),
    ),
    Indicator(
        "workers_rights_ensured",
        _("Số người lao động được bảo đảm quyền"),
        PEOPLE,
        people=True,
        relation=COVERING,
        at_most=("workers_assessed",),
        model=WORKER_RIGHTS,
        tables=(ROLE,),
    ),
    Indicator(
        "workers_rights_ensured_pct",
        _("Tỷ lệ người lao động được bảo đảm quyền (%)"),
        PERCENTAGE,
        numerator="workers_rights_ensured",
        denominator="workers_assessed",
        model=WORKER_RIGHTS,
        tables=(HEADLINE, PROVINCE, MODEL, ROLE),
    ),
    Indicator(
        "establishments_assessed",
        _("Số cơ sở được đánh giá"),
        ESTABLISHMENTS,
        model=WORKER_RIGHTS,
        tables=(ROLE,),
    ),
    Indicator(
        "establishments_compliant",
        _("Số cơ sở thực hiện đúng trách nhiệm"),
        ESTABLISHMENTS,
        model=WORKER_RIGHTS,
        tables=(ROLE,),
    ),
    Indicator(
        "establishments_compliant_pct",
        _("Tỷ lệ cơ sở thực hiện đúng trách nhiệm (%)"),
        PERCENTAGE,
        numerator="establishments_compliant",
        denominator="establishments_assessed",
        model=WORKER_RIGHTS,
        tables=(HEADLINE, MODEL, ROLE),
    ),
    Indicator(
        "peer_group_members",
        _("Thành viên nhóm đồng đẳng"),
        SUM,
        tables=(HEADLINE, MODEL),
    ),
    Indicator("trainings", _("Số lớp tập huấn"), EVENTS, tables=(HEADLINE,)),
    Indicator(
        "trainees", _("Số học viên"), SUM, people=True, relation=ADDITIVE, tables=(HEADLINE,)
    ),
    Indicator("total_cost_vnd", _("Tổng chi phí (VNĐ)"), MONEY, tables=(HEADLINE, PROVINCE, MODEL)),
    Indicator(
        "cost_per_reached_vnd",
        _("Chi phí cho mỗi người được tiếp cận (VNĐ)"),
        MONEY_RATIO,
        numerator="total_cost_vnd",
        denominator="reached",
        tables=(HEADLINE, COSTS),
    ),
    # -- figures of the cost tables (reports.indicators.cost_figures)
    Indicator(
        "cost_per_completed_referral_vnd",
        _("Chi phí cho mỗi lượt chuyển gửi hoàn thành (VNĐ)"),
        MONEY_RATIO,
        numerator="total_cost_vnd",
        denominator="referrals_completed",
        tables=(COSTS,),
        source=COST,
    ),
    Indicator("site_years", _("Năm-địa bàn"), YEARS, source=COST),
    Indicator(
        "cost_per_site_year_vnd",
        _("Chi phí cho mỗi năm-địa bàn (VNĐ)"),
        MONEY_RATIO,
        numerator="total_cost_vnd",
        denominator="site_years",
        tables=(COSTS,),
        source=COST,
    ),
    # -- coverage against the target (reports.indicators.localities_covered)
    Indicator("localities_covered", None, LOCALITIES, source=COVERAGE),
    Indicator("locality_units", None, LOCALITIES, source=COVERAGE),
    Indicator(
        "coverage_pct",
        None,
        PERCENTAGE,
        numerator="localities_covered",
        denominator="locality_units",
        source=COVERAGE,
    ),
    # -- the scale-up estimate (reports.indicators.scale_up_budget)
    Indicator("budget_vnd", None, MONEY, source=SCALE_UP),
)


# The columns of the tables of a release (reports.disclosure): every engine code with coverage by
# province; the dashboard's models and site roles with the protected counts behind their
# percentages; the cost table.
RELEASE_COLUMNS = {
    PROVINCE: Codes("release_province", lambda: (*CODES, *COVERAGE_CODES)),
    MODEL: Codes("release_model", lambda: with_parts(columns(MODEL))),
    ROLE: Codes("release_role", lambda: with_parts(columns(ROLE))),
    COSTS: Codes("release_costs", lambda: tuple(columns(COSTS))),
}
