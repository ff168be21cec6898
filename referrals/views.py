import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.access import (
    CASE_ROLES,
    EDITORS,
    EVERY_ROLE,
    REFERRAL_ROLES,
    REFERRAL_STATUS_ROLES,
    allow,
)
from accounts.activity import record_listing, record_lookups
from accounts.forms import apply_errors
from accounts.history import history_for
from accounts.models import Role
from accounts.pagination import page_of, sort_by
from accounts.redirects import redirect_next
from participants.models import Contact
from programs.services_catalog import Service

from . import selectors
from .forms import (
    DATE_INPUT,
    FollowupFilterForm,
    NeedsReferralForm,
    ProviderFilterForm,
    ProviderForm,
    ReferralFilterForm,
    ReferralForm,
    SupportFilterForm,
    SupportForm,
    participants_for,
)
from .models import Provider, Referral, Support
from .services import (
    PROVIDER_ACTIONS,
    TRANSITION_FUNCTIONS,
    TRANSITIONS,
    next_actions,
    provider_set_active,
    referral_create,
    today,
    transition_refused,
)

RESIDENCE_WARNING = _lazy(
    "Lưu ý: người tham gia không có hộ khẩu thường trú và cơ sở này không nhận người không có "
    "hộ khẩu thường trú."
)


def _id_param(request, name):
    """A record id from the query string, or None when it is not a plain number."""
    value = request.GET.get(name, "")
    return int(value) if re.fullmatch(r"[0-9]{1,18}", value) else None


def _filters(form):
    return form.cleaned_data if form.is_valid() else {}


def _with_actions(referrals, user):
    for referral in referrals:
        referral.actions = [TRANSITIONS[action] for action in next_actions(referral, user)]
    return referrals


# ---- providers --------------------------------------------------------------------------


def _check_provider_writable(user, provider):
    if not provider.editable_by(user):
        raise PermissionDenied


@allow(*EVERY_ROLE)
def provider_list(request):
    form = ProviderFilterForm(request.GET or None, user=request.user)
    providers = selectors.provider_list(user=request.user, filters=_filters(form))
    providers, sorting = sort_by(
        request,
        providers,
        {
            "name": ("-is_active", "name"),
            "province": ("province__name", "name"),
            "without_residence": ("accepts_without_residence", "name"),
            "active": ("is_active", "name"),
        },
        "name",
    )
    return render(
        request,
        "referrals/provider_list.html",
        {
            "form": form,
            "sorting": sorting,
            "page": page_of(request, providers),
            "can_create": request.user.role in EDITORS,
        },
    )


@allow(*EVERY_ROLE)
def provider_detail(request, pk):
    provider = get_object_or_404(
        Provider.objects.visible_to(request.user).select_related("province"), pk=pk
    )
    return render(
        request,
        "referrals/provider_detail.html",
        {"provider": provider, "can_edit": provider.editable_by(request.user)},
    )


@allow(*EDITORS)
def provider_create(request):
    form = ProviderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        provider = form.save()
        messages.success(request, _("Đã thêm cơ sở dịch vụ vào danh bạ."))
        return redirect("referrals:provider_detail", pk=provider.pk)
    return render(request, "referrals/provider_form.html", {"form": form})


@allow(*EDITORS)
def provider_edit(request, pk):
    provider = get_object_or_404(Provider.objects.visible_to(request.user), pk=pk)
    _check_provider_writable(request.user, provider)
    form = ProviderForm(request.POST or None, instance=provider, user=request.user)
    if request.method == "POST":
        with transaction.atomic():
            if form.is_valid():
                form.save()
                messages.success(request, _("Đã lưu thông tin cơ sở dịch vụ."))
                return redirect("referrals:provider_detail", pk=provider.pk)
    return render(request, "referrals/provider_form.html", {"form": form, "provider": provider})


def _provider_set_active(request, pk, active):
    provider = get_object_or_404(Provider.objects.visible_to(request.user), pk=pk)
    _check_provider_writable(request.user, provider)
    provider_set_active(provider=provider, active=active)
    if active:
        messages.success(request, _("Cơ sở dịch vụ đã hoạt động trở lại."))
    else:
        messages.success(
            request,
            _("Đã ngừng cơ sở dịch vụ: cơ sở không còn được đề xuất khi chuyển gửi mới."),
        )
    return redirect("referrals:provider_detail", pk=provider.pk)


