"""Dashboard builders: each takes a period and a scope and returns plain data (already
suppressed where it must be) for a view to render — no request, no form, no template here.

- `national_release` / `province_release`: a published release, read as stored (no figure is
  computed);
- `national_provisional`: the ministry's view of a period not yet published — national totals
  only, marked provisional, with each province's place in the reporting cycle;
- `national_live` / `province_live` / `group_live`: live figures (administrators nationally,
  an officer for their province, a peer leader for their group).
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from periods import calendar as periods
from programs.calendar import iso_period, period_label
from programs.models import InterventionModel
from sites.models import Province, Region, Site

from . import catalogue, cycle, livecache, releases, selectors
from .charts import bar_chart
from .indicators import (
    Pass,
    breakdown_labels,
    compute_indicators,
    localities_covered,
    percentage,
    scale_up_budget,
)
from .labels import AGE_GROUP_LABELS, BREAKDOWN_TITLES, INDICATOR_LABELS
from .suppression import HIDDEN, small_label

# The columns of the dashboards' tables (reports.catalogue says which indicator is where).
PROVINCE_COLUMNS = catalogue.columns(catalogue.PROVINCE)
MODEL_COLUMNS = catalogue.columns(catalogue.MODEL)
HEADLINE = catalogue.columns(catalogue.HEADLINE)
COST_COLUMNS = catalogue.columns(catalogue.COSTS)
PILOT_CONTROL_TITLE = _(
    "So sánh địa bàn thí điểm và đối chứng — mô hình bảo đảm quyền người lao động"
)
POST_MERGER_SUFFIX = "-2025"
UNKNOWN = "unknown"
RELEASE_BREAKDOWNS = ("sex", "age_group", "residence", "category", "model", "region")


def columns(codes):
    """[(code, label)] of a table's columns."""
    return [(code, catalogue.label(code)) for code in codes]


def target_met(value, target):
    """Whether `value` reaches `target`; None when either is unknown or the value is hidden."""
    if target is None or value is None or isinstance(value, str):
        return None
    return value >= target


def scale_up_estimate(choice, observed):
    """The budget to bring `choice["areas"]` more areas to `choice["scale_model"]` for
    `choice["years"]` years (a valid ScaleUpForm's data, or None), at the model's observed
    cost per site-year (`observed`: {model code: {"cost_per_site_year_vnd", "site_years"}})."""
    if not choice:
        return None
    model = choice["scale_model"]
    seen = observed.get(model.code) or {}
    cost = seen.get("cost_per_site_year_vnd")
    return {
        "model": model,
        "areas": choice["areas"],
        "years": choice["years"],
        "cost_per_site_year_vnd": cost,
        "site_years": seen.get("site_years"),
        "budget_vnd": scale_up_budget(
            cost_per_site_year=cost, areas=choice["areas"], years=choice["years"]
        ),
    }


def _base(start, end, *, label=None, release=None):
    """What every dashboard shows of its period; for a release, its suppression markers."""
    markers = release.tables.get("markers", {}) if release else {}
    return {
        "start": start,
        "end": end,
        "period_label": label or period_label(start, end),
        "iso_period": iso_period(start, end),
        "suppressed": release is not None,
        "small_label": markers.get("small", small_label()),
        "hidden_mark": markers.get("hidden", HIDDEN),
    }


def _coverage_summary(rows, target):
    known = [row for row in rows if row.coverage.get("units")]
    meeting = [row for row in known if target_met(row.coverage.get("pct"), target)]
    return {"coverage_known": len(known), "coverage_meeting": len(meeting)}


def _model_chart(models):
    return bar_chart(
        INDICATOR_LABELS["referred_pct"],
        [row.label for row in models],
        [row.values.get("referred_pct") for row in models],
        percent=True,
    )


def _province_chart(rows):
    with_data = [row for row in rows if row.values.get("reached")]
    return {
        "province_chart": bar_chart(
            INDICATOR_LABELS["reached"],
            [row.label for row in with_data],
            [row.values["reached"] for row in with_data],
        ),
        "province_chart_rows": [(row.label, row.values["reached"]) for row in with_data],
    }


