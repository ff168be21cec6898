"""The optional second factor (TOTP, django-otp) and the client address used by the login
lock-out (django-axes).

A user with a confirmed TOTP device signs in with their password as usual; the session is then
marked "second factor pending" and every page except the verification page, the public pages
(logout, language switch) answers with a redirect to the verification page until a valid code
is entered. Users without a device are never asked.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import PUBLIC

OTP_PENDING_SESSION_KEY = "otp_pending"


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@receiver(user_logged_in, dispatch_uid="accounts.twofactor.require_second_factor")
def require_second_factor(sender, request, user, **kwargs):
    """A fresh password login is never already verified: forget any earlier verification and
    ask for a code if the user has a confirmed device."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        request.session[OTP_PENDING_SESSION_KEY] = True
    else:
        request.session.pop(OTP_PENDING_SESSION_KEY, None)


def second_factor_pending(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if not request.session.get(OTP_PENDING_SESSION_KEY):
        return False
    return not (hasattr(user, "is_verified") and user.is_verified())


def otp_exempt(view):
    """Mark a view a user may open while their second factor is still pending."""
    view.otp_exempt = True
    return view


class OTPRequiredMiddleware:
    """Send a signed-in user whose second factor is pending to the verification page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not second_factor_pending(request):
            return None
        if getattr(view_func, "otp_exempt", False):
            return None
        if getattr(view_func, "access_rule", None) == PUBLIC:
            return None
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('otp_verify')}?{query}")


def axes_username(request, credentials):
    """The username a failed sign-in is recorded under by the login throttle (django-axes), cut
    to 150 characters, the longest username an account can have. The sign-in form does not
    refuse a longer one before trying it, and axes' own column holds 255: a made-up name of 300
    letters must be a failed sign-in, not an error."""
    if credentials:
        name = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        name = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    return None if name is None else str(name)[:150]


def client_ip(request):
    """The address a login attempt came from. Behind TRUSTED_PROXY_COUNT reverse proxies that
    append to X-Forwarded-For, it is the entry that the outermost trusted proxy added; the
    client cannot forge it (anything it sends itself sits further left)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
