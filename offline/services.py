"""What the server does with the items of a phone's offline queue.

Each item is opened (offline.sealing) and handed to the same form and the same service as the
page it was filled in on: the contact form and `participants.services.contact_log` (or, for a
person the answers find nobody for, the contact form's new-person step and
`participants.services.contact_log_new_person`), the enrolment form and
`participants.services.participant_enrol`, the referral form and
`referrals.services.referral_create`. A rule lives in those places only; here a broken rule
(a ValidationError) becomes the reasons shown to the leader. Each item is recorded once by the
id the phone made for it (a Submission), and a resend of that id gets the first result back.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from accounts.activity import record_lookups
from accounts.models import Role
from participants.forms import ContactForm, EnrolForm, NewPersonForm, normalize_code
from participants.services import contact_log, contact_log_new_person, participant_enrol
from referrals.forms import ReferralForm
from referrals.services import referral_create

from .models import Submission
from .sealing import SealedItem, unseal

if TYPE_CHECKING:
    from django.http import QueryDict

    from accounts.models import User

Kind = Submission.Kind
Status = Submission.Status

ID_TAKEN = _("Mã của mục này đã được dùng cho một mục khác. Hãy nhập lại.")
UNKNOWN_KIND = _("Loại mục không hợp lệ.")
NEW_PERSON_MISSING = _(
    "Không có ai với các câu trả lời này trong danh sách của bạn, và mục này không có phần ghi "
    "danh người mới (chưa đánh dấu người tham gia đồng ý). Hãy ghi danh người này (trang Ghi "
    "danh), rồi bấm “Gửi lại”."
)
# Refusals that a change on the server can lift (the person enrolled or consenting again since):
# such an item is offered for sending again. Any other refusal is final: what the phone sealed
# cannot change, so it has to be entered again.
RETRYABLE = frozenset({"not_found", "withdrawn"})


@dataclass(frozen=True)
class Outcome:
    """The answer about one item: what the phone stores beside it. `person` names whom a
    refused item is about (the display code, or the code the answers make when they found
    nobody) so the leader can enter it again; `retry` says whether sending it again can
    succeed."""

    client_id: uuid.UUID
    status: str
    errors: list = field(default_factory=list)
    person: str = ""
    retry: bool = False

    @classmethod
    def of(cls, submission: Submission) -> "Outcome":
        """The stored result of an item sent before, naming its person by the stored code."""
        return cls(
            submission.client_id, submission.status, list(submission.errors), submission.code
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.client_id),
            "status": self.status,
            "errors": self.errors,
            "person": self.person,
            "retry": self.retry,
        }


def _valid(form: forms.Form) -> dict[str, Any]:
    """The form's cleaned data, or a ValidationError holding its messages (with their codes),
    each field's prefixed with the field's label (the forms never repeat a typed answer in a
    message)."""
    if not form.is_valid():
        raise ValidationError(
            [
                ValidationError(
                    f"{form.fields[name].label}: {message}" if name in form.fields else message,
                    code=error.code,
                )
                for name, errors in form.errors.as_data().items()
                for error in errors
                for message in error.messages
            ]
        )
    return form.cleaned_data


def _codes(error: ValidationError) -> set[str | None]:
    parts = (
        [part for parts in error.error_dict.values() for part in parts]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return {part.code for part in parts}


@sensitive_variables()
def _contact(*, user: "User", data: "QueryDict", found: dict[str, Any]) -> int:
    """A contact, and, when the answers find nobody and the phone sent the new-person step's
    answers with it, the person's enrolment: as the contact form and its next step online."""
    form = ContactForm(data, user=user, allow_new_person=True)
    form.is_valid()  # finds the participant, whatever else is wrong
    record_lookups(user=user, form=form)
    if form.participant is not None:
        found["code"] = form.participant.code
    else:
        found["person"] = form.uic or normalize_code(data.get("participant_code"))
    cleaned = _valid(form)
    if form.new_person:
        return _new_person_contact(user=user, data=data, form=form, found=found)
    contact = contact_log(
        # A valid form that is not a new person has found its participant.
        participant=form.participant,  # type: ignore[arg-type]
        date=cleaned["date"],
        site=cleaned["site"],
        kind=cleaned["kind"],
        needs=cleaned["needs"],
        peer_group=cleaned.get("peer_group"),
        by=user,
    )
    return contact.pk


@sensitive_variables()
def _new_person_contact(
    *, user: "User", data: "QueryDict", form: ContactForm, found: dict[str, Any]
) -> int:
    if not data.get("consent"):
        raise ValidationError(NEW_PERSON_MISSING, code="not_found")
    pending = form.pending_contact()
    details = _valid(NewPersonForm(data, user=user, pending=pending))
    contact_data = form.cleaned_data
    participant, contact = contact_log_new_person(
        uic_digest=pending["digest"],
        sex=pending["sex"],
        birth_year=pending["birth_year"],
        category=details["category"],
        residence=details["residence"],
        consent_on=details["consent_on"],
        site=contact_data["site"],
        date=contact_data["date"],
        kind=contact_data["kind"],
        needs=contact_data["needs"],
        peer_group=contact_data.get("peer_group"),
        by=user,
    )
    found["code"] = participant.code
    return contact.pk