@allow(*EDITORS)
@require_POST
def provider_deactivate(request, pk):
    return _provider_set_active(request, pk, active=False)


@allow(*EDITORS)
@require_POST
def provider_reactivate(request, pk):
    return _provider_set_active(request, pk, active=True)


# ---- referrals ---------------------------------------------------------------------------


@allow(*REFERRAL_ROLES)
def referral_list(request):
    form = ReferralFilterForm(request.GET or None, user=request.user)
    referrals = selectors.referral_list(user=request.user, filters=_filters(form))
    referrals, sorting = sort_by(request, referrals, REFERRAL_SORTS, "-date")
    page = page_of(request, referrals)
    record_listing(user=request.user, listed="referrals", page=page)
    return render(
        request,
        "referrals/referral_list.html",
        {
            "form": form,
            "page": page,
            "sorting": sorting,
            "can_create": request.user.role in CASE_ROLES,
        },
    )


REFERRAL_SORTS = {
    "pk": ("pk",),
    "date": ("date",),
    "participant": ("participant__code",),
    "site": ("site__code",),
    "service": ("service",),
    "provider": ("provider__name",),
    "status": ("status",),
}


@allow(*CASE_ROLES)
def followup(request):
    form = FollowupFilterForm(FollowupFilterForm.data_from(request.GET), user=request.user)
    referrals = selectors.referral_followup(user=request.user, filters=_filters(form))
    referrals, sorting = sort_by(request, referrals, REFERRAL_SORTS, "date")
    page = page_of(request, referrals)
    record_listing(user=request.user, listed="referral_followup", page=page)
    _with_actions(page.object_list, request.user)
    day = today()
    for referral in page.object_list:
        referral.days_overdue = selectors.days_overdue(referral, day)
    return render(
        request,
        "referrals/followup.html",
        {
            "form": form,
            "page": page,
            "sorting": sorting,
            "today": day,
            "overdue_days": settings.REFERRAL_OVERDUE_DAYS,
            "outcomes": Referral.Outcome.choices,
        },
    )


@allow(*REFERRAL_ROLES)
def referral_detail(request, pk):
    referral = selectors.referral_get(user=request.user, pk=pk)
    _with_actions([referral], request.user)
    context = {
        "referral": referral,
        "events": selectors.referral_history(referral=referral),
        "today": today(),
        "outcomes": Referral.Outcome.choices,
        "show_audit": request.user.role in CASE_ROLES,
        "can_add_support": request.user.role in EDITORS,
    }
    if context["show_audit"]:
        context["history"] = history_for(referral)
    if context["can_add_support"]:
        context["supports"] = Support.objects.visible_to(request.user).filter(referral=referral)
    return render(request, "referrals/referral_detail.html", context)


@allow(*CASE_ROLES)
def referral_new(request):
    user = request.user
    initial = {}
    preselected = _id_param(request, "participant")
    if preselected:
        participant = participants_for(user).filter(pk=preselected).first()
        if participant is not None:
            initial["participant"] = participant.code
    if request.GET.get("service") in Service.values:
        initial["service"] = request.GET["service"]
    form = ReferralForm(request.POST or None, initial=initial, user=user)
    valid = request.method == "POST" and form.is_valid()
    record_lookups(user=user, form=form)
    if valid:
        data = form.cleaned_data
        try:
            referral = referral_create(
                participant=data["participant"],
                date=data["date"],
                site=form.referral_site,
                service=data["service"],
                provider=data["provider"],
                peer_group=form.referral_peer_group,
                consent_to_share=data["consent_to_share"],
                by=user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã ghi nhận chuyển gửi."))
            if referral.residence_warning:
                messages.warning(request, RESIDENCE_WARNING)
            return redirect("referrals:referral_detail", pk=referral.pk)
    participant = _participant_of(form, initial)
    non_permanent = participant is not None and participant.residence != "permanent"
    if non_permanent:
        form.mark_providers_refusing_non_residents()
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "participant": participant,
            "non_permanent": non_permanent,
        },
    )