def _chart(title, rows, total):
    """rows: [(label, shown value)]."""
    return {
        "title": title,
        "uri": bar_chart(title, [label for label, _v in rows], [value for _l, value in rows]),
        "rows": rows,
        "total": total,
    }


# --------------------------------------------------------------------------- live


def _live_figures(figures, *, province_id):
    """The tables (and, for a Pass made with `breakdowns`, the breakdowns) of a page's Pass, from
    the live cache of its period and scope: one entry, computed by one pass."""
    parts = ("tables", figures.start, figures.end, tuple(sorted(figures.scope.items())))
    parts += (tuple(figures.wanted), figures.with_breakdowns)

    def compute():
        return figures.tables, (figures.breakdowns if figures.with_breakdowns else None)

    tables, found = livecache.cached(parts, province_id=province_id, compute=compute)
    figures.__dict__["tables"] = tables
    if found is not None:
        figures.__dict__["breakdowns"] = found
    return figures


def _breakdown_charts(found):
    """The charts of the breakdowns ({by: {"rows", "total"}}, selectors.breakdown_rows)."""
    return [_chart(BREAKDOWN_TITLES[by], data["rows"], data["total"]) for by, data in found.items()]


def _live_breakdowns(*, start, end, peer_group):
    """A peer group's own page: small, not cached."""
    found = selectors.breakdowns(start=start, end=end, peer_group=peer_group)
    return _breakdown_charts(found)


def _live_costs(*, start, end, province, model_rows, total, scale_up):
    rows, total = selectors.cost_table(
        start=start, end=end, province=province, model_rows=model_rows, total=total
    )
    observed = {row.code: row.values for row in rows}
    return {
        "rows": rows,
        "total": total,
        "columns": columns(COST_COLUMNS),
        "unit_header": _("Mô hình"),
        "caption": _(
            "Chi phí theo mô hình: cho mỗi người được tiếp cận, mỗi lượt chuyển gửi hoàn "
            "thành, mỗi năm-địa bàn"
        ),
        "estimate": scale_up_estimate(scale_up, observed),
    }


def _live_pilot_control(*, start, end, province, figures=None):
    rows = selectors.pilot_vs_control(start=start, end=end, province=province, figures=figures)
    return {
        "rows": rows,
        "columns": columns(selectors.WORKER_RIGHTS_CODES),
        "title": PILOT_CONTROL_TITLE,
    }


def _national_tables(national, rows, models, *, targets, units):
    """What the national page shows the same way live and as released: the headline against
    its target, the provinces with coverage, the models, and their charts."""
    coverage_target = targets.get("coverage_pct", selectors.COVERAGE_TARGET_DEFAULT)
    return {
        "headline": national,
        "headline_columns": columns(HEADLINE),
        "referred_target": targets.get("referred_pct"),
        "referred_met": target_met(national.get("referred_pct"), targets.get("referred_pct")),
        "coverage_target": coverage_target,
        **_coverage_summary(rows, coverage_target),
        "province_rows": rows,
        "province_columns": columns(PROVINCE_COLUMNS),
        "units": units,
        "link_provinces": units == Province.UnitSet.CURRENT,
        "model_rows": models,
        "model_columns": columns(MODEL_COLUMNS),
        "model_chart": _model_chart(models),
        **_province_chart(rows),
    }


def national_live(*, start, end, units, scale_up=None):
    """Live national tables (every province of a unit set, the models, breakdowns, pilot versus
    control, costs) for administrators, who may see participant-level data: not suppressed."""
    targets = selectors.targets_for(start=start, end=end)
    grouping = "province" if units == Province.UnitSet.CURRENT else "province_legacy"
    figures = Pass(
        start=start,
        end=end,
        wanted=[(None, None), (grouping, None), ("model", None), selectors.PILOT_CONTROL],
        breakdowns=True,
    )
    _live_figures(figures, province_id=None)
    rows, national = selectors.province_table(start=start, end=end, units=units, figures=figures)
    models = selectors.model_table(start=start, end=end, figures=figures)
    return {
        **_base(start, end),
        "scope": "national",
        **_national_tables(national, rows, models, targets=targets, units=units),
        "breakdowns": _breakdown_charts(selectors.breakdown_rows(figures.breakdowns)),
        "pilot_control": _live_pilot_control(start=start, end=end, province=None, figures=figures),
        "costs": _live_costs(
            start=start,
            end=end,
            province=None,
            model_rows=models,
            total=national,
            scale_up=scale_up,
        ),
    }


