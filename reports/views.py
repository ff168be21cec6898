from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import CASE_ROLES, allow
from accounts.activity import record_activity
from accounts.models import ActivityEvent, Role

from . import exports, selectors
from .charts import bar_chart
from .forms import ProvinceChoiceForm, ReportPeriodForm, ScaleUpForm, iso_period, period_label
from .indicators import compute_indicators, localities_covered, percentage, scale_up_budget
from .labels import BREAKDOWN_TITLES, INDICATOR_LABELS
from .suppression import HIDDEN, small_label, suppress_rows

PROVINCE_COLUMNS = (
    "sites_active",
    "reached",
    "reached_with_need",
    "referred",
    "referred_pct",
    "referrals_made",
    "referral_completion_pct",
    "workers_rights_ensured_pct",
    "total_cost_vnd",
)
MODEL_COLUMNS = (
    "sites_active",
    "reached",
    "reached_with_need",
    "referred",
    "referred_pct",
    "referrals_completed",
    "workers_rights_ensured_pct",
    "establishments_compliant_pct",
    "peer_group_members",
    "total_cost_vnd",
)
HEADLINE = (
    "sites_active",
    "reached",
    "reached_with_need",
    "referred",
    "referred_pct",
    "referrals_made",
    "referral_completion_pct",
    "workers_rights_ensured_pct",
    "establishments_compliant_pct",
    "peer_group_members",
    "trainings",
    "trainees",
    "total_cost_vnd",
    "cost_per_reached_vnd",
)
COST_COUNTS = ("reached", "referrals_completed")
COST_RATIOS = {
    "cost_per_reached_vnd": ("total_cost_vnd", "reached"),
    "cost_per_completed_referral_vnd": ("total_cost_vnd", "referrals_completed"),
}


def _columns(codes):
    return [(code, INDICATOR_LABELS[code]) for code in codes]


def _period(request):
    return _period_from(request.GET)


def _target_status(value, target):
    if target is None or value is None or isinstance(value, str):
        return None
    return value >= target


def _breakdown_charts(found):
    charts = []
    for by, data in found.items():
        labels = [label for label, _shown, _value in data["rows"]]
        charts.append(
            {
                "title": BREAKDOWN_TITLES[by],
                "uri": bar_chart(BREAKDOWN_TITLES[by], labels, [s for _l, s, _v in data["rows"]]),
                "rows": [(label, shown) for label, shown, _value in data["rows"]],
                "total": data["total"],
            }
        )
    return charts


def _cost_section(request, *, start, end, province, suppress):
    rows, total = selectors.cost_table(start=start, end=end, province=province)
    form = ScaleUpForm(request.GET if "areas" in request.GET else None)
    estimate = None
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data["scale_model"]
        observed = next(row for row in rows if row.key == chosen.code).values
        estimate = {
            "model": chosen,
            "areas": form.cleaned_data["areas"],
            "years": form.cleaned_data["years"],
            "cost_per_site_year_vnd": observed["cost_per_site_year_vnd"],
            "site_years": observed["site_years"],
            "budget_vnd": scale_up_budget(
                cost_per_site_year=observed["cost_per_site_year_vnd"],
                areas=form.cleaned_data["areas"],
                years=form.cleaned_data["years"],
            ),
        }
    if suppress:
        done, total = suppress_rows(
            [row.values for row in rows],
            counts=COST_COUNTS,
            ratios=COST_RATIOS,
            total=total,
            national_total=province is None,
        )
        for row, values in zip(rows, done, strict=True):
            row.values = values
    return {"rows": rows, "total": total, "form": form, "estimate": estimate}


def _pilot_control(*, start, end, province, suppress):
    rows = selectors.pilot_vs_control(start=start, end=end, province=province)
    if suppress:
        done, _total = suppress_rows(
            [row.values for row in rows],
            counts=[c for c in selectors.WORKER_RIGHTS_CODES if not c.endswith("_pct")],
            ratios=selectors.SUPPRESSIBLE_RATIOS,
        )
        for row, values in zip(rows, done, strict=True):
            row.values = values
    return {"rows": rows, "columns": _columns(selectors.WORKER_RIGHTS_CODES)}