@allow(*CASE_ROLES)
def referral_needs(request, pk):
    """Refer a contact's person once per need ticked at the contact, on one screen: each
    referral dated the contact's day, at its site and for its group. All or none are saved."""
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).select_related(
            "participant", "site", "site__province", "peer_group"
        ),
        pk=pk,
    )
    form = NeedsReferralForm(request.POST or None, contact=contact, user=request.user)
    if request.method == "POST" and form.is_valid():
        made = []
        try:
            with transaction.atomic():
                for service, provider in form.chosen():
                    try:
                        made.append(
                            referral_create(
                                participant=contact.participant,
                                date=contact.date,
                                site=contact.site,
                                service=service,
                                provider=provider,
                                peer_group=contact.peer_group,
                                consent_to_share=form.cleaned_data["consent_to_share"],
                                by=request.user,
                            )
                        )
                    except ValidationError as error:
                        if hasattr(error, "error_dict"):
                            raise
                        form.add_error(f"provider_{service}", error)
                if form.errors:
                    raise ValidationError([])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã ghi nhận %(n)s chuyển gửi cho %(code)s: %(services)s.")
                % {
                    "n": len(made),
                    "code": contact.participant.code,
                    "services": ", ".join(r.get_service_display() for r in made),
                },
            )
            if any(r.residence_warning for r in made):
                messages.warning(request, RESIDENCE_WARNING)
            return redirect("participants:participant_detail", pk=contact.participant_id)
    return render(
        request,
        "referrals/referral_needs.html",
        {"form": form, "contact": contact, "rows": _needs_rows(form)},
    )


def _needs_rows(form):
    return [
        {**row, "refer": form[row["refer"]], "provider": form[row["provider"]]}
        if not row["done"]
        else row
        for row in form.rows
    ]


def _participant_of(form, initial):
    if form.is_bound:
        return form.cleaned_data.get("participant") if hasattr(form, "cleaned_data") else None
    code = initial.get("participant")
    return form.fields["participant"].queryset.filter(code=code).first() if code else None


class TransitionForm(forms.Form):
    on = forms.DateField(required=False, widget=DATE_INPUT)
    outcome = forms.ChoiceField(choices=Referral.Outcome.choices, required=False)
    decline_reason = forms.ChoiceField(choices=Referral.DeclineReason.choices, required=False)
    lost_reason = forms.ChoiceField(choices=Referral.LostReason.choices, required=False)


def _back(request, referral):
    return redirect_next(request, "referrals:referral_detail", pk=referral.pk)


@allow(*REFERRAL_STATUS_ROLES)
@require_POST
def referral_transition(request, pk, action):
    if action not in TRANSITIONS:
        raise Http404
    referral = selectors.referral_get(user=request.user, pk=pk)
    if request.user.role == Role.PROVIDER and action not in PROVIDER_ACTIONS:
        raise PermissionDenied
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
        return _back(request, referral)
    data = form.cleaned_data
    arguments = {"referral": referral, "by": request.user, "on": data["on"] or None}
    if action == "decline":
        if not data["decline_reason"]:
            # Declining is never one tap: the reason and a confirmation are asked first.
            return redirect("referrals:referral_decline", pk=referral.pk)
        arguments["reason"] = data["decline_reason"]
    if action == "lose":
        if not data["lost_reason"]:
            # Nor is losing track of a participant.
            return redirect("referrals:referral_lose", pk=referral.pk)
        arguments["reason"] = data["lost_reason"]
    completing = action == "complete" and referral.status in TRANSITIONS["complete"].sources
    if completing and not data["outcome"]:
        messages.error(request, _("Chọn kết quả của dịch vụ trước khi đánh dấu hoàn thành."))
        return _back(request, referral)
    if action == "complete" and data["outcome"]:
        arguments["outcome"] = data["outcome"]
    try:
        TRANSITION_FUNCTIONS[action](**arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Chuyển gửi của %(code)s: %(status)s.")
            % {"code": referral.participant.code, "status": referral.get_status_display()},
        )
    return _back(request, referral)


class DeclineForm(forms.Form):
    decline_reason = forms.ChoiceField(
        label=_lazy("Lý do từ chối"),
        choices=Referral.DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _lazy("Chọn lý do từ chối trong danh sách.")},
    )
    on = forms.DateField(label=_lazy("Ngày từ chối"), widget=DATE_INPUT)


class LoseForm(forms.Form):
    lost_reason = forms.ChoiceField(
        label=_lazy("Lý do mất dấu"),
        choices=Referral.LostReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _lazy("Chọn lý do mất dấu trong danh sách.")},
    )
    on = forms.DateField(label=_lazy("Ngày mất dấu"), widget=DATE_INPUT)


