"""Views of the offline app: the service worker and the manifest that make the field pages an
installable web app (public: they hold no data), the endpoint the phone's queue sends to, the
display codes for look-up on the phone, and the list of what the phone sent."""

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow, public
from accounts.models import Role
from accounts.pagination import page_of
from participants.models import Participant

from . import pwa, selectors, services
from .models import Submission
from .sealing import BatchError, parse_batch

QUEUE_ROLES = (Role.PEER_LEADER, Role.OFFICER, Role.ADMIN)


@public
@require_GET
def service_worker(request):
    response = HttpResponse(pwa.service_worker_script(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@public
@require_GET
def manifest(request):
    return JsonResponse(
        pwa.manifest(),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@public
@require_GET
def fallback(request):
    """What the service worker shows for a page that was never opened while online."""
    return render(request, "offline/fallback.html")


@allow(*QUEUE_ROLES)
@never_cache
@require_http_methods(["GET", "POST"])
def sync(request):
    """GET: who is signed in and a fresh CSRF token (the phone asks before sending: a page
    served from the phone may carry an old token). POST: a batch of queued items, each
    answered with its outcome, in order."""
    if request.method == "GET":
        return JsonResponse({"user": request.user.pk, "csrf": get_token(request)})
    try:
        items = parse_batch(request.body)
    except BatchError as error:
        return JsonResponse({"error": str(error)}, status=400)
    outcomes = [services.submission_receive(user=request.user, item=item) for item in items]
    return JsonResponse({"results": [outcome.as_json() for outcome in outcomes]})


@allow(Role.PEER_LEADER)
@never_cache
@require_GET
def codes(request):
    return JsonResponse({"codes": selectors.group_codes(user=request.user)})


@allow(*QUEUE_ROLES)
@require_GET
def submission_list(request):
    page = page_of(request, selectors.submission_list(user=request.user))
    shown = {item.code for item in page.object_list if item.code}
    visible = dict(
        Participant.objects.visible_to(request.user)
        .filter(code__in=shown)
        .values_list("code", "pk")
    )
    for item in page.object_list:
        item.participant_pk = visible.get(item.code)
    return render(request, "offline/submission_list.html", {"page": page})


@allow(*QUEUE_ROLES)
@require_POST
def submission_resolve(request):
    """Mark one of the user's refused items (POST field `submission`) as dealt with."""
    key = request.POST.get("submission", "")
    submission = (
        Submission.objects.filter(user=request.user, pk=int(key)).first()
        if re.fullmatch(r"[0-9]{1,18}", key)
        else None
    )
    if submission is None:
        messages.error(request, _("Không tìm thấy mục này trong các mục bạn đã gửi."))
        return redirect("offline:submission_list")
    try:
        services.submission_resolve(submission=submission)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã đánh dấu là đã xử lý."))
    return redirect("offline:submission_list")
