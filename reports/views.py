from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import NATIONAL_ROLES, REPORT_ROLES, allow
from accounts.activity import record_activity
from accounts.models import ActivityEvent, Role
from accounts.params import positive_int
from periods import calendar as periods
from periods.models import Submission
from sites.models import Province

from . import cycle, dashboards, exports, releases, selectors
from .forms import (
    DecisionForm,
    ProvinceChoiceForm,
    PublishForm,
    ReportPeriodForm,
    ScaleUpForm,
    SubmitForm,
    period_label,
    period_params,
)
from .routing import report_view

# The reporting cycle and the releases: the province's officer and the national roles.
CYCLE_ROLES = NATIONAL_ROLES | {Role.OFFICER}
PERIOD_PARAMS = ("period", "year", "quarter", "phase", "start", "end")


def _default_period(user):
    """Where a dashboard opens when no period is asked for: the national roles on the last
    published period; a peer leader on the quarter of their group's latest contact (the quarter
    under way once they are logging in it); otherwise (and everyone else) the last complete
    quarter with data, the one a province submits."""
    if user.role == Role.PEER_LEADER:
        latest = selectors.latest_group_day(user.peer_group) or timezone.localdate()
        return periods.period_for(*periods.quarter_of(latest))
    if user.role in NATIONAL_ROLES:
        published = releases.latest_published_period()
        if published is not None:
            return published
        return _quarter_with_data(timezone.localdate())
    start, end = periods.last_complete_quarter(
        today=timezone.localdate(), latest=selectors.latest_data_day()
    )
    return periods.period_for(start, end)


def _quarter_with_data(today):
    """The national roles' opening quarter when nothing is published: the last complete quarter
    that has data (the quarter under way when only it has), as a period's selection even when
    no reporting period of that quarter is on record — never an empty year of zeros."""
    under_way, _end = periods.quarter_of(today)
    latest = selectors.latest_data_day(before=under_way) or selectors.latest_data_day()
    if latest is None:
        start, end = periods.last_complete_quarter(today=today)
    else:
        start, end = periods.quarter_of(latest)
    quarter = (start.month - 1) // 3 + 1
    return SimpleNamespace(kind=ReportPeriodForm.QUARTER, code=f"{start.year}Q{quarter}", end=end)


def _period(request):
    """(form, start, end, units) of the period asked for in the query string, or of the default
    period. The ministry reads fixed periods only (quarters, years, phases)."""
    params = request.GET
    data, default_year = params, timezone.localdate().year
    if not any(params.get(name) for name in PERIOD_PARAMS):
        default = _default_period(request.user)
        if default is not None:
            data, default_year = {**params.dict(), **period_params(default)}, default.end.year
    form = ReportPeriodForm(
        data or None,
        default_year=default_year,
        allow_custom=request.user.role != Role.MINISTRY,
    )
    start, end, units = form.resolved()
    return form, start, end, units


def _scale_up(request):
    """A valid scale-up question's data, or None."""
    form = ScaleUpForm(request.GET if "areas" in request.GET else None)
    return form, (form.cleaned_data if form.is_bound and form.is_valid() else None)


def _period_query(start, end, units="2025"):
    """The query string that opens this period again (links from its tables)."""
    return urlencode(
        {"period": ReportPeriodForm.CUSTOM, "start": start, "end": end, "units": units}
    )


def _release_for(request, period):
    """The release of `period` asked for (?version=N) or its latest; None when unpublished."""
    if period is None:
        return None
    version = request.GET.get("version")
    if version is None:
        return releases.latest_release(period)
    number = positive_int(version)
    if number is None:
        raise Http404
    found = releases.release_get(period=period, version=number)
    if found is None:
        raise Http404
    return found


def _release_query(release, units="2025"):
    return urlencode({**period_params(release.period), "version": release.version, "units": units})


