"""Pages of the participants app. Views are thin: check the role (allow), parse, call a
service or selector, render. Views receiving UIC answers are wrapped in
`sensitive_post_parameters` so an error report never shows them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from accounts.access import CASE_ROLES, allow
from accounts.activity import record_activity
from accounts.forms import apply_errors
from accounts.models import ActivityEvent, Role
from accounts.pagination import page_of

from . import selectors, services
from .forms import (
    ContactFilterForm,
    ContactForm,
    EnrolConfirmForm,
    EnrolForm,
    EstablishmentAssessmentFilterForm,
    EstablishmentAssessmentForm,
    ParticipantFilterForm,
    RightsAssessmentFilterForm,
    RightsAssessmentForm,
    WithdrawForm,
)
from .models import Contact, EstablishmentAssessment, Participant, RightsAssessment

ASSESSMENT_ROLES = (Role.OFFICER, Role.ADMIN)
SENSITIVE_FIELDS = ("mother_name", "father_name", "birth_date", "uic")


def referral_new_url(participant):
    """The referral form of the referrals app, for this participant (a plain path, so this app
    does not depend on that one's URL names)."""
    return f"/referrals/new/?participant={participant.pk}"


def _list_page(request, *, form_class, selector, template, kind, title):
    form = form_class(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selector(user=request.user, filters=filters)
    page = page_of(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "kind": kind,
            "title": title,
            "query": query.urlencode(),
        },
    )


# ----- participants -----


@allow(*CASE_ROLES)
def participant_list(request):
    return _list_page(
        request,
        form_class=ParticipantFilterForm,
        selector=selectors.participant_list,
        template="participants/participant_list.html",
        kind="participants",
        title=_("Người tham gia"),
    )


@allow(*CASE_ROLES)
def participant_detail(request, pk):
    participant = get_object_or_404(Participant.objects.visible_to(request.user), pk=pk)
    timeline = selectors.participant_timeline(user=request.user, participant=participant)
    history = selectors.participant_history(
        user=request.user, participant=participant, timeline=timeline
    )
    record_activity(
        user=request.user,
        kind=ActivityEvent.Kind.VIEW,
        what=participant.code,
        participant=participant.pk,
    )
    return render(
        request,
        "participants/participant_detail.html",
        {
            "participant": participant,
            "timeline": timeline,
            "history": history,
            "withdraw_form": WithdrawForm(),
            "referral_url": referral_new_url(participant),
        },
    )


@allow(*CASE_ROLES)
def participant_withdraw(request, pk):
    participant = get_object_or_404(Participant.objects.visible_to(request.user), pk=pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_withdraw(
                participant=participant, on=form.cleaned_data["withdrawn_on"], by=request.user
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(code)s đã được ghi nhận rút khỏi chương trình.") % {"code": participant.code},
            )
            return redirect("participants:participant_list")
    return render(
        request,
        "participants/participant_withdraw.html",
        {"participant": participant, "form": form},
    )


PENDING_ENROLMENT = "participants.pending_enrolment"


@allow(*CASE_ROLES)
@sensitive_post_parameters(*SENSITIVE_FIELDS)
@sensitive_variables()
def enrol(request):
    """Two steps: the answers (step 1), then the computed UIC shown back for confirmation
    (step 2). Between the steps the UIC's keyed hash, sex and birth year stay in the session on
    the server; step 2 carries only non-identifying fields. Whether the person is known in
    another province changes nothing the user sees: the record is their province's own."""
    user = request.user
    if request.method == "POST" and request.POST.get("step") == "confirm":
        pending = request.session.get(PENDING_ENROLMENT)
        confirm = EnrolConfirmForm(request.POST, user=user, pending=pending)
        if confirm.is_valid():
            data = confirm.cleaned_data
            leader = user.role == Role.PEER_LEADER
            try:
                participant, _created = services.participant_enrol(
                    uic_digest=pending["digest"],
                    category=data["category"],
                    sex=pending["sex"],
                    birth_year=pending["birth_year"],
                    residence=data["residence"],
                    consent_on=data["consent_on"],
                    site=confirm.site_for(user),
                    enrolled_on=data["enrolled_on"],
                    peer_group=user.peer_group if leader else None,
                    by=user,
                )
            except ValidationError as error:
                apply_errors(confirm, error)
            else:
                request.session.pop(PENDING_ENROLMENT, None)
                messages.success(request, _("Đã ghi danh: %(code)s") % {"code": participant.code})
                return redirect("participants:participant_detail", pk=participant.pk)
        # Back to step 1 with the non-identifying values; the answers must be typed again.
        form = EnrolForm(user=user, initial=confirm.step_one_initial())
        errors = [message for messages_ in confirm.errors.values() for message in messages_]
        return render(
            request,
            "participants/enrol.html",
            {"form": form, "step_errors": errors},
        )
    if request.method == "POST":
        form = EnrolForm(request.POST, user=user)
        if form.is_valid() and form.uic:
            request.session[PENDING_ENROLMENT] = form.pending_enrolment()
            confirm = EnrolConfirmForm(initial=form.confirmation_initial(), user=user)
            return render(
                request,
                "participants/enrol_confirm.html",
                {
                    "confirm": confirm,
                    "uic": form.uic,
                    "summary": _summary(form.cleaned_data, user),
                },
            )
    else:
        form = EnrolForm(user=user)
    return render(request, "participants/enrol.html", {"form": form})


def _summary(cleaned, user):
    site = cleaned.get("site") or (user.peer_group.site if user.peer_group_id else None)
    return [
        (_("Nhóm đối tượng"), dict(Participant.Category.choices)[cleaned["category"]]),
        (_("Giới tính"), dict(Participant.Sex.choices)[cleaned["sex"]]),
        (_("Năm sinh"), cleaned["birth_date"].year),
        (_("Tình trạng cư trú"), dict(Participant.Residence.choices)[cleaned["residence"]]),
        (_("Địa bàn"), site),
        (_("Ngày ghi danh"), cleaned["enrolled_on"].strftime("%d/%m/%Y")),
        (_("Ngày đồng ý tham gia"), cleaned["consent_on"].strftime("%d/%m/%Y")),
    ]


# ----- contacts -----


@allow(*CASE_ROLES)
@sensitive_post_parameters(*SENSITIVE_FIELDS)
@sensitive_variables()
def contact_new(request):
    user = request.user
    if request.method == "POST":
        form = ContactForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                contact = services.contact_log(
                    participant=form.participant,
                    date=data["date"],
                    site=data["site"],
                    kind=data["kind"],
                    needs=data["needs"],
                    peer_group=data.get("peer_group"),
                    by=user,
                )
            except ValidationError as error:
                apply_errors(form, error, aliases={"participant": "participant_code"})
            else:
                if data.get("refer_now"):
                    messages.success(
                        request,
                        _("Đã lưu lần tiếp cận với %(code)s.") % {"code": contact.participant.code},
                    )
                    return HttpResponseRedirect(referral_new_url(contact.participant))
                return redirect("participants:contact_done", pk=contact.pk)
    else:
        initial = {}
        code = request.GET.get("participant", "")
        if code and len(code) <= 12:
            initial["participant_code"] = code
        form = ContactForm(user=user, initial=initial)
    return render(
        request,
        "participants/contact_form.html",
        {"form": form, "is_leader": user.role == Role.PEER_LEADER},
    )


@allow(*CASE_ROLES)
def contact_done(request, pk):
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).select_related("participant", "site"), pk=pk
    )
    return render(
        request,
        "participants/contact_done.html",
        {"contact": contact, "referral_url": referral_new_url(contact.participant)},
    )


