from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import EVERY_ROLE, allow
from accounts.activity import record_activity
from accounts.models import ActivityEvent, Role

from . import uploads
from .forms import UploadForm
from .reader import read_directory
from .selectors import EXPORT_ROLES, export_rows, filter_form, may_export
from .services import import_exchange
from .spec import FILES, FILES_BY_NAME
from .workbook import csv_stream, template_bytes, xlsx_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Querystring keys of the list page that are not filters.
NOT_FILTERS = ("format", "page")
SHOWN_ERRORS = 500


@allow(*EXPORT_ROLES)
def export(request, kind):
    """One list in the exchange columns, with the list page's filters (its querystring)."""
    if kind not in FILES_BY_NAME:
        raise Http404
    if not may_export(request.user, kind):
        raise PermissionDenied
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("Định dạng không hợp lệ: chỉ có csv hoặc xlsx."))
    data = request.GET.copy()
    for key in NOT_FILTERS:
        data.pop(key, None)
    filters = {}
    form = filter_form(kind, data, request.user)
    if form is not None:
        if not form.is_valid():
            return HttpResponseBadRequest(_("Bộ lọc không hợp lệ."))
        filters = {
            key: value for key, value in form.cleaned_data.items() if value not in (None, "", [])
        }
    record_activity(
        user=request.user,
        kind=ActivityEvent.Kind.EXPORT,
        what=f"exchange {kind}.{fmt}",
        # Filter names only: a filter value could be a search term about a person.
        filters=sorted(key for key, value in data.items() if value),
    )
    rows = export_rows(kind, user=request.user, filters=filters)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes([(kind, rows)]), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.xlsx"'
        return response
    response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.csv"'
    return response


@allow(*EVERY_ROLE)
def template(request):
    """The blank exchange workbook: a column guide and one sheet per file."""
    response = HttpResponse(template_bytes(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-du-lieu.xlsx"'
    return response


@allow(Role.OFFICER, Role.ADMIN)
def import_view(request):
    """Upload -> preview (a dry run: per-row errors, new/updated counts) -> confirm or cancel.
    The same validation and loading as `manage.py import_exchange`, limited to the user's scope
    (an officer's province)."""
    if request.method != "POST":
        return render(request, "exchange/import.html", {"form": UploadForm()})
    action = request.POST.get("action", "upload")
    if action == "confirm":
        return _confirm(request)
    if action == "cancel":
        uploads.discard(request.session.pop(uploads.SESSION_KEY, None))
        messages.info(request, _("Đã hủy nhập dữ liệu; không có gì được lưu."))
        return redirect("exchange:import")
    return _preview(request)


def _preview(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "exchange/import.html", {"form": form})
    # A new upload replaces one left waiting for confirmation.
    uploads.discard(request.session.pop(uploads.SESSION_KEY, None))
    try:
        token, folder = uploads.store(form.cleaned_data["file"])
    except uploads.UploadError as exc:
        form.add_error("file", str(exc))
        return render(request, "exchange/import.html", {"form": form})
    sources, read_errors = read_directory(folder)
    if not sources and not read_errors:
        uploads.discard(token)
        form.add_error("file", _("Không tìm thấy tệp nào đúng định dạng trao đổi."))
        return render(request, "exchange/import.html", {"form": form})
    result = import_exchange(
        sources=sources, user=request.user, dry_run=True, read_errors=read_errors
    )
    if result.ok:
        request.session[uploads.SESSION_KEY] = token
    else:
        uploads.discard(token)
    return render(request, "exchange/preview.html", _result_context(result, form=UploadForm()))


def _confirm(request):
    token = request.session.pop(uploads.SESSION_KEY, None)
    folder = uploads.folder_for(token)
    if folder is None:
        messages.error(request, _("Phiên nhập dữ liệu đã hết hạn; hãy tải tệp lên lại."))
        return redirect("exchange:import")
    try:
        sources, read_errors = read_directory(folder)
        result = import_exchange(sources=sources, user=request.user, read_errors=read_errors)
    finally:
        uploads.discard(token)
    if not result.ok:
        return render(request, "exchange/preview.html", _result_context(result, form=UploadForm()))
    record_activity(
        user=request.user,
        kind=ActivityEvent.Kind.IMPORT,
        what=_("Nhập %(files)s") % {"files": ", ".join(f"{n}.csv" for n in result.counts)},
        counts=result.totals(),
    )
    new = sum(c.new for c in result.counts.values())
    updated = sum(c.updated for c in result.counts.values())
    messages.success(
        request,
        _("Đã nhập dữ liệu: %(new)s dòng mới, %(updated)s dòng cập nhật.")
        % {"new": new, "updated": updated},
    )
    return redirect("exchange:import")


def _result_context(result, *, form):
    counts = [
        (spec.filename, result.counts[spec.name]) for spec in FILES if spec.name in result.counts
    ]
    return {
        "result": result,
        "counts": counts,
        "errors": [str(error) for error in result.errors[:SHOWN_ERRORS]],
        "hidden_errors": max(0, len(result.errors) - SHOWN_ERRORS),
        "form": form,
    }