def province_live(*, start, end, province, scale_up=None):
    """Live tables of one 2025 province (for its officer, or an administrator): headline,
    models, sites, breakdowns, pilot versus control, costs, coverage against the target."""
    code = province.code
    targets = selectors.targets_for(start=start, end=end)
    figures = Pass(
        start=start,
        end=end,
        province=code,
        wanted=[(None, None), ("model", None), ("site", None), selectors.PILOT_CONTROL],
        breakdowns=True,
    )
    _live_figures(figures, province_id=province.pk)
    values = figures.get()[None]
    models = selectors.model_table(start=start, end=end, province=code, figures=figures)
    sites = selectors.site_table(start=start, end=end, province=code, figures=figures)
    covered = localities_covered(start=start, end=end).get(province.pk, 0)
    units = province.locality_count
    coverage_target = targets.get("coverage_pct", selectors.COVERAGE_TARGET_DEFAULT)
    coverage_pct = percentage(covered, units) if units else None
    return {
        **_base(start, end),
        "scope": "province",
        "province": province,
        "headline": values,
        "headline_columns": columns(HEADLINE),
        "referred_target": targets.get("referred_pct"),
        "referred_met": target_met(values["referred_pct"], targets.get("referred_pct")),
        "coverage_target": coverage_target,
        "coverage": {"covered": covered, "units": units, "pct": coverage_pct},
        "coverage_met": target_met(coverage_pct, coverage_target),
        "model_rows": models,
        "model_columns": columns(MODEL_COLUMNS),
        "model_chart": _model_chart(models),
        "site_rows": sites,
        "breakdowns": _breakdown_charts(selectors.breakdown_rows(figures.breakdowns)),
        "pilot_control": _live_pilot_control(start=start, end=end, province=code, figures=figures),
        "costs": _live_costs(
            start=start,
            end=end,
            province=code,
            model_rows=models,
            total=values,
            scale_up=scale_up,
        ),
    }


def group_live(*, start, end, group):
    """A peer group's own results and its site's indicators (the leader's own data)."""
    site = group.site
    figures = selectors.group_figures(start=start, end=end, peer_group=group)
    targets = selectors.targets_for(start=start, end=end)
    return {
        **_base(start, end),
        "scope": "group",
        "group": group,
        "site": site,
        "figures": figures,
        "referred_target": targets.get("referred_pct"),
        "referred_met": target_met(figures["referred_pct"], targets.get("referred_pct")),
        "site_values": compute_indicators(start=start, end=end, site=site.code),
        "headline_columns": columns(HEADLINE),
        "breakdowns": _live_breakdowns(start=start, end=end, peer_group=group),
    }


def national_provisional(*, start, end, period):
    """For the ministry, a period not published: the national totals computed now (not
    suppressed: national figures never are), marked provisional, and where each province
    stands in the reporting cycle (`period` None: not a reporting period)."""
    targets = selectors.targets_for(start=start, end=end)
    national = compute_indicators(start=start, end=end)
    statuses = cycle.period_provinces(period=period) if period is not None else []
    approved = [p for p, s in statuses if s and s.status == cycle.Status.APPROVED]
    return {
        **_base(start, end, label=period.label if period else None),
        "scope": "provisional",
        "period": period,
        "headline": national,
        "headline_columns": columns(HEADLINE),
        "referred_target": targets.get("referred_pct"),
        "referred_met": target_met(national["referred_pct"], targets.get("referred_pct")),
        "statuses": statuses,
        "approved_count": len(approved),
    }


# --------------------------------------------------------------------------- by audience
# Each returns (template, context) of the reports home of an audience; the view parses the
# request and picks one.


