"""Forms of the participants app.

The UIC answers (parents' given names, birth date) are sensitive: the name inputs never send a
typed value back to the browser (`NoEchoTextInput`), no error message repeats what was typed,
and the views that receive them are wrapped in `sensitive_post_parameters`.
"""

import datetime
import time

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from accounts.forms import PeriodForm, RecordChoiceField, VersionedModelForm, apply_errors
from accounts.models import Role
from periods.lock import check_change_open
from programs.services_catalog import Service
from sites.models import Establishment, PeerGroup, Site

from .display_codes import normalize_code
from .models import Contact, EstablishmentAssessment, Participant, RightsAssessment
from .services import (
    RIGHTS_FIELDS,
    check_contact,
    check_enrolment,
    check_event,
    check_not_future,
    today,
)
from .uic import (
    build_uic,
    given_name_letters,
    is_valid_uic,
    strip_diacritics,
    uic_hash,
)

# What a user may type instead of ticking "unknown" (compared without diacritics, lower case).
UNKNOWN_WORDS = {"khong biet", "khong ro", "unknown", "kb", "x", "xx"}

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SITE_OUT_OF_SCOPE = _("Địa bàn này không thuộc phạm vi của bạn.")
NO_ECHO_INVALID = _("Lựa chọn không hợp lệ.")


class NoEchoTextInput(forms.TextInput):
    """A text input that never renders a value: what the user typed is not sent back."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


def name_input():
    return NoEchoTextInput(
        attrs={"autocomplete": "off", "autocapitalize": "words", "spellcheck": "false"}
    )


class UICAnswersMixin:
    """The four UIC questions. `uic_required` False makes them optional as a group (the contact
    form finds a participant by display code or by these answers)."""

    uic_required = True

    def add_uic_fields(self):
        self.fields["mother_name"] = forms.CharField(
            label=_("Tên của mẹ"),
            help_text=_(
                "Chỉ cần tên (chữ cuối của họ tên), ví dụ: Lan. Tên không được lưu; vì bảo mật, "
                "nếu có lỗi bạn cần nhập lại."
            ),
            required=False,
            max_length=60,
            widget=name_input(),
        )
        self.fields["mother_unknown"] = forms.BooleanField(
            label=_("Không biết tên mẹ"), required=False
        )
        self.fields["father_name"] = forms.CharField(
            label=_("Tên của cha"),
            help_text=_("Chỉ cần tên, ví dụ: Hùng."),
            required=False,
            max_length=60,
            widget=name_input(),
        )
        self.fields["father_unknown"] = forms.BooleanField(
            label=_("Không biết tên cha"), required=False
        )
        self.fields["birth_date"] = forms.DateField(
            label=_("Ngày sinh"),
            required=self.uic_required,
            widget=DATE_WIDGET,
            error_messages={"invalid": _("Ngày sinh không hợp lệ.")},
        )
        self.fields["sex"] = forms.ChoiceField(
            label=_("Giới tính"),
            choices=Participant.Sex.choices,
            required=self.uic_required,
            widget=forms.RadioSelect,
            error_messages={"invalid_choice": NO_ECHO_INVALID},
        )

    @sensitive_variables()
    def _parent_letters(self, cleaned, who):
        name = (cleaned.get(f"{who}_name") or "").strip()
        unknown = cleaned.get(f"{who}_unknown")
        if unknown or strip_diacritics(name).lower() in UNKNOWN_WORDS:
            return "XX"
        if not name:
            message = (
                _("Nhập tên của mẹ hoặc đánh dấu “Không biết tên mẹ”.")
                if who == "mother"
                else _("Nhập tên của cha hoặc đánh dấu “Không biết tên cha”.")
            )
            self.add_error(f"{who}_name", ValidationError(message, code="required"))
            return None
        letters = given_name_letters(name)
        if letters == "XX" or not letters[0].isalpha():
            self.add_error(
                f"{who}_name",
                ValidationError(_("Tên chỉ được gồm chữ cái."), code="letters"),
            )
            return None
        return letters

    def uic_answers_given(self):
        data = self.cleaned_data
        return any(
            data.get(name)
            for name in ("mother_name", "mother_unknown", "father_name", "father_unknown")
        ) or bool(data.get("birth_date"))

    @sensitive_variables()
    def compute_uic(self):
        """The UIC from the cleaned answers, or None (with errors added to the form)."""
        cleaned = self.cleaned_data
        mother = self._parent_letters(cleaned, "mother")
        father = self._parent_letters(cleaned, "father")
        birth_date, sex = cleaned.get("birth_date"), cleaned.get("sex")
        if birth_date is not None:
            try:
                check_not_future(birth_date, _("Ngày sinh"))
            except ValidationError as error:
                self.add_error("birth_date", error)
                birth_date = None
        if not self.uic_required:
            for name, value in (("birth_date", birth_date), ("sex", sex)):
                if not value and name not in self.errors:
                    self.add_error(
                        name, ValidationError(_("Trường này là bắt buộc."), code="required")
                    )
        if None in (mother, father) or not birth_date or not sex:
            return None
        uic = build_uic(mother_name=mother, father_name=father, birth_date=birth_date, sex=sex)
        if not is_valid_uic(uic):
            raise ValidationError(_("Không tạo được mã UIC từ các câu trả lời."), code="uic")
        return uic


def scoped_sites(user):
    """Sites a user may record a participant's event at (none without a user)."""
    return Site.objects.visible_to(user).order_by("code")