@allow(*REPORT_ROLES)
@report_view
def dashboard(request):
    """The reports home of each role. The ministry and administrators: a published period's
    release as stored (national, or one province's row), else — the period is not published —
    provisional national totals for the ministry and live tables for administrators. An
    officer: their province's live figures. A peer leader: their group's."""
    user = request.user
    form, start, end, units = _period(request)
    scale_up_form, scale_up = _scale_up(request)
    context = {"form": form, "scale_up_form": scale_up_form}
    if user.role == Role.OFFICER:
        period = periods.period_for(start, end)
        data = dashboards.province_live(
            start=start, end=end, province=user.province, scale_up=scale_up
        )
        context.update(
            cycle_period=period,
            submission=cycle.submission_for(period=period, province=user.province),
        )
        return render(request, "reports/dashboard_province.html", {**context, **data})
    if user.role == Role.PEER_LEADER:
        data = dashboards.group_live(start=start, end=end, group=user.peer_group)
        return render(request, "reports/dashboard_group.html", {**context, **data})
    choice = ProvinceChoiceForm(request.GET or None)
    province = choice.cleaned_data["province"] if choice.is_valid() else None
    context["province_form"] = ProvinceChoiceForm(
        initial={"province": province.code} if province else None
    )
    period = periods.period_for(start, end)
    release = _release_for(request, period)
    if release is not None:
        other_units = "legacy" if units == "2025" else "2025"
        context.update(
            period_query=_release_query(release, units),
            units_toggle_query=_release_query(release, other_units),
        )
        if province is not None:
            data = dashboards.province_release(release=release, province=province)
            return render(request, "reports/dashboard_province_release.html", {**context, **data})
        data = dashboards.national_release(release=release, units=units, scale_up=scale_up)
        return render(request, "reports/dashboard_national.html", {**context, **data})
    if user.role == Role.MINISTRY:
        data = dashboards.national_provisional(start=start, end=end, period=period)
        return render(request, "reports/dashboard_provisional.html", {**context, **data})
    context["period_query"] = _period_query(start, end)
    if province is not None:
        data = dashboards.province_live(start=start, end=end, province=province, scale_up=scale_up)
        return render(request, "reports/dashboard_province.html", {**context, **data})
    data = dashboards.national_live(start=start, end=end, units=units, scale_up=scale_up)
    context["units_toggle_query"] = _period_query(
        start, end, "legacy" if units == "2025" else "2025"
    )
    return render(request, "reports/dashboard_national.html", {**context, **data})


EXPORT_FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "dhis2": ("application/json", "json"),
}


@allow(*NATIONAL_ROLES)
@report_view
def national_export(request):
    """A published release's national summary by province × indicator, served exactly as
    stored, in one click: ?format=xlsx|csv|dhis2 and the period (period=quarter&year=…&quarter=…,
    period=year&year=…, period=phase&phase=…, or start=…&end=… of a reporting period)
    [&version=N][&units=2025|legacy]. A period not published cannot be downloaded."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        messages.error(request, _("Định dạng xuất không hợp lệ: chọn XLSX, CSV hoặc DHIS2."))
        return redirect("reports:dashboard")
    params = request.GET.copy()
    if params.get("start") or params.get("end"):
        params["period"] = ReportPeriodForm.CUSTOM
    form = ReportPeriodForm(params, default_year=timezone.localdate().year)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reports:dashboard")
    start, end, units = form.resolved()
    period = periods.period_for(start, end)
    release = _release_for(request, period)
    if release is None:
        messages.error(
            request,
            _(
                "Kỳ %(period)s chưa được công bố: chỉ tải được số liệu Bộ đã công bố, theo quý, "
                "năm hoặc giai đoạn."
            )
            % {"period": period.label if period else period_label(start, end)},
        )
        return redirect("reports:dashboard")
    if fmt == "dhis2":
        units = "2025"
    header, body = exports.release_summary(release, units=units)
    if fmt == "csv":
        content = exports.to_csv(header, body)
    elif fmt == "xlsx":
        content = exports.to_xlsx(header, body, release=release, units=units)
    else:
        content = exports.to_dhis2(header, body, start=start, end=end, release=release)
    content_type, extension = EXPORT_FORMATS[fmt]
    filename = f"tong-hop-quoc-gia_{release.period.code}_v{release.version}.{extension}"
    record_activity(
        user=request.user,
        kind=ActivityEvent.Kind.EXPORT,
        what=f"national_summary {fmt} {release.period.code} v{release.version}",
        format=fmt,
        period=release.period.code,
        version=release.version,
        start=start.isoformat(),
        end=end.isoformat(),
        units=units,
        rows=len(body),
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --------------------------------------------------------------------------- reporting cycle


def _reporting_period(code):
    period = cycle.period_get(code)
    if period is None:
        raise Http404
    return period


def _province_in_scope(user, code):
    """A 2025 province by code; an officer only reaches their own (any other: 404)."""
    province = Province.objects.filter(unit_set=Province.UnitSet.CURRENT, code=code).first()
    if province is None or (user.role == Role.OFFICER and province.pk != user.province_id):
        raise Http404
    return province


def _error_messages(request, error):
    for message in error.messages:
        messages.error(request, message)


@allow(*CYCLE_ROLES)
def cycle_index(request):
    """The reporting cycle: an officer's closed periods and where each stands; for the
    ministry, every closed period with its provinces' statuses and releases."""
    user = request.user
    if user.role == Role.OFFICER:
        rows = cycle.province_periods(province=user.province)
        return render(request, "reports/cycle_list.html", {"rows": rows})
    return render(request, "reports/cycle_overview.html", {"rows": cycle.period_overview()})


