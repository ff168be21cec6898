"""Pages of the participants app. Views are thin: check the role (allow), parse, call a
service or selector, render. Views receiving UIC answers are wrapped in
`sensitive_post_parameters` so an error report never shows them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from accounts.access import CASE_ROLES, EDITORS, allow
from accounts.activity import record_activity, record_listing, record_lookups
from accounts.forms import apply_errors
from accounts.models import ActivityEvent, Role
from accounts.pagination import page_of, sort_by
from privacy.selectors import answers_predate_erasure
from programs.services_catalog import Service
from sites.models import PeerGroup

from . import selectors, services
from .forms import (
    ContactEditForm,
    ContactFilterForm,
    ContactForm,
    EnrolConfirmForm,
    EnrolForm,
    EstablishmentAssessmentFilterForm,
    EstablishmentAssessmentForm,
    NewPersonForm,
    ParticipantFilterForm,
    RightsAssessmentFilterForm,
    RightsAssessmentForm,
    WithdrawForm,
    scoped_sites,
)
from .models import Contact, EstablishmentAssessment, Participant, RightsAssessment

SENSITIVE_FIELDS = ("mother_name", "father_name", "birth_date", "uic")
SERVICE_CODES = frozenset(Service.values)
UIC_FIELDS = ("mother_name", "mother_unknown", "father_name", "father_unknown", "birth_date", "sex")


def referral_new_url(participant):
    """The referral form of the referrals app, for this participant (a plain path, so this app
    does not depend on that one's URL names)."""
    return f"/referrals/new/?participant={participant.pk}"


# List pages whose rows are people's records: each page shown is logged with its row count
# (harvesting alerts, privacy.harvest).
LISTS_OF_PEOPLE = frozenset({"participants", "contacts", "rights_assessments"})


def _list_page(request, *, form_class, selector, template, kind, title, sorts, default):
    form = form_class(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selector(user=request.user, filters=filters)
    rows, sorting = sort_by(request, rows, sorts, default)
    page = page_of(request, rows)
    if kind in LISTS_OF_PEOPLE:
        record_listing(user=request.user, listed=kind, page=page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "sorting": sorting,
            "kind": kind,
            "title": title,
            "query": query.urlencode(),
        },
    )


EVENT_SORTS = {
    "date": ("date",),
    "participant": ("participant__code",),
    "site": ("site__code",),
    "kind": ("kind",),
}
ESTABLISHMENT_SORT = {"establishment": ("establishment__code",)}


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
        sorts={
            "code": ("code",),
            "category": ("category",),
            "birth_year": ("birth_year",),
            "residence": ("residence",),
            "enrolled": ("first_enrolled_on",),
            "last_contact": ("last_contact_on",),
        },
        default="code",
    )


@allow(*CASE_ROLES)
def participant_detail(request, pk):
    participant = get_object_or_404(Participant.objects.visible_to(request.user), pk=pk)
    timeline = selectors.participant_timeline(user=request.user, participant=participant)
    # The change history is the editors' (officers, administrators); a peer leader reads the
    # timeline.
    story = None
    if request.user.role in EDITORS:
        entries = selectors.participant_history(
            user=request.user, participant=participant, timeline=timeline
        )
        story = selectors.participant_story(
            participant=participant, timeline=timeline, entries=entries
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
            "story": story,
            "can_withdraw": request.user.role in EDITORS,
            "referral_url": referral_new_url(participant),
        },
    )


@allow(*EDITORS)
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