def scoped_establishments(user):
    return Establishment.objects.visible_to(user).order_by("code")


def site_field(user, *, required=True, label=None):
    """The choice of a site in the user's scope. A national user is offered every site (a
    thousand at bench scale): RecordChoiceField writes them in one pass, so the page stays fast
    and the filter behaves the same for every role; narrowing them by a province chosen first
    would add a step to every filter and a second rule of what a user may pick."""
    return RecordChoiceField(
        label=label or _("Địa bàn"),
        queryset=scoped_sites(user),
        required=required,
        error_messages={"invalid_choice": SITE_OUT_OF_SCOPE},
    )


def is_leader(user):
    return user is not None and user.role == Role.PEER_LEADER


class EnrolmentDetailsMixin:
    """Fields of an enrolment that are not UIC answers, shared by both steps."""

    def add_enrolment_fields(self, user, hidden=False):
        date_widget = forms.HiddenInput if hidden else DATE_WIDGET
        choice_widget = forms.HiddenInput if hidden else forms.Select
        self.fields["category"] = forms.ChoiceField(
            label=_("Nhóm đối tượng"),
            choices=Participant.Category.choices,
            widget=choice_widget,
            error_messages={"invalid_choice": NO_ECHO_INVALID},
        )
        self.fields["residence"] = forms.ChoiceField(
            label=_("Tình trạng cư trú"),
            choices=Participant.Residence.choices,
            widget=choice_widget,
            error_messages={"invalid_choice": NO_ECHO_INVALID},
        )
        if not is_leader(user):
            self.fields["site"] = site_field(user)
            if hidden:
                self.fields["site"].widget = forms.HiddenInput()
            elif self.fields["site"].queryset.count() == 1:
                self.fields["site"].initial = self.fields["site"].queryset.first().pk
        self.fields["enrolled_on"] = forms.DateField(
            label=_("Ngày ghi danh"), initial=today, widget=date_widget
        )
        self.fields["consent"] = forms.BooleanField(
            label=_("Người tham gia đã được giải thích và đồng ý tham gia"),
            error_messages={
                "required": _("Cần có sự đồng ý của người tham gia trước khi ghi danh.")
            },
            widget=forms.HiddenInput if hidden else forms.CheckboxInput,
        )
        self.fields["consent_on"] = forms.DateField(
            label=_("Ngày đồng ý tham gia"), initial=today, widget=date_widget
        )

    def clean_enrolment(self, birth_year):
        """The enrolment rules of the service (participants.services.check_enrolment), shown on
        this form's fields."""
        if "enrolled_on" in self.errors or "consent_on" in self.errors:
            return
        cleaned = self.cleaned_data
        try:
            check_enrolment(
                enrolled_on=cleaned.get("enrolled_on"),
                consent_on=cleaned.get("consent_on"),
                birth_year=birth_year,
                birth_field="birth_date" if "birth_date" in self.fields else "birth_year",
            )
        except ValidationError as error:
            apply_errors(self, error)

    def site_for(self, user):
        if is_leader(user):
            return user.peer_group.site
        return self.cleaned_data.get("site")