def officer_dashboard(*, start, end, province, scale_up=None):
    """An officer: their province's live figures, and where its period stands in the cycle."""
    period = periods.period_for(start, end)
    data = province_live(start=start, end=end, province=province, scale_up=scale_up)
    data.update(
        cycle_period=period, submission=cycle.submission_for(period=period, province=province)
    )
    return "reports/dashboard_province.html", data


def leader_dashboard(*, start, end, group):
    """A peer leader: their group's own results."""
    return "reports/dashboard_group.html", group_live(start=start, end=end, group=group)


def national_dashboard(
    *, start, end, units, period, release, province=None, live=True, scale_up=None
):
    """The national roles: a published period's release as stored (national, or one province's
    row); a period not published gives live tables (`live`: administrators, nationally or for
    `province`) or provisional national totals (the ministry)."""
    if release is not None:
        if province is not None:
            return "reports/dashboard_province_release.html", province_release(
                release=release, province=province
            )
        data = national_release(release=release, units=units, scale_up=scale_up)
        return "reports/dashboard_national.html", data
    if not live:
        data = national_provisional(start=start, end=end, period=period)
        return "reports/dashboard_provisional.html", data
    if province is not None:
        data = province_live(start=start, end=end, province=province, scale_up=scale_up)
        return "reports/dashboard_province.html", data
    data = national_live(start=start, end=end, units=units, scale_up=scale_up)
    return "reports/dashboard_national.html", data


# --------------------------------------------------------------------------- releases


def province_names():
    """{(unit set, code): name} of every province. One query."""
    return {(p.unit_set, p.code): p.name for p in Province.objects.only("unit_set", "code", "name")}


def province_label(names, units, key):
    """The name of a row of a stored province table. In the 63-province table, "<code>-2025" is
    a 2025 province's own data from its sites opened after the merger."""
    if key.endswith(POST_MERGER_SUFFIX):
        current = key.removesuffix(POST_MERGER_SUFFIX)
        return f"{names.get((Province.UnitSet.CURRENT, current), current)} (2025)"
    return names.get((units, key), key)


def _province_rows(release, units, names):
    legacy = units == Province.UnitSet.LEGACY
    stored = releases.table(release, "province_legacy" if legacy else "province_2025")
    rows = []
    for code in sorted(stored["rows"]):
        values = stored["rows"][code]
        rows.append(
            selectors.Row(
                key=code,
                label=province_label(names, units, code),
                code=code,
                values=values,
                coverage={
                    "covered": values.get("localities_covered"),
                    "units": values.get("locality_units"),
                    "pct": values.get("coverage_pct"),
                },
            )
        )
    return rows, stored["total"]


def _labelled_rows(stored, labels):
    """Rows of a stored table in the order of `labels` ({key: label}), then any other key."""
    keys = [key for key in labels if key in stored["rows"]]
    keys += sorted(key for key in stored["rows"] if key not in labels)
    return [
        selectors.Row(
            key=key, label=str(labels.get(key, key)), code=key, values=stored["rows"][key]
        )
        for key in keys
    ]


def _breakdown_labels(by, models):
    """{value: label} of a stored breakdown, in display order; "unknown" (people reached with
    no enrolment in scope) last."""
    if by == "age_group":
        labels = dict(AGE_GROUP_LABELS)
    elif by == "model":
        labels = models
    elif by == "region":
        labels = {r.code: r.label for r in Region.objects.all()}
    else:
        labels = dict(breakdown_labels(by))
    return {**labels, UNKNOWN: _("Không rõ")}


def _release_breakdowns(release, models):
    charts = []
    for by in RELEASE_BREAKDOWNS:
        stored = releases.table(release, f"breakdown_{by}")
        rows = _labelled_rows(stored, _breakdown_labels(by, models))
        title = BREAKDOWN_TITLES[by]
        total = (stored["total"] or {}).get("reached")
        charts.append(
            _chart(title, [(row.label, row.values.get("reached")) for row in rows], total)
        )
    return charts


def _present(codes, dicts):
    """The codes that at least one of `dicts` holds, in `codes` order."""
    return [code for code in codes if any(code in values for values in dicts if values)]