def _pending(request, key):
    """UIC answers waiting in the session under `key`; dropped (and None) when someone was
    erased since they were typed: the answers are asked again (privacy.selectors)."""
    value = request.session.get(key)
    if value and answers_predate_erasure(value):
        request.session.pop(key, None)
        return None
    return value


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
        pending = _pending(request, PENDING_ENROLMENT)
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
        if not pending:
            # The answers are gone from the server: back to step 1 with the other values.
            form = EnrolForm(user=user, initial=confirm.step_one_initial())
            errors = [message for messages_ in confirm.errors.values() for message in messages_]
            return render(
                request,
                "participants/enrol.html",
                {"form": form, "step_errors": errors},
            )
        # The answers stay on the server: the other fields are shown, with their errors and
        # what was typed, on the confirmation page.
        visible = EnrolConfirmForm(request.POST, user=user, pending=pending, hidden=False)
        visible.is_valid()
        for field, errors in confirm.errors.items():
            if field not in visible.errors:
                for error in errors:
                    visible.add_error(field if field in visible.fields else None, error)
        return _confirm_page(request, visible, uic=None, pending=pending)
    if request.method == "POST":
        form = EnrolForm(request.POST, user=user)
        valid = form.is_valid()
        if form.uic and not set(form.errors) & set(UIC_FIELDS):
            request.session[PENDING_ENROLMENT] = form.pending_enrolment()
            if valid:
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
            # The answers are right but something else is not: the answers are not asked
            # again (the names are never sent back); the rest is put right on step 2.
            visible = EnrolConfirmForm(
                request.POST, user=user, pending=form.pending_enrolment(), hidden=False
            )
            visible.is_valid()
            return _confirm_page(request, visible, uic=form.uic, pending=form.pending_enrolment())
    else:
        form = EnrolForm(user=user)
    return render(request, "participants/enrol.html", {"form": form})


def _confirm_page(request, confirm, *, uic, pending):
    return render(
        request,
        "participants/enrol_confirm.html",
        {
            "confirm": confirm,
            "uic": uic,
            "summary": [
                (_("Giới tính"), dict(Participant.Sex.choices)[pending["sex"]]),
                (_("Năm sinh"), pending["birth_year"]),
            ],
            "fix": True,
        },
    )


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


PENDING_CONTACT = "participants.pending_contact"
# The hash of the last answers `contact_lookup` found nobody for (logged there, once).
LOOKED_UP = "participants.looked_up"
KEPT_ANSWERS = "participants.kept_answers"


def referral_needs_url(contact):
    """The referrals app's page that refers a contact's person for each need ticked."""
    return f"/referrals/new/contact/{contact.pk}/"


def _after_contact(contact, refer_now):
    """Where a saved contact leads: its needs to refer (one referral each), the referral form
    when no need was ticked, or the confirmation."""
    if refer_now:
        if contact.needs:
            return HttpResponseRedirect(referral_needs_url(contact))
        return HttpResponseRedirect(referral_new_url(contact.participant))
    return redirect("participants:contact_done", pk=contact.pk)


def _existing_contact(request, contact, needs):
    """A second contact of the same kind, day and site opens the one already recorded, with
    the needs just ticked added (to be saved by the user)."""
    # The rule's own message (services.DUPLICATE_CONTACT), as every other writer says it.
    messages.info(
        request,
        f"{contact.participant.code}: {services.DUPLICATE_CONTACT} "
        + _("Đây là lần đã ghi: sửa nếu cần."),
    )
    if services.may_correct(contact, request.user):
        url = reverse("participants:contact_edit", args=[contact.pk])
        added = [need for need in needs if need not in contact.needs]
        if added:
            url += "?" + "&".join(f"needs={need}" for need in added)
        return HttpResponseRedirect(url)
    return redirect("participants:contact_done", pk=contact.pk)


@allow(*CASE_ROLES)
@sensitive_post_parameters(*SENSITIVE_FIELDS)
@sensitive_variables()
def contact_new(request):
    """Look a person up (display code or UIC answers) and log the contact. Answers that find
    nobody start the new-person flow: their hash waits in the session with the contact, and
    `contact_enrol` asks only what is missing. Answers that found someone are kept on the
    server when another field has an error, so the names are not typed again."""
    user = request.user
    kept = _pending(request, KEPT_ANSWERS)
    if request.method == "POST":
        form = ContactForm(
            request.POST,
            user=user,
            kept=kept,
            allow_new_person=True,
            logged_digest=request.session.pop(LOOKED_UP, None),
        )
        valid = form.is_valid()
        record_lookups(user=user, form=form)
        if valid:
            data = form.cleaned_data
            request.session.pop(KEPT_ANSWERS, None)
            if form.new_person:
                request.session[PENDING_CONTACT] = pending = form.pending_contact()
                asked = request.POST.get("new_person") == "1"
                if not (asked and (request.POST.get("consent") or request.POST.get("residence"))):
                    return redirect("participants:contact_enrol")
                # Enrolment answered on this page (`contact_lookup` found nobody): enrol and log
                # at once, or show the new-person step with its errors beside the fields.
                return _enrol_new_person(request, pending)
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
                return _after_contact(contact, data.get("refer_now"))
        if form.existing_contact is not None:
            return _existing_contact(request, form.existing_contact, form.cleaned_data["needs"])
        if form.answers:
            request.session[KEPT_ANSWERS] = form.answers
            kept = form.answers
        else:
            request.session.pop(KEPT_ANSWERS, None)
            kept = None
    else:
        request.session.pop(KEPT_ANSWERS, None)
        kept = None
        initial = {}
        code = request.GET.get("participant", "")
        if code and len(code) <= 12:
            initial["participant_code"] = code
        form = ContactForm(user=user, initial=initial)
    return render(
        request,
        "participants/contact_form.html",
        {
            "form": form,
            # The new-person step's questions, answered on the same page when the phone has
            # no network (offline/services.py enrols the person when the answers find nobody).
            "new_person": NewPersonForm(
                user=user,
                auto_id="id_new_%s",
                initial={"consent_on": services.today()},
                use_required_attribute=False,
            ),
            "is_leader": user.role == Role.PEER_LEADER,
            "kept": _kept_summary(kept),
        },
    )