class EnrolForm(UICAnswersMixin, EnrolmentDetailsMixin, forms.Form):
    """Step 1 of enrolment: the UIC answers and the enrolment details."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.add_uic_fields()
        self.add_enrolment_fields(user)
        self.uic = None

    def clean(self):
        cleaned = super().clean()
        birth_date = cleaned.get("birth_date")
        self.uic = self.compute_uic()
        self.clean_enrolment(birth_date.year if birth_date else None)
        return cleaned

    def confirmation_initial(self):
        """What step 2 carries in hidden fields: non-identifying fields only. The UIC's hash,
        sex and birth year stay on the server between the steps (`pending_enrolment`)."""
        cleaned = self.cleaned_data
        initial = {
            "category": cleaned["category"],
            "residence": cleaned["residence"],
            "enrolled_on": cleaned["enrolled_on"],
            "consent": True,
            "consent_on": cleaned["consent_on"],
        }
        if "site" in cleaned:
            initial["site"] = cleaned["site"].pk
        return initial

    def pending_enrolment(self):
        """What the server keeps between the steps, in the user's session: the keyed hash of
        the UIC (never the UIC itself), sex and birth year."""
        return {
            "digest": uic_hash(self.uic),
            # When the answers were typed: refused once someone is erased after
            # (privacy.selectors.answers_predate_erasure).
            "at": time.time(),
            "sex": self.cleaned_data["sex"],
            "birth_year": self.cleaned_data["birth_date"].year,
        }


class EnrolConfirmForm(EnrolmentDetailsMixin, forms.Form):
    """Step 2 of enrolment: the non-identifying values in hidden fields, checked again; what
    identifies the person comes from the server (`pending`), never from the browser."""

    def __init__(self, *args, user=None, pending=None, hidden=True, **kwargs):
        """`hidden` False shows the fields (with their errors) so they can be put right on
        the confirmation page, the answers staying on the server."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.pending = pending
        self.add_enrolment_fields(user, hidden=hidden)

    def clean(self):
        cleaned = super().clean()
        if not self.pending:
            raise ValidationError(
                _("Phiên ghi danh đã hết hạn. Hãy nhập lại các câu trả lời."), code="expired"
            )
        self.clean_enrolment(self.pending["birth_year"])
        return cleaned

    def step_one_initial(self):
        """Non-identifying values to refill step 1 when step 2 fails."""
        data = self.data
        initial = {
            name: data.get(name)
            for name in ("category", "residence", "site", "enrolled_on", "consent_on")
            if data.get(name)
        }
        if self.pending:
            initial["sex"] = self.pending["sex"]
        return initial


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label=_("Ngày rút khỏi chương trình"), initial=today, widget=DATE_WIDGET
    )


