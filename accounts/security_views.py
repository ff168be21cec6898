"""Security pages: the audit viewer for administrators, and the optional TOTP second factor
(setup for ministry and administrator accounts, verification after a password login)."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import EVERY_ROLE, OTP_ROLES, allow
from .activity import record_activity
from .audit import audit_list, describe, write_csv
from .models import ActivityEvent, Role
from .pagination import page_of
from .redirects import safe_next
from .security_forms import AuditFilterForm, TokenForm
from .twofactor import OTP_PENDING_SESSION_KEY, confirmed_device, otp_exempt

# Roles offered a second factor (the brief: ministry and administrator accounts).


def _audit_filters(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, filters


@allow(Role.ADMIN)
@require_GET
def audit_log(request):
    """Who changed what, who signed in or failed to, who exported or imported what, who opened
    which participant's page — newest first, filterable, exportable."""
    form, filters = _audit_filters(request)
    page = page_of(request, audit_list(filters=filters))
    rows = [describe(row) for row in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


@allow(Role.ADMIN)
@require_GET
def audit_export(request):
    """The filtered audit trail as CSV. The export itself is logged."""
    form, filters = _audit_filters(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-kiem-toan-{stamp}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    write_csv(response, audit_list(filters=filters).iterator())
    record_activity(
        user=request.user,
        kind=ActivityEvent.Kind.EXPORT,
        what="audit_log.csv",
        filters={key: str(value) for key, value in filters.items() if value not in ("", None)},
    )
    return response


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): a page in the user's
    language saying how long to wait, with status 429."""
    return render(
        request,
        "accounts/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )


def _qr_data_uri(device):
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@allow(*OTP_ROLES)
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Turn the second factor on (scan the QR code, confirm with one code) or off."""
    device = confirmed_device(request.user)
    if device is not None:
        form = TokenForm(request.POST or None, device=device)
        if request.method == "POST" and form.is_valid():
            TOTPDevice.objects.filter(user=request.user).delete()
            request.session.pop(OTP_PENDING_SESSION_KEY, None)
            messages.success(request, _("Đã tắt xác thực hai lớp."))
            return redirect("otp_setup")
        return render(request, "accounts/otp_setup.html", {"device": device, "form": form})

    pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if pending is None:
        pending = TOTPDevice.objects.create(
            user=request.user, name=_("Ứng dụng xác thực"), confirmed=False
        )
    form = TokenForm(request.POST or None, device=pending)
    if request.method == "POST" and form.is_valid():
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        otp_login(request, pending)
        request.session.pop(OTP_PENDING_SESSION_KEY, None)
        messages.success(request, _("Đã bật xác thực hai lớp."))
        return redirect("otp_setup")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "device": None,
            "form": form,
            "qr": _qr_data_uri(pending),
            "secret": b32encode(pending.bin_key).decode(),
            "otpauth": pending.config_url,
        },
    )


def _go_on(next_url):
    return HttpResponseRedirect(next_url) if next_url else redirect("home")


@otp_exempt
@allow(*EVERY_ROLE)
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The second step of signing in for a user with a confirmed device."""
    next_url = safe_next(request)
    device = confirmed_device(request.user)
    if device is None or not request.session.get(OTP_PENDING_SESSION_KEY):
        request.session.pop(OTP_PENDING_SESSION_KEY, None)
        return _go_on(next_url)
    if request.user.is_verified():
        request.session.pop(OTP_PENDING_SESSION_KEY, None)
        return _go_on(next_url)
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        request.session.pop(OTP_PENDING_SESSION_KEY, None)
        return _go_on(next_url)
    if request.method == "POST":
        record_activity(
            user=request.user, kind=ActivityEvent.Kind.LOGIN_FAILED, what="otp", step="otp"
        )
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url})