def _kept_summary(kept):
    if not kept:
        return None
    return {"sex": dict(Participant.Sex.choices)[kept["sex"]], "birth_year": kept["birth_year"]}


@allow(*CASE_ROLES)
@require_POST
@sensitive_post_parameters(*SENSITIVE_FIELDS)
@sensitive_variables()
def contact_lookup(request):
    """Whether the UIC answers typed on the contact form find nobody in the user's list. The
    form's script asks while the leader goes on, and shows the enrolment questions on the same
    page when the person is new (without the script, the next page asks them). The reply says
    only `new`: true or false; the look-up is logged as the form's own."""
    form = ContactForm(request.POST, user=request.user, allow_new_person=True)
    form.is_valid()
    record_lookups(user=request.user, form=form)
    if form.new_person:
        request.session[LOOKED_UP] = form.uic_digest
    else:
        request.session.pop(LOOKED_UP, None)
    return JsonResponse({"new": form.new_person})


@allow(*CASE_ROLES)
def contact_enrol(request):
    """The new-person step: nobody in the user's list has the answers typed on the contact
    form. The answers' hash, sex and birth year and the contact wait in the session; this page
    asks only the enrolment's own questions, then enrols the person at the contact's site and
    logs the contact in one go."""
    return _enrol_new_person(request, _pending(request, PENDING_CONTACT))


def _enrol_new_person(request, pending):
    """The new-person step's questions (posted to `contact_enrol`, or with the contact form
    when they were asked on it): enrols the person and logs the pending contact."""
    user = request.user
    site = scoped_sites(user).filter(pk=(pending or {}).get("site")).first()
    if not pending or site is None:
        request.session.pop(PENDING_CONTACT, None)
        messages.info(request, _("Hãy tìm người tham gia trước."))
        return redirect("participants:contact_new")
    peer_group = None
    if pending["peer_group"]:
        peer_group = PeerGroup.objects.visible_to(user).filter(pk=pending["peer_group"]).first()
    form = NewPersonForm(request.POST or None, user=user, pending=pending)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant, contact = services.contact_log_new_person(
                uic_digest=pending["digest"],
                sex=pending["sex"],
                birth_year=pending["birth_year"],
                category=data["category"],
                residence=data["residence"],
                consent_on=data["consent_on"],
                site=site,
                date=form.contact_date,
                kind=pending["kind"],
                needs=pending["needs"],
                peer_group=peer_group,
                by=user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            request.session.pop(PENDING_CONTACT, None)
            messages.success(
                request,
                _("Đã ghi danh %(code)s và lưu lần tiếp cận.") % {"code": participant.code},
            )
            return _after_contact(contact, pending["refer_now"])
    return render(
        request,
        "participants/contact_enrol.html",
        {
            "form": form,
            "action": reverse("participants:contact_enrol"),
            "site": site,
            "sex": dict(Participant.Sex.choices)[pending["sex"]],
            "birth_year": pending["birth_year"],
            "kind": dict(Contact.Kind.choices)[pending["kind"]],
            "needs": pending["needs"],
            "date": form.contact_date,
        },
    )


@allow(*CASE_ROLES)
def contact_done(request, pk):
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).select_related("participant", "site"), pk=pk
    )
    return render(
        request,
        "participants/contact_done.html",
        {
            "contact": contact,
            "referral_url": referral_new_url(contact.participant),
            "needs_url": referral_needs_url(contact) if contact.needs else None,
            "can_correct": services.may_correct(contact, request.user),
        },
    )