@allow(*CASE_ROLES)
def contact_list(request):
    return _list_page(
        request,
        form_class=ContactFilterForm,
        selector=selectors.contact_list,
        template="participants/contact_list.html",
        kind="contacts",
        title=_("Lần tiếp cận"),
    )


# ----- assessments -----


@allow(*ASSESSMENT_ROLES)
def rights_assessment_list(request):
    return _list_page(
        request,
        form_class=RightsAssessmentFilterForm,
        selector=selectors.rights_assessment_list,
        template="participants/rights_assessment_list.html",
        kind="rights_assessments",
        title=_("Đánh giá quyền người lao động"),
    )


@allow(*ASSESSMENT_ROLES)
def establishment_assessment_list(request):
    return _list_page(
        request,
        form_class=EstablishmentAssessmentFilterForm,
        selector=selectors.establishment_assessment_list,
        template="participants/establishment_assessment_list.html",
        kind="establishment_assessments",
        title=_("Đánh giá cơ sở kinh doanh dịch vụ"),
    )


def _assessment_form(request, *, form_class, instance, title, back):
    initial = {}
    if instance.pk is None and request.GET.get("participant"):
        initial["participant_code"] = request.GET["participant"][:12]
    form = form_class(request.POST or None, instance=instance, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu đánh giá."))
        return redirect(back)
    return render(
        request,
        "participants/assessment_form.html",
        {"form": form, "title": title, "back": reverse(back), "instance": instance},
    )


@allow(*ASSESSMENT_ROLES)
def rights_assessment_new(request):
    return _assessment_form(
        request,
        form_class=RightsAssessmentForm,
        instance=RightsAssessment(),
        title=_("Đánh giá quyền người lao động mới"),
        back="participants:rights_assessment_list",
    )


@allow(*ASSESSMENT_ROLES)
def rights_assessment_edit(request, pk):
    assessment = get_object_or_404(
        RightsAssessment.objects.visible_to(request.user).select_related("participant"), pk=pk
    )
    return _assessment_form(
        request,
        form_class=RightsAssessmentForm,
        instance=assessment,
        title=_("Sửa đánh giá quyền người lao động"),
        back="participants:rights_assessment_list",
    )


@allow(*ASSESSMENT_ROLES)
def establishment_assessment_new(request):
    return _assessment_form(
        request,
        form_class=EstablishmentAssessmentForm,
        instance=EstablishmentAssessment(),
        title=_("Đánh giá cơ sở mới"),
        back="participants:establishment_assessment_list",
    )


@allow(*ASSESSMENT_ROLES)
def establishment_assessment_edit(request, pk):
    assessment = get_object_or_404(EstablishmentAssessment.objects.visible_to(request.user), pk=pk)
    return _assessment_form(
        request,
        form_class=EstablishmentAssessmentForm,
        instance=assessment,
        title=_("Sửa đánh giá cơ sở"),
        back="participants:establishment_assessment_list",
    )
