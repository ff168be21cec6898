from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import EDITORS, EVERY_ROLE, REPORT_ROLES, allow
from accounts.activity import record_activity
from accounts.models import ActivityEvent

from . import uploads
from .forms import UploadForm
from .reader import read_upload
from .selectors import export_queryset, export_rows, filter_form, may_export
from .services import import_exchange
from .spec import FILES, FILES_BY_NAME
from .workbook import csv_stream, template_bytes, xlsx_bytes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Querystring keys of the list page that are not filters.
NOT_FILTERS = ("format", "page")
SHOWN_ERRORS = 500


@allow(*REPORT_ROLES)
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
    volume = {}
    if FILES_BY_NAME[kind].case_level:
        # How many people's records leave (harvesting alerts add them up, privacy.harvest).
        volume["rows"] = export_queryset(kind, user=request.user, filters=filters).count()
    record_activity(
        user=request.user,
        kind=ActivityEvent.Kind.EXPORT,
        what=f"exchange {kind}.{fmt}",
        # Filter names only: a filter value could be a search term about a person.
        filters=sorted(key for key, value in data.items() if value),
        **volume,
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


@allow(*EDITORS)
@transaction.non_atomic_requests
def import_view(request):
    """Upload -> preview (a dry run: per-row errors, new/updated counts) -> confirm or cancel.
    The same validation and loading as `manage.py import_exchange`, limited to the user's scope
    (an officer's province).

    Outside the request's transaction: reading and checking an upload takes time, and on SQLite
    a transaction holds the write lock that every other user's request waits for. The preview
    writes nothing and opens no transaction but the activity log entry's; the confirmation's
    import and log entry are one transaction, all or nothing."""
    if request.method != "POST":
        return render(request, "exchange/import.html", {"form": UploadForm()})
    action = request.POST.get("action", "upload")
    if action == "confirm":
        # The key is used once: the kept upload is deleted whatever happens.
        return _forget_key(request, _confirm(request))
    if action == "cancel":
        uploads.discard(request.session)
        messages.info(request, _("Đã hủy nhập dữ liệu; không có gì được lưu."))
        return _forget_key(request, redirect("exchange:import"))
    return _preview(request)


def _forget_key(request, response):
    uploads.forget_key_cookie(response, request.path)
    return response


def _preview(request):
    form = UploadForm(request.POST, request.FILES)
    # A new upload replaces one left waiting for confirmation.
    uploads.discard(request.session)
    if not form.is_valid():
        return render(request, "exchange/import.html", {"form": form})
    upload = form.cleaned_data["file"]
    name, data = upload.name, upload.read()
    sources, read_errors = read_upload(name, data)
    if not sources and not read_errors:
        form.add_error("file", _("Không tìm thấy tệp nào đúng định dạng trao đổi."))
        return render(request, "exchange/import.html", {"form": form})
    result = import_exchange(
        sources=sources, user=request.user, dry_run=True, read_errors=read_errors
    )
    with transaction.atomic():
        _log_import(request.user, result, name=name, preview=True)
    response = render(request, "exchange/preview.html", _result_context(result, form=UploadForm()))
    if result.ok:
        # Only now is anything written to disk: encrypted, for the confirmation, under a key
        # only the browser holds.
        uploads.set_key_cookie(response, uploads.keep(request.session, name, data), request.path)
    else:
        _forget_key(request, response)
    return response


def _confirm(request):
    kept = uploads.take(request.session, request.COOKIES.get(uploads.KEY_COOKIE))
    if kept is None:
        messages.error(request, _("Phiên nhập dữ liệu đã hết hạn; hãy tải tệp lên lại."))
        return redirect("exchange:import")
    name, data = kept
    sources, read_errors = read_upload(name, data)
    with transaction.atomic():
        result = import_exchange(sources=sources, user=request.user, read_errors=read_errors)
        _log_import(request.user, result, name=name, preview=False)
    if not result.ok:
        return render(request, "exchange/preview.html", _result_context(result, form=UploadForm()))
    new = sum(c.new for c in result.counts.values())
    updated = sum(c.updated for c in result.counts.values())
    messages.success(
        request,
        _("Đã nhập dữ liệu: %(new)s dòng mới, %(updated)s dòng cập nhật.")
        % {"new": new, "updated": updated},
    )
    return redirect("exchange:import")


def _log_import(user, result, *, name, preview):
    """Every preview and every confirmation goes to the activity log: who, when, the uploaded
    file's name, the files and row counts, how many errors; never a cell's value."""
    files = ", ".join(f"{spec_name}.csv" for spec_name in result.counts) or name
    what = _("Xem trước nhập %(files)s") if preview else _("Nhập %(files)s")
    record_activity(
        user=user,
        kind=ActivityEvent.Kind.IMPORT,
        what=what % {"files": files},
        preview=preview,
        upload=name[:200],
        rows={f"{spec_name}.csv": c.rows for spec_name, c in result.counts.items()},
        counts=result.totals(),
        errors=len(result.errors),
        written=result.written,
    )


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