@allow(*CASE_ROLES)
def contact_edit(request, pk):
    """Correct a contact: its recorder (or an officer or administrator in scope), while the
    reporting period is open. Audited."""
    contact = get_object_or_404(
        Contact.objects.visible_to(request.user).select_related("participant", "site"), pk=pk
    )
    if not services.may_correct(contact, request.user):
        raise PermissionDenied
    initial = {"date": contact.date, "kind": contact.kind, "needs": list(contact.needs)}
    added = [need for need in request.GET.getlist("needs") if need in SERVICE_CODES]
    initial["needs"] += [need for need in added if need not in initial["needs"]]
    form = ContactEditForm(request.POST or None, contact=contact, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.contact_correct(
                contact=contact,
                by=request.user,
                date=data["date"],
                kind=data["kind"],
                needs=data["needs"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã sửa lần tiếp cận."))
            return redirect("participants:contact_done", pk=contact.pk)
    return render(request, "participants/contact_edit.html", {"form": form, "contact": contact})


@allow(*CASE_ROLES)
def contact_list(request):
    return _list_page(
        request,
        form_class=ContactFilterForm,
        selector=selectors.contact_list,
        template="participants/contact_list.html",
        kind="contacts",
        title=_("Lần tiếp cận"),
        sorts=EVENT_SORTS,
        default="-date",
    )


# ----- assessments -----


@allow(*EDITORS)
def rights_assessment_list(request):
    return _list_page(
        request,
        form_class=RightsAssessmentFilterForm,
        selector=selectors.rights_assessment_list,
        template="participants/rights_assessment_list.html",
        kind="rights_assessments",
        title=_("Đánh giá quyền người lao động"),
        sorts={
            "date": ("date",),
            "participant": ("participant__code",),
            "site": ("establishment__site__code",),
            **ESTABLISHMENT_SORT,
        },
        default="-date",
    )


@allow(*EDITORS)
def establishment_assessment_list(request):
    return _list_page(
        request,
        form_class=EstablishmentAssessmentFilterForm,
        selector=selectors.establishment_assessment_list,
        template="participants/establishment_assessment_list.html",
        kind="establishment_assessments",
        title=_("Đánh giá cơ sở kinh doanh dịch vụ"),
        sorts={
            "date": ("date",),
            "site": ("establishment__site__code",),
            **ESTABLISHMENT_SORT,
        },
        default="-date",
    )


def _assessment_form(request, *, form_class, instance, title, back):
    initial = {}
    if instance.pk is None and request.GET.get("participant"):
        initial["participant_code"] = request.GET["participant"][:12]
    form = form_class(request.POST or None, instance=instance, user=request.user, initial=initial)
    valid = request.method == "POST" and form.is_valid()
    record_lookups(user=request.user, form=form)
    if valid:
        form.save()
        messages.success(request, _("Đã lưu đánh giá."))
        return redirect(back)
    return render(
        request,
        "participants/assessment_form.html",
        {"form": form, "title": title, "back": reverse(back), "instance": instance},
    )


@allow(*EDITORS)
def rights_assessment_new(request):
    return _assessment_form(
        request,
        form_class=RightsAssessmentForm,
        instance=RightsAssessment(),
        title=_("Đánh giá quyền người lao động mới"),
        back="participants:rights_assessment_list",
    )


@allow(*EDITORS)
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


@allow(*EDITORS)
def establishment_assessment_new(request):
    return _assessment_form(
        request,
        form_class=EstablishmentAssessmentForm,
        instance=EstablishmentAssessment(),
        title=_("Đánh giá cơ sở mới"),
        back="participants:establishment_assessment_list",
    )


@allow(*EDITORS)
def establishment_assessment_edit(request, pk):
    assessment = get_object_or_404(EstablishmentAssessment.objects.visible_to(request.user), pk=pk)
    return _assessment_form(
        request,
        form_class=EstablishmentAssessmentForm,
        instance=assessment,
        title=_("Sửa đánh giá cơ sở"),
        back="participants:establishment_assessment_list",
    )