class ContactForm(UICAnswersMixin, forms.Form):
    """The peer leader's phone form (officers get a site and a peer group choice)."""

    uic_required = False

    participant_code = forms.CharField(
        label=_("Mã người tham gia"),
        required=False,
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "P-XXXXXXX",
                "class": "form-control form-control-lg",
            }
        ),
    )
    date = forms.DateField(
        label=_("Ngày tiếp cận"),
        initial=today,
        widget=forms.DateInput(
            attrs={"type": "date", "class": "form-control form-control-lg"}, format="%Y-%m-%d"
        ),
    )
    kind = forms.ChoiceField(
        label=_("Hình thức"),
        choices=Contact.Kind.choices,
        initial=Contact.Kind.OUTREACH,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"invalid_choice": NO_ECHO_INVALID},
    )
    needs = forms.MultipleChoiceField(
        label=_("Nhu cầu phát hiện"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
        error_messages={"invalid_choice": NO_ECHO_INVALID},
    )
    refer_now = forms.BooleanField(
        label=_("Chuyển gửi ngay sau khi lưu"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "btn-check"}),
    )

    def __init__(
        self, *args, user=None, kept=None, allow_new_person=False, logged_digest=None, **kwargs
    ):
        """`kept`: UIC answers an earlier submission of this form computed and the server kept
        in the session (hash, sex, birth year: `kept_answers()`), used when the browser sends
        `keep_answers` and no new answers. `allow_new_person`: answers that find nobody are not
        an error; the form is valid with `participant` None and `new_person` True (the view
        goes on to enrol them). `logged_digest`: the answers' hash the page's own look-up
        (views.contact_lookup) just logged as finding nobody; the same look-up again on saving
        is not logged twice (harvesting alerts count failed look-ups)."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.logged_digest = logged_digest
        self.lookups = []
        self.kept = kept
        self.allow_new_person = allow_new_person
        self.add_uic_fields()
        self.participant = None
        self.uic = None
        self.uic_digest = None
        self.answers = None
        self.new_person = False
        self.existing_contact = None
        if not is_leader(user):
            self.fields["site"] = site_field(user)
            sites = self.fields["site"].queryset
            if sites.count() == 1:
                self.fields["site"].initial = sites.first().pk
            self.fields["peer_group"] = RecordChoiceField(
                label=_("Nhóm đồng đẳng (nếu nhóm thực hiện)"),
                queryset=PeerGroup.objects.visible_to(user).select_related("site"),
                required=False,
                error_messages={"invalid_choice": NO_ECHO_INVALID},
            )

    @sensitive_variables()
    def _find_participant(self):
        scoped = Participant.objects.visible_to(self.user)
        code = normalize_code(self.cleaned_data.get("participant_code"))
        if code:
            return scoped.filter(code=code).first(), "participant_code"
        if not self.uic_answers_given():
            if self.kept and self.data.get("keep_answers"):
                self.answers = dict(self.kept)
                self.uic_digest = self.kept["digest"]
                return scoped.filter(person__uic_hash=self.uic_digest).first(), None
            self.add_error(
                "participant_code",
                ValidationError(
                    _("Nhập mã người tham gia (P-…) hoặc trả lời các câu hỏi UIC."),
                    code="required",
                ),
            )
            return None, None
        uic = self.compute_uic()
        if uic is None:
            return None, None
        self.uic = uic
        self.uic_digest = uic_hash(uic)
        self.answers = {
            "digest": self.uic_digest,
            "at": time.time(),
            "sex": self.cleaned_data["sex"],
            "birth_year": self.cleaned_data["birth_date"].year,
        }
        return scoped.filter(person__uic_hash=self.uic_digest).first(), None

    def clean(self):
        cleaned = super().clean()
        participant, field = self._find_participant()
        logged = (
            participant is None
            and self.logged_digest is not None
            and self.uic_digest == self.logged_digest
        )
        if (field == "participant_code" or self.uic_digest) and not logged:
            # Every look-up, found or not, goes to the activity log (harvesting alerts): noted
            # here, logged by the caller (accounts.activity.record_lookups).
            self.lookups.append(
                {
                    "by": "code" if field else "uic",
                    "found": participant is not None,
                    "purpose": "contact",
                }
            )
        if participant is None and field is None and self.answers and self.allow_new_person:
            self.new_person = True
        elif participant is None and not self.errors:
            self.add_error(
                field,
                ValidationError(
                    _(
                        "Không tìm thấy người tham gia này trong danh sách của bạn. Nếu là "
                        "người mới, hãy ghi danh trước."
                    ),
                    code="not_found",
                ),
            )
        self.participant = participant
        if is_leader(self.user):
            cleaned["site"] = self.user.peer_group.site
            cleaned["peer_group"] = self.user.peer_group
        if participant is not None and all(cleaned.get(k) for k in ("site", "date", "kind")):
            try:
                check_contact(
                    participant=participant,
                    date=cleaned["date"],
                    site=cleaned["site"],
                    kind=cleaned.get("kind"),
                    peer_group=cleaned.get("peer_group"),
                )
            except ValidationError as error:
                if _has_code(error, "duplicate"):
                    self.existing_contact = Contact.objects.filter(
                        participant=participant,
                        date=cleaned["date"],
                        site=cleaned["site"],
                        kind=cleaned["kind"],
                    ).first()
                apply_errors(self, error, aliases={"participant": field})
        elif cleaned.get("date"):
            try:
                check_not_future(cleaned["date"], _("Ngày tiếp cận"), "date")
            except ValidationError as error:
                apply_errors(self, error)
        return cleaned

    def pending_contact(self):
        """What the server keeps in the session while a new person found by their answers is
        enrolled: the answers' hash, sex and birth year, and the contact as typed (no name, no
        UIC)."""
        data = self.cleaned_data
        peer_group = data.get("peer_group")
        return {
            **self.answers,
            "date": data["date"].isoformat(),
            "kind": data["kind"],
            "needs": list(data["needs"]),
            "site": data["site"].pk,
            "peer_group": peer_group.pk if peer_group else None,
            "refer_now": bool(data.get("refer_now")),
        }


def _has_code(error, code):
    return any(item.code == code for items in error.error_dict.values() for item in items)


def choice_buttons(choices):
    """Radio buttons drawn as big tap targets (templates/participants/_choice_buttons.html)."""
    return forms.RadioSelect(attrs={"class": "btn-check"}, choices=choices)


class NewPersonForm(EnrolmentDetailsMixin, forms.Form):
    """The enrolment step of the new-person flow from the contact form: only what the contact
    form did not ask. The person's answers (hash, sex, birth year) and the contact wait in the
    session (`pending`); the enrolment is at the contact's site, dated the contact's day."""

    def __init__(self, *args, user=None, pending=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.pending = pending
        self.add_enrolment_fields(user)
        self.fields.pop("site", None)
        del self.fields["enrolled_on"]
        for name in ("category", "residence"):
            self.fields[name].widget = choice_buttons(self.fields[name].choices)
        self.fields["category"].initial = Participant.Category.SEX_WORKER
        self.fields["consent_on"].initial = self.contact_date

    @property
    def contact_date(self):
        if not self.pending:
            return None
        return datetime.date.fromisoformat(self.pending["date"])

    def clean(self):
        cleaned = super().clean()
        if not self.pending:
            raise ValidationError(
                _("Phiên ghi danh đã hết hạn. Hãy nhập lại các câu trả lời."), code="expired"
            )
        if "consent_on" in self.errors:
            return cleaned
        try:
            check_enrolment(
                enrolled_on=self.contact_date,
                consent_on=cleaned.get("consent_on"),
                birth_year=self.pending["birth_year"],
            )
        except ValidationError as error:
            apply_errors(self, error)
        return cleaned


class ContactEditForm(forms.Form):
    """A contact's correction: its day, kind and needs (the person and the site stay)."""

    date = ContactForm.base_fields["date"]
    kind = ContactForm.base_fields["kind"]
    needs = ContactForm.base_fields["needs"]

    def __init__(self, *args, contact, **kwargs):
        kwargs.setdefault(
            "initial", {"date": contact.date, "kind": contact.kind, "needs": contact.needs}
        )
        super().__init__(*args, **kwargs)
        self.contact = contact