def _suppress_headline(values, suppress, *, national):
    if not suppress or national:
        return values
    done, _total = suppress_rows(
        [values],
        counts=selectors.COUNT_CODES,
        ratios=selectors.SUPPRESSIBLE_RATIOS,
    )
    return done[0]


def _base_context(form, start, end, suppress):
    return {
        "form": form,
        "start": start,
        "end": end,
        "period_label": period_label(start, end),
        "suppressed": suppress,
        "small_label": small_label(),
        "hidden_mark": HIDDEN,
    }


def _national(request, form, start, end, units, *, suppress):
    targets = selectors.targets_for(start=start, end=end)
    rows, national = selectors.province_table(start=start, end=end, units=units)
    models = selectors.model_table(start=start, end=end)
    if suppress:
        rows = selectors.suppress_table(rows, national)
        models = selectors.suppress_table(models, national)
    coverage_target = targets.get("coverage_pct", selectors.COVERAGE_TARGET_DEFAULT)
    known = [row for row in rows if row.coverage["units"]]
    meeting = [
        row
        for row in known
        if row.coverage["pct"] is not None
        and not isinstance(row.coverage["pct"], str)
        and row.coverage["pct"] >= coverage_target
    ]
    with_data = [row for row in rows if row.values["reached"]]
    context = {
        **_base_context(form, start, end, suppress),
        "scope": "national",
        "province_form": ProvinceChoiceForm(),
        "headline": national,
        "headline_columns": _columns(HEADLINE),
        "targets": targets,
        "referred_target": targets.get("referred_pct"),
        "referred_met": _target_status(national["referred_pct"], targets.get("referred_pct")),
        "coverage_target": coverage_target,
        "coverage_known": len(known),
        "coverage_meeting": len(meeting),
        "province_rows": rows,
        "province_columns": _columns(PROVINCE_COLUMNS),
        "units": units,
        "model_rows": models,
        "model_columns": _columns(MODEL_COLUMNS),
        "model_chart": bar_chart(
            INDICATOR_LABELS["referred_pct"],
            [row.label for row in models],
            [row.values["referred_pct"] for row in models],
            percent=True,
        ),
        "province_chart": bar_chart(
            INDICATOR_LABELS["reached"],
            [row.label for row in with_data],
            [row.values["reached"] for row in with_data],
        ),
        "province_chart_rows": [(row.label, row.values["reached"]) for row in with_data],
        "breakdowns": _breakdown_charts(
            selectors.breakdowns(start=start, end=end, suppress=suppress)
        ),
        "pilot_control": _pilot_control(start=start, end=end, province=None, suppress=suppress),
        "costs": _cost_section(request, start=start, end=end, province=None, suppress=suppress),
        "export_query": urlencode({"start": start, "end": end, "units": units}),
        "units_toggle_query": urlencode(
            {
                "period": ReportPeriodForm.CUSTOM,
                "start": start,
                "end": end,
                "units": "legacy" if units == "2025" else "2025",
            }
        ),
        "link_provinces": units == "2025",
        "iso_period": iso_period(start, end),
    }
    return render(request, "reports/dashboard_national.html", context)


def _province(request, form, start, end, province, *, suppress):
    code = province.code
    targets = selectors.targets_for(start=start, end=end)
    values = compute_indicators(start=start, end=end, province=code)
    models = selectors.model_table(start=start, end=end, province=code)
    sites = selectors.site_table(start=start, end=end, province=code)
    covered = localities_covered(start=start, end=end).get(province.pk, 0)
    units = province.locality_count
    if suppress:
        models = selectors.suppress_table(models, values)
        sites = selectors.suppress_table(sites, values)
    shown = _suppress_headline(values, suppress, national=False)
    coverage_target = targets.get("coverage_pct", selectors.COVERAGE_TARGET_DEFAULT)
    coverage_pct = percentage(covered, units) if units else None
    context = {
        **_base_context(form, start, end, suppress),
        "scope": "province",
        "province": province,
        "province_form": ProvinceChoiceForm(initial={"province": code}),
        "headline": shown,
        "headline_columns": _columns(HEADLINE),
        "referred_target": targets.get("referred_pct"),
        "referred_met": _target_status(shown["referred_pct"], targets.get("referred_pct")),
        "coverage_target": coverage_target,
        "coverage": {"covered": covered, "units": units, "pct": coverage_pct},
        "coverage_met": _target_status(coverage_pct, coverage_target),
        "model_rows": models,
        "model_columns": _columns(MODEL_COLUMNS),
        "model_chart": bar_chart(
            INDICATOR_LABELS["referred_pct"],
            [row.label for row in models],
            [row.values["referred_pct"] for row in models],
            percent=True,
        ),
        "site_rows": sites,
        "breakdowns": _breakdown_charts(
            selectors.breakdowns(start=start, end=end, province=code, suppress=suppress)
        ),
        "pilot_control": _pilot_control(start=start, end=end, province=code, suppress=suppress),
        "costs": _cost_section(request, start=start, end=end, province=code, suppress=suppress),
    }
    return render(request, "reports/dashboard_province.html", context)