def _final_transition(request, pk, *, action, form_class, reason_field, template, refused):
    """A final status (declined, lost): a reason from a fixed list, then a confirmation (it
    cannot be undone)."""
    referral = selectors.referral_get(user=request.user, pk=pk)
    transition = TRANSITIONS[action]
    if referral.status not in transition.sources:
        # The rule of the transitions (a final status is kept), in its own words.
        refusal = transition_refused(referral.status, transition.target)
        messages.error(request, " ".join(refusal.messages))
        return redirect("referrals:referral_detail", pk=referral.pk)
    if action not in next_actions(referral, request.user):
        messages.error(request, refused)
        return redirect("referrals:referral_detail", pk=referral.pk)
    form = form_class(request.POST or None, initial={"on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            TRANSITION_FUNCTIONS[action](
                referral=referral,
                by=request.user,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data[reason_field],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Chuyển gửi của %(code)s: %(status)s.")
                % {"code": referral.participant.code, "status": referral.get_status_display()},
            )
            return redirect("referrals:referral_detail", pk=referral.pk)
    return render(request, template, {"referral": referral, "form": form})


@allow(*REFERRAL_STATUS_ROLES)
def referral_decline(request, pk):
    return _final_transition(
        request,
        pk,
        action="decline",
        form_class=DeclineForm,
        reason_field="decline_reason",
        template="referrals/referral_decline.html",
        refused=_("Chuyển gửi này không thể từ chối ở trạng thái hiện tại."),
    )


@allow(*REFERRAL_STATUS_ROLES)
def referral_lose(request, pk):
    """Marking a referral lost to follow-up: as declining, a reason and a confirmation. Only
    the programme's staff may (a provider's staff are refused, as for the transition)."""
    if request.user.role == Role.PROVIDER:
        raise PermissionDenied
    return _final_transition(
        request,
        pk,
        action="lose",
        form_class=LoseForm,
        reason_field="lost_reason",
        template="referrals/referral_lose.html",
        refused=_("Chuyển gửi này không thể đánh dấu mất dấu ở trạng thái hiện tại."),
    )


# ---- support -----------------------------------------------------------------------------


@allow(*EDITORS)
def support_list(request):
    form = SupportFilterForm(request.GET or None, user=request.user)
    supports = selectors.support_list(user=request.user, filters=_filters(form))
    listed, sorting = sort_by(
        request,
        supports,
        {
            "date": ("date",),
            "participant": ("participant__code",),
            "site": ("site__code",),
            "kind": ("kind",),
            "amount": ("amount_vnd",),
        },
        "-date",
    )
    page = page_of(request, listed)
    record_listing(user=request.user, listed="supports", page=page)
    return render(
        request,
        "referrals/support_list.html",
        {
            "form": form,
            "sorting": sorting,
            "page": page,
            "total": selectors.support_total(supports),
        },
    )


@allow(*EDITORS)
def support_new(request):
    initial = {}
    preselected = _id_param(request, "referral")
    if preselected:
        referral = (
            Referral.objects.visible_to(request.user)
            .select_related("participant")
            .filter(pk=preselected)
            .first()
        )
        if referral is not None:
            initial = {
                "referral": referral.pk,
                "participant": referral.participant.code,
                "site": referral.site_id,
            }
    form = SupportForm(request.POST or None, initial=initial, user=request.user)
    valid = request.method == "POST" and form.is_valid()
    record_lookups(user=request.user, form=form)
    if valid:
        form.save()
        messages.success(request, _("Đã ghi nhận hỗ trợ."))
        return redirect(reverse("referrals:support_list"))
    return render(request, "referrals/support_form.html", {"form": form})


@allow(*EDITORS)
def support_edit(request, pk):
    support = get_object_or_404(
        Support.objects.visible_to(request.user).select_related("participant"), pk=pk
    )
    form = SupportForm(request.POST or None, instance=support, user=request.user)
    if request.method == "POST":
        with transaction.atomic():
            valid = form.is_valid()
            record_lookups(user=request.user, form=form)
            if valid:
                form.save()
                messages.success(request, _("Đã lưu khoản hỗ trợ."))
                return redirect(reverse("referrals:support_list"))
    return render(request, "referrals/support_form.html", {"form": form, "support": support})