class RightsAssessmentForm(VersionedModelForm):
    """A worker rights assessment; on creation the participant is given by display code."""

    participant_code = forms.CharField(label=_("Mã người tham gia"), max_length=12)

    class Meta:
        model = RightsAssessment
        fields = ["establishment", "date", *RIGHTS_FIELDS]
        field_classes = {"establishment": RecordChoiceField}
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["establishment"].queryset = (
            Establishment.objects.visible_to(user).select_related("site").order_by("code")
        )
        self.fields["establishment"].error_messages["invalid_choice"] = _(
            "Cơ sở này không thuộc phạm vi của bạn."
        )
        if self.instance.pk:
            del self.fields["participant_code"]
        self.order_fields(["participant_code", "establishment", "date"])

    def clean_participant_code(self):
        code = normalize_code(self.cleaned_data["participant_code"])
        participant = Participant.objects.visible_to(self.user).filter(code=code).first()
        self.lookups = [
            {"by": "code", "found": participant is not None, "purpose": "rights_assessment"}
        ]
        if participant is None:
            raise ValidationError(
                _("Không tìm thấy người tham gia này trong danh sách của bạn."),
                code="not_found",
            )
        self.instance.participant = participant
        return code

    def clean(self):
        cleaned = super().clean()
        establishment, day = cleaned.get("establishment"), cleaned.get("date")
        if establishment and day and self.instance.pk:
            try:
                check_change_open(record=self.instance, site=establishment.site, day=day)
            except ValidationError as error:
                apply_errors(self, error)
        if self.instance.participant_id and establishment and day:
            try:
                check_event(
                    participant=self.instance.participant,
                    site=establishment.site,
                    day=day,
                    date_label=_("Ngày đánh giá"),
                )
            except ValidationError as error:
                apply_errors(self, error, aliases={"participant": "participant_code"})
            duplicate = RightsAssessment.objects.filter(
                participant_id=self.instance.participant_id,
                establishment=establishment,
                date=day,
            ).exclude(pk=self.instance.pk)
            if duplicate.exists():
                raise ValidationError(
                    _(
                        "Đã có đánh giá của người tham gia này tại cơ sở này vào ngày này; hãy "
                        "sửa đánh giá đó."
                    ),
                    code="duplicate",
                )
        return cleaned

    def validate_unique(self):
        """Uniqueness is checked in clean() with a clear message."""