def _release_costs(release, names, scale_up):
    stored = releases.table(release, "costs")
    rows = [
        selectors.Row(
            key=code,
            label=names.get((Province.UnitSet.CURRENT, code), code),
            code=code,
            values=values,
        )
        for code, values in sorted(stored["rows"].items())
    ]
    observed = {
        code: {
            "cost_per_site_year_vnd": seen["cost_per_site_year_vnd"],
            "site_years": Decimal(seen["site_years"]),
        }
        for code, seen in release.extras.get("scale_up", {}).items()
    }
    values = [row.values for row in rows] + [stored["total"]]
    return {
        "rows": rows,
        "total": stored["total"],
        "columns": columns(_present(COST_COLUMNS, values)),
        "unit_header": _("Tỉnh/thành phố"),
        "caption": _("Chi phí theo tỉnh, như đã công bố"),
        "estimate": scale_up_estimate(scale_up, observed),
    }


def _release_targets(release):
    return {code: Decimal(value) for code, value in release.extras.get("targets", {}).items()}


def national_release(*, release, units, scale_up=None):
    """A release's national page, read as stored: the national row, the provinces (either unit
    set) with coverage, the models, breakdowns, pilot/control/scale-up, costs."""
    period = release.period
    names = province_names()
    targets = _release_targets(release)
    rows, national = _province_rows(release, units, names)
    model_labels = {m.code: m.label for m in InterventionModel.objects.all()}
    models = _labelled_rows(releases.table(release, "model"), model_labels)
    roles = releases.table(release, "role")
    role_rows = _labelled_rows(roles, dict(Site.SiteRole.choices))
    national = national or {}
    return {
        **_base(period.start, period.end, label=period.label, release=release),
        "scope": "national",
        "release": release,
        "period": period,
        **_national_tables(national, rows, models, targets=targets, units=units),
        "breakdowns": _release_breakdowns(release, model_labels),
        "pilot_control": {
            "rows": role_rows,
            "columns": columns(
                _present(selectors.WORKER_RIGHTS_CODES, [r.values for r in role_rows])
            ),
            "title": PILOT_CONTROL_TITLE,
        },
        "costs": _release_costs(release, names, scale_up),
    }


def province_release(*, release, province):
    """One province's row of a release, as stored, with its coverage."""
    period = release.period
    rows, _national = _province_rows(release, Province.UnitSet.CURRENT, province_names())
    row = next((r for r in rows if r.code == province.code), None)
    targets = _release_targets(release)
    values = row.values if row else {}
    coverage_target = targets.get("coverage_pct", selectors.COVERAGE_TARGET_DEFAULT)
    coverage = row.coverage if row else {"covered": None, "units": None, "pct": None}
    return {
        **_base(period.start, period.end, label=period.label, release=release),
        "scope": "province_release",
        "release": release,
        "period": period,
        "province": province,
        "headline": values,
        "headline_columns": columns(HEADLINE),
        "referred_target": targets.get("referred_pct"),
        "referred_met": target_met(values.get("referred_pct"), targets.get("referred_pct")),
        "coverage_target": coverage_target,
        "coverage": coverage,
        "coverage_met": target_met(coverage["pct"], coverage_target),
        "approved": province.code in release.provinces,
    }


def labelled_changes(changes):
    """The changes of a release (releases.release_changes) with the name of each row: a
    province, a model, a group of a breakdown, or the total."""
    names = province_names()
    models = {m.code: m.label for m in InterventionModel.objects.all()}
    labels = {
        "province_2025": lambda key: province_label(names, Province.UnitSet.CURRENT, key),
        "province_legacy": lambda key: province_label(names, Province.UnitSet.LEGACY, key),
        "costs": lambda key: province_label(names, Province.UnitSet.CURRENT, key),
        "model": models.get,
        "role": dict(Site.SiteRole.choices).get,
    }
    breakdowns = {f"breakdown_{by}": by for by in RELEASE_BREAKDOWNS}
    rows = []
    for change in changes:
        if change.row == releases.TOTAL:
            name = _("Tổng")
        elif change.table in breakdowns:
            name = _breakdown_labels(breakdowns[change.table], models).get(change.row)
        else:
            name = labels.get(change.table, lambda key: None)(change.row)
        rows.append({"change": change, "row_label": name or change.row})
    return rows