@allow(*CYCLE_ROLES)
def cycle_period(request, period):
    """One period: an officer goes to their province's review; the ministry sees the 34
    provinces' statuses, decides, and publishes."""
    period = _reporting_period(period)
    user = request.user
    if user.role == Role.OFFICER:
        return redirect("reports:cycle_province", period=period.code, province=user.province.code)
    statuses = cycle.period_provinces(period=period)
    approved = [
        province for province, s in statuses if s and s.status == Submission.Status.APPROVED
    ]
    versions = releases.release_versions(period)
    return render(
        request,
        "reports/cycle_period.html",
        {
            "period": period,
            "statuses": statuses,
            "approved": approved,
            "publish_form": PublishForm(approved=approved, period=period),
            "versions": versions,
            "period_query": urlencode(period_params(period)),
            "can_decide": user.role == Role.MINISTRY,
            "closed": period.is_closed(timezone.localdate()),
        },
    )


@allow(*CYCLE_ROLES)
def cycle_province(request, period, province):
    """A province's period under review: its live indicators, what changed since it last
    submitted, data-quality warnings, the history; the officer submits here, the ministry
    approves, returns or reopens."""
    period = _reporting_period(period)
    province = _province_in_scope(request.user, province)
    data = cycle.review(period=period, province=province)
    submission = data["submission"]
    status = submission.status if submission else None
    user = request.user
    can_submit = (
        user.role == Role.OFFICER
        and period.is_closed(timezone.localdate())
        and status in (None, Submission.Status.RETURNED, Submission.Status.REOPENED)
    )
    decisions = []
    if user.role == Role.MINISTRY and status == Submission.Status.SUBMITTED:
        decisions = ["approve", "return"]
    elif user.role == Role.MINISTRY and status == Submission.Status.APPROVED:
        decisions = ["reopen"]
    return render(
        request,
        "reports/cycle_review.html",
        {
            **data,
            "period": period,
            "province": province,
            "closed": period.is_closed(timezone.localdate()),
            "submit_form": SubmitForm(period=period, province=province) if can_submit else None,
            "decisions": decisions,
            "decision_form": (
                DecisionForm(period=period, province=province) if decisions else None
            ),
        },
    )