@sensitive_variables()
def _enrolment(*, user: "User", data: "QueryDict", found: dict[str, Any]) -> int:
    form = EnrolForm(data, user=user)
    cleaned = _valid(form)
    participant, _created = participant_enrol(
        uic=form.uic,
        category=cleaned["category"],
        sex=cleaned["sex"],
        birth_year=cleaned["birth_date"].year,
        residence=cleaned["residence"],
        consent_on=cleaned["consent_on"],
        site=form.site_for(user),
        enrolled_on=cleaned["enrolled_on"],
        peer_group=user.peer_group if user.role == Role.PEER_LEADER else None,
        by=user,
    )
    found["code"] = participant.code
    return participant.pk


def _referral(*, user: "User", data: "QueryDict", found: dict[str, Any]) -> int:
    form = ReferralForm(data, user=user)
    form.is_valid()  # finds the participant, whatever else is wrong
    record_lookups(user=user, form=form)
    participant = form.cleaned_data.get("participant")
    if participant is not None:
        found["code"] = participant.code
    else:
        found["person"] = normalize_code(data.get("participant"))
    cleaned = _valid(form)
    referral = referral_create(
        # The form is valid here, so its required participant is set.
        participant=participant,  # type: ignore[arg-type]
        date=cleaned["date"],
        site=form.referral_site,
        service=cleaned["service"],
        provider=cleaned["provider"],
        peer_group=form.referral_peer_group,
        consent_to_share=cleaned["consent_to_share"],
        by=user,
    )
    return referral.pk


RECORDERS: dict[str, Callable[..., int]] = {
    Kind.CONTACT: _contact,
    Kind.ENROLMENT: _enrolment,
    Kind.REFERRAL: _referral,
}


@sensitive_variables()
def _record(*, user: "User", item: SealedItem) -> tuple[str, int | None, str, list[str], str, bool]:
    """(status, object_id, code, errors, person, retry) of one item, its record written when
    accepted. The participant's display code is kept when the item names someone the user may
    see; `person` (that code, or the code typed or made by the answers) goes back to the phone
    only, never into the database, so the leader knows whom a refusal is about."""
    found: dict[str, Any] = {}
    try:
        data = unseal(item, user=user)
        object_id = RECORDERS[item.kind](user=user, data=data, found=found)
    except ValidationError as error:
        code = found.get("code", "")
        retry = bool(_codes(error)) and _codes(error) <= RETRYABLE
        messages = [str(m) for m in error.messages]
        return Status.REFUSED, None, code, messages, code or found.get("person", ""), retry
    return Status.ACCEPTED, object_id, found.get("code", ""), [], found.get("code", ""), False


@transaction.atomic
def submission_receive(*, user: "User", item: SealedItem) -> Outcome:
    """Record one sealed item from `user`'s phone, once. Returns its Outcome.

    An id seen before answers with its first result when that result was a record (never a
    second record); an item refused before is tried again (what refused it may have been put
    right since, and a refusal wrote nothing). An id another user sent is refused."""
    if item.kind not in RECORDERS:
        return Outcome(item.client_id, Status.REFUSED, [str(UNKNOWN_KIND)])
    for _attempt in range(2):
        seen = Submission.objects.select_for_update().filter(client_id=item.client_id).first()
        if seen is not None and seen.user_id != user.pk:
            return Outcome(item.client_id, Status.REFUSED, [str(ID_TAKEN)])
        if seen is not None and seen.status == Status.ACCEPTED:
            return Outcome.of(seen)
        try:
            with transaction.atomic():
                status, object_id, code, errors, person, retry = _record(user=user, item=item)
                submission = seen or Submission(client_id=item.client_id, user=user)
                submission.kind = item.kind
                submission.status = status
                submission.object_id = object_id
                submission.code = code
                submission.errors = errors
                submission.resolved_at = None
                submission.save()
            return Outcome(item.client_id, status, errors, person, retry)
        except IntegrityError:
            # The same id (or the same record) was written by a request running at the same
            # moment: everything this attempt wrote is undone; look again.
            continue
    seen = Submission.objects.filter(client_id=item.client_id, user=user).first()
    if seen is None:
        raise IntegrityError("offline submission could not be recorded")
    return Outcome.of(seen)


def submission_resolve(*, submission: Submission) -> Submission:
    """The leader has dealt with a refused item (recorded it again, or nothing was needed)."""
    if submission.status != Status.REFUSED:
        raise ValidationError(
            _("Chỉ mục bị từ chối mới cần đánh dấu đã xử lý."), code="not_refused"
        )
    if submission.resolved_at is None:
        submission.resolved_at = timezone.now()
        submission.save(update_fields=["resolved_at", "updated_at"])
    return submission
