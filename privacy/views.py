"""Pages of the privacy app: a person's access summary (officers), erasure on request with its
certificate and the register of erasures, harvesting alerts (administrators), and the
impact-assessment dossier. Views receiving UIC answers are wrapped in
`sensitive_post_parameters`; pages about a person are never cached."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import EDITORS, STRUCTURE_READERS, allow
from accounts.activity import record_lookup
from accounts.forms import apply_errors
from accounts.models import Role
from accounts.pagination import page_of
from participants.models import Person

from . import selectors, services
from .dossier import dossier as dossier_data
from .forms import AlertReviewForm, ErasureConfirmForm, UICLookupForm
from .models import ERASED_PREFIX, ErasureRun

SENSITIVE_FIELDS = ("mother_name", "father_name", "birth_date")
PENDING_ERASURE = "privacy.pending_erasure"


def _posted(request):
    return request.POST if request.method == "POST" else None


@allow(*EDITORS)
@sensitive_post_parameters(*SENSITIVE_FIELDS)
@sensitive_variables()
@never_cache
@require_http_methods(["GET", "POST"])
def access_summary(request):
    """The one-page summary of what is held about the person in front of the officer, found by
    their UIC answers among the records the officer may see (their province's)."""
    form = UICLookupForm(_posted(request))
    if form.is_valid() and form.digest:
        records = selectors.records_of(user=request.user, digest=form.digest)
        record_lookup(user=request.user, by="uic", found=bool(records), purpose="access")
        if records:
            return render(
                request,
                "privacy/access_summary.html",
                {
                    "summaries": selectors.access_summary(user=request.user, records=records),
                    "generated_at": timezone.localtime(),
                },
            )
        form.not_found()
    return render(request, "privacy/access_form.html", {"form": form})


@allow(Role.ADMIN)
@sensitive_post_parameters(*SENSITIVE_FIELDS)
@sensitive_variables()
@never_cache
@require_http_methods(["GET", "POST"])
def erasure(request):
    """Two steps: the person's UIC answers (step 1), then what will be removed and the
    confirmation (step 2). Between the steps only the id of the national identity stays in the
    session; the certificate follows."""
    if request.method == "POST" and request.POST.get("step") == "confirm":
        return _erasure_confirm(request)
    form = UICLookupForm(_posted(request))
    if form.is_valid() and form.digest:
        records = selectors.records_of(user=request.user, digest=form.digest)
        record_lookup(user=request.user, by="uic", found=bool(records), purpose="erasure")
        if records:
            person = records[0].person
            request.session[PENDING_ERASURE] = person.pk
            return render(
                request,
                "privacy/erasure_confirm.html",
                {
                    "confirm": ErasureConfirmForm(),
                    "holdings": selectors.person_holdings(person=person),
                },
            )
        form.not_found()
    return render(request, "privacy/erasure_form.html", {"form": form})


def _erasure_confirm(request):
    person = (
        Person.objects.filter(pk=request.session.get(PENDING_ERASURE))
        .exclude(uic_hash__startswith=ERASED_PREFIX)
        .first()
    )
    if person is None:
        expired = _("Phiên xoá đã hết hạn. Hãy nhập lại các câu trả lời của người tham gia.")
        return render(
            request, "privacy/erasure_form.html", {"form": UICLookupForm(), "step_error": expired}
        )
    confirm = ErasureConfirmForm(request.POST)
    if confirm.is_valid():
        try:
            run = services.person_erase(person=person, by=request.user)
        except ValidationError as error:
            apply_errors(confirm, error)
        else:
            request.session.pop(PENDING_ERASURE, None)
            messages.success(
                request, _("Đã xoá dữ liệu. Hãy in giấy xác nhận và trao cho người tham gia.")
            )
            return redirect("privacy:erasure_certificate", pk=run.pk)
    return render(
        request,
        "privacy/erasure_confirm.html",
        {"confirm": confirm, "holdings": selectors.person_holdings(person=person)},
    )


@allow(Role.ADMIN)
@require_GET
def erasure_list(request):
    """The register of erasures: retention runs and requests, as counts."""
    page = page_of(request, selectors.erasure_list())
    rows = [(run, selectors.erasure_lines(run)) for run in page.object_list]
    return render(request, "privacy/erasure_list.html", {"page": page, "rows": rows})


@allow(Role.ADMIN)
@require_GET
@never_cache
def erasure_certificate(request, pk):
    """The printable certificate of an erasure on request: its number, its date and what was
    removed, nothing that identifies the person."""
    run = get_object_or_404(ErasureRun, pk=pk)
    if run.kind != ErasureRun.Kind.REQUEST:
        raise Http404
    return render(
        request,
        "privacy/certificate.html",
        {"run": run, "lines": selectors.erasure_lines(run)},
    )


@allow(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def alert_list(request):
    """Harvesting alerts, the open ones first; an administrator marks them reviewed with what
    was found."""
    form = AlertReviewForm(_posted(request))
    if form.is_valid():
        try:
            reviewed = services.alerts_review(
                alerts=list(form.cleaned_data["alerts"]),
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Đã ghi nhận %(count)s cảnh báo đã xem.") % {"count": reviewed}
            )
            return redirect("privacy:alert_list")
    return render(
        request,
        "privacy/alert_list.html",
        {"form": form, "page": page_of(request, selectors.alert_list())},
    )


@allow(*STRUCTURE_READERS)
@require_GET
def dossier(request):
    """The impact-assessment dossier as of now, to print and file: an officer's names their
    province and counts its accounts."""
    province = request.user.province if request.user.role == Role.OFFICER else None
    return render(request, "privacy/dossier.html", dossier_data(province=province))