def _group(request, form, start, end, group):
    site = group.site
    figures = selectors.group_figures(start=start, end=end, peer_group=group)
    site_values = compute_indicators(start=start, end=end, site=site.code)
    targets = selectors.targets_for(start=start, end=end)
    context = {
        **_base_context(form, start, end, False),
        "scope": "group",
        "group": group,
        "site": site,
        "figures": figures,
        "referred_target": targets.get("referred_pct"),
        "referred_met": _target_status(figures["referred_pct"], targets.get("referred_pct")),
        "site_values": site_values,
        "headline_columns": _columns(HEADLINE),
        "breakdowns": _breakdown_charts(
            selectors.breakdowns(start=start, end=end, peer_group=group)
        ),
    }
    return render(request, "reports/dashboard_group.html", context)


@allow(Role.MINISTRY, Role.ADMIN, Role.OFFICER, Role.PEER_LEADER)
def dashboard(request):
    """National dashboard for the ministry and administrators (or one province's, chosen), the
    officer's province, the peer leader's group. Roles without participant access see
    suppressed tables."""
    user = request.user
    suppress = user.role not in CASE_ROLES
    form, start, end, units = _period(request)
    if user.role == Role.OFFICER:
        return _province(request, form, start, end, user.province, suppress=False)
    if user.role == Role.PEER_LEADER:
        return _group(request, form, start, end, user.peer_group)
    choice = ProvinceChoiceForm(request.GET or None)
    if choice.is_bound and choice.is_valid() and choice.cleaned_data["province"]:
        return _province(
            request, form, start, end, choice.cleaned_data["province"], suppress=suppress
        )
    return _national(request, form, start, end, units, suppress=suppress)


EXPORT_FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "dhis2": ("application/json", "json"),
}


@allow(Role.MINISTRY, Role.ADMIN)
def national_export(request):
    """The national summary by province × indicator for a period, suppressed, in one click:
    ?format=xlsx|csv|dhis2&start=YYYY-MM-DD&end=YYYY-MM-DD[&units=2025|legacy]."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        messages.error(request, _("Định dạng xuất không hợp lệ: chọn XLSX, CSV hoặc DHIS2."))
        return redirect("reports:dashboard")
    params = request.GET.copy()
    if params.get("start") or params.get("end"):
        params["period"] = ReportPeriodForm.CUSTOM
    form, start, end, units = _period_from(params)
    if form.is_bound and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reports:dashboard")
    if fmt == "dhis2":
        units = "2025"
    header, body = exports.national_summary(start=start, end=end, units=units)
    if fmt == "csv":
        content = exports.to_csv(header, body)
    elif fmt == "xlsx":
        content = exports.to_xlsx(header, body, start=start, end=end)
    else:
        content = exports.to_dhis2(header, body, start=start, end=end)
    content_type, extension = EXPORT_FORMATS[fmt]
    filename = f"tong-hop-quoc-gia_{start.isoformat()}_{end.isoformat()}.{extension}"
    record_activity(
        user=request.user,
        kind=ActivityEvent.Kind.EXPORT,
        what=f"national_summary {fmt} {start.isoformat()}..{end.isoformat()}",
        format=fmt,
        start=start.isoformat(),
        end=end.isoformat(),
        units=units,
        rows=len(body),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _period_from(params):
    default_year = selectors.latest_data_year(default=timezone.localdate().year)
    form = ReportPeriodForm(params or None, default_year=default_year)
    start, end, units = form.resolved()
    return form, start, end, units