@allow(Role.OFFICER)
@require_POST
def cycle_submit(request, period):
    """The officer submits their province's period to the ministry."""
    period = _reporting_period(period)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        _error_messages(request, ValidationError(list(form.errors.values())))
    elif not form.cleaned_data["confirm"]:
        messages.error(request, NOT_CONFIRMED)
    else:
        try:
            cycle.submission_submit(
                period=period,
                province=request.user.province,
                by=request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(
                request,
                _("Đã trình Bộ kỳ %(period)s. Bộ sẽ phê duyệt hoặc trả lại kèm ý kiến.")
                % {"period": period.label},
            )
    return redirect(
        "reports:cycle_province", period=period.code, province=request.user.province.code
    )


NOT_CONFIRMED = gettext_lazy(
    "Chưa thực hiện: hãy đọc điều sẽ xảy ra và đánh dấu ô xác nhận, rồi bấm lại."
)

DECIDED = {
    "approve": _("Đã phê duyệt kỳ %(period)s của %(province)s: số liệu của kỳ đã được khoá."),
    "return": _("Đã trả lại kỳ %(period)s cho %(province)s kèm ý kiến."),
    "reopen": _("Đã mở lại kỳ %(period)s của %(province)s: tỉnh sửa số liệu rồi trình lại."),
}


@allow(Role.MINISTRY)
@require_POST
def cycle_decide(request, period, province):
    """The ministry approves, returns (with a comment) or reopens (with a reason) a province's
    period."""
    period = _reporting_period(period)
    province = _province_in_scope(request.user, province)
    submission = Submission.objects.filter(period=period, province=province).first()
    if submission is None:
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _error_messages(request, ValidationError(list(form.errors.values())))
    elif form.cleaned_data["action"] == "approve" and not form.cleaned_data["confirm"]:
        messages.error(request, NOT_CONFIRMED)
    else:
        action = form.cleaned_data["action"]
        try:
            cycle.submission_decide(
                submission=submission,
                action=action,
                by=request.user,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(
                request, DECIDED[action] % {"period": period.label, "province": province.name}
            )
    return redirect("reports:cycle_province", period=period.code, province=province.code)


@allow(Role.MINISTRY)
@require_POST
def cycle_publish(request, period):
    """The ministry publishes the period for the approved provinces it chose."""
    period = _reporting_period(period)
    form = PublishForm(request.POST)
    if not form.is_valid():
        _error_messages(request, ValidationError(list(form.errors.values())))
        return redirect("reports:cycle_period", period=period.code)
    if not form.cleaned_data["confirm"]:
        messages.error(request, NOT_CONFIRMED)
        return redirect("reports:cycle_period", period=period.code)
    try:
        release = releases.release_publish(
            period=period,
            provinces=form.cleaned_data["provinces"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("reports:cycle_period", period=period.code)
    messages.success(
        request,
        _("Đã công bố %(release)s. Trang báo cáo và các tệp tải về dùng đúng bảng đã lưu này.")
        % {"release": release},
    )
    return redirect("reports:release_detail", period=period.code)


# --------------------------------------------------------------------------- releases


@allow(*CYCLE_ROLES)
@report_view
def release_list(request):
    """Every published release and its versions."""
    return render(request, "reports/release_list.html", {"releases": releases.release_list()})


@allow(*CYCLE_ROLES)
@report_view
def release_detail(request, period):
    """A release: its versions, who published each and why, and the cells a version changed
    from the one before."""
    period = _reporting_period(period)
    versions = releases.release_versions(period)
    if not versions:
        raise Http404
    release = _release_for(request, period)
    previous = next((v for v in versions if v.version == release.version - 1), None)
    return render(
        request,
        "reports/release_detail.html",
        {
            "period": period,
            "release": release,
            "versions": versions,
            "previous": previous,
            "changes": dashboards.labelled_changes(releases.release_changes(release, previous)),
            "period_query": _release_query(release),
            "can_export": request.user.role in NATIONAL_ROLES,
        },
    )


@allow(*CYCLE_ROLES)
@report_view
def release_print(request, period):
    """A release as a printable report (A4 landscape): the national tables as stored."""
    period = _reporting_period(period)
    release = _release_for(request, period)
    if release is None:
        raise Http404
    units = request.GET.get("units") if request.GET.get("units") == "legacy" else "2025"
    data = dashboards.national_release(release=release, units=units)
    return render(request, "reports/release_print.html", data)