class EstablishmentAssessmentForm(VersionedModelForm):
    class Meta:
        model = EstablishmentAssessment
        fields = ["establishment", "date", *EstablishmentAssessment.DUTIES]
        field_classes = {"establishment": RecordChoiceField}
        widgets = {"date": DATE_WIDGET}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["establishment"].queryset = (
            Establishment.objects.visible_to(user).select_related("site").order_by("code")
        )
        self.fields["establishment"].error_messages["invalid_choice"] = _(
            "Cơ sở này không thuộc phạm vi của bạn."
        )

    def clean_date(self):
        day = self.cleaned_data["date"]
        check_not_future(day, _("Ngày đánh giá"))
        return day

    def clean(self):
        cleaned = super().clean()
        # Read before a broken rule removes "date" from cleaned_data.
        establishment, day = cleaned.get("establishment"), cleaned.get("date")
        if establishment and day:
            try:
                check_change_open(record=self.instance, site=establishment.site, day=day)
            except ValidationError as error:
                apply_errors(self, error)
            duplicate = EstablishmentAssessment.objects.filter(
                establishment=establishment, date=day
            ).exclude(pk=self.instance.pk)
            if duplicate.exists():
                raise ValidationError(
                    _("Đã có đánh giá của cơ sở này vào ngày này; hãy sửa đánh giá đó."),
                    code="duplicate",
                )
        return cleaned

    def validate_unique(self):
        """Uniqueness is checked in clean() with a clear message."""


# ----- list filters (GET) -----


class ScopedFilterForm(PeriodForm):
    """A list's filters: a site among those the user may see, a period, and a code search."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"] = site_field(user, required=False)
        self.fields["q"] = forms.CharField(
            label=_("Mã người tham gia"), required=False, max_length=12
        )
        self.order_fields(["site", "start", "end"])


class ParticipantFilterForm(ScopedFilterForm):
    category = forms.ChoiceField(
        label=_("Nhóm đối tượng"),
        choices=[("", "---------"), *Participant.Category.choices],
        required=False,
    )
    residence = forms.ChoiceField(
        label=_("Tình trạng cư trú"),
        choices=[("", "---------"), *Participant.Residence.choices],
        required=False,
    )
    need = forms.ChoiceField(
        label=_("Nhu cầu"), choices=[("", "---------"), *Service.choices], required=False
    )
    include_withdrawn = forms.BooleanField(
        label=_("Gồm cả người đã rút khỏi chương trình"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].help_text = _("Ghi danh hoặc được tiếp cận trong khoảng thời gian.")


class ContactFilterForm(ScopedFilterForm):
    kind = forms.ChoiceField(
        label=_("Hình thức"), choices=[("", "---------"), *Contact.Kind.choices], required=False
    )
    need = forms.ChoiceField(
        label=_("Nhu cầu"), choices=[("", "---------"), *Service.choices], required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["peer_group"] = RecordChoiceField(
            label=_("Nhóm đồng đẳng"),
            queryset=PeerGroup.objects.visible_to(user),
            required=False,
        )


YES_NO = [("", "---------"), ("yes", _("Có")), ("no", _("Không"))]


class RightsAssessmentFilterForm(ScopedFilterForm):
    rights_ensured = forms.ChoiceField(
        label=_("Đảm bảo đủ 6 quyền cơ bản"), choices=YES_NO, required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["establishment"] = RecordChoiceField(
            label=_("Cơ sở"),
            queryset=scoped_establishments(user),
            required=False,
        )


class EstablishmentAssessmentFilterForm(PeriodForm):
    compliant = forms.ChoiceField(
        label=_("Thực hiện đủ 6 trách nhiệm"), choices=YES_NO, required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"] = site_field(user, required=False)
        self.fields["establishment"] = RecordChoiceField(
            label=_("Cơ sở"),
            queryset=scoped_establishments(user),
            required=False,
        )
        self.order_fields(["site", "establishment", "start", "end"])
