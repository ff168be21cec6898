"""Writes of referrals, providers and support (docs/conventions.md: services take keyword-only
arguments and raise django.core.exceptions.ValidationError with a Vietnamese message when the
input is bad, so nothing is saved).

A referral's status changes only through the four transition functions below. Each one locks
the row, checks the status it starts from, records a ReferralEvent and refuses an impossible
transition, leaving the status as it was:

    referred -> received -> completed
    referred | received -> declined
    referred | received -> lost
    completed, declined and lost are final.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from participants.services import check_event, check_peer_group
from periods.lock import check_change_open, check_period_open
from sites.services import check_bounds

from .models import MAX_SUPPORT_VND, TOO_MUCH_SUPPORT, Provider, Referral, ReferralEvent, Support

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User
    from participants.models import Participant
    from sites.models import PeerGroup, Site

Status = Referral.Status
NO_CONSENT_TO_SHARE = _(
    "Chưa có sự đồng ý của người tham gia cho chia sẻ thông tin với cơ sở dịch vụ: "
    "không thể chuyển gửi."
)


class ReferralTransitionError(ValidationError):
    """A status change that the referral's current status does not allow."""


@dataclass(frozen=True)
class Transition:
    action: str
    target: str
    sources: frozenset[str]
    label: str | Promise


TRANSITIONS = {
    t.action: t
    for t in (
        Transition("receive", Status.RECEIVED, frozenset({Status.REFERRED}), _("Đã tiếp nhận")),
        Transition("complete", Status.COMPLETED, frozenset({Status.RECEIVED}), _("Hoàn thành")),
        Transition(
            "decline", Status.DECLINED, frozenset({Status.REFERRED, Status.RECEIVED}), _("Từ chối")
        ),
        Transition(
            "lose", Status.LOST, frozenset({Status.REFERRED, Status.RECEIVED}), _("Mất dấu")
        ),
    )
}
# Where a status may lead, in one step or several (an imported file may skip steps): never
# back, and completed, declined and lost are final.
REACHABLE: dict[str, frozenset[str]] = {
    Status.REFERRED: frozenset({Status.RECEIVED, Status.COMPLETED, Status.DECLINED, Status.LOST}),
    Status.RECEIVED: frozenset({Status.COMPLETED, Status.DECLINED, Status.LOST}),
    Status.COMPLETED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.LOST: frozenset(),
}


def transition_refused(current: str, target: str) -> ReferralTransitionError:
    return ReferralTransitionError(
        _(
            "Không thể chuyển chuyển gửi từ trạng thái “%(current)s” sang “%(target)s”. "
            "Trạng thái được giữ nguyên."
        )
        % {"current": Status(current).label, "target": Status(target).label},
        code="invalid_transition",
    )


def check_status_change(
    *,
    current: str,
    target: str,
    completed_on: datetime.date | None = None,
    new_completed_on: datetime.date | None = None,
) -> None:
    """What a status written from outside the transition functions (the importer) may do: stay,
    or move forward (`REACHABLE`); a final status stays final, and a completion keeps its
    date."""
    if current == target:
        if current == Status.COMPLETED and completed_on != new_completed_on:
            raise transition_refused(current, target)
        return
    if target not in REACHABLE[current]:
        raise transition_refused(current, target)


DUPLICATE_REFERRAL = _(
    "Người tham gia này đã được chuyển gửi dịch vụ này tại địa bàn này trong ngày đã chọn."
)


def check_referral_key(
    *, participant: "Participant", date: datetime.date, site: "Site", service: str
) -> None:
    """One referral per person, day, site and service (the database's unique key, asked first so
    the form can say it). The importer refuses the same key twice in one file with this
    message; a key already stored is updated there (a re-import changes nothing)."""
    same = Referral.objects.filter(participant=participant, date=date, site=site, service=service)
    if same.exists():
        raise ValidationError(DUPLICATE_REFERRAL, code="duplicate")


# A provider's staff confirm what happened at their organisation; losing track of a participant
# is for the programme's own staff to decide.
PROVIDER_ACTIONS = frozenset({"receive", "complete", "decline"})


def today() -> datetime.date:
    return timezone.localdate()


def next_actions(referral: Referral, user: "User | None" = None) -> list[str]:
    """The transitions open to `referral` now (and to `user`'s role, when given)."""
    actions = [t.action for t in TRANSITIONS.values() if referral.status in t.sources]
    if user is not None and user.role == Role.PROVIDER:
        actions = [a for a in actions if a in PROVIDER_ACTIONS]
    return actions


def _check_day(day: datetime.date, referral: Referral, label: "StrOrPromise") -> None:
    if day > today():
        raise ValidationError(
            _("%(label)s không được sau ngày hôm nay.") % {"label": label}, code="future"
        )
    if day < referral.date:
        raise ValidationError(
            _("%(label)s không được trước ngày chuyển gửi (%(date)s).")
            % {"label": label, "date": referral.date.strftime("%d/%m/%Y")},
            code="before_referral",
        )


NO_DECLINE_REASON = _("Chọn lý do từ chối trong danh sách.")
BAD_OUTCOME = _("Chọn kết quả trong danh sách.")


@transaction.atomic
def _transition(
    *,
    action: str,
    referral: Referral,
    by: "User | None",
    on: datetime.date | None,
    extra: dict[str, Any] | None = None,
) -> Referral:
    transition = TRANSITIONS[action]
    on = on or today()
    locked = Referral.objects.select_for_update().select_related("site").get(pk=referral.pk)
    # A referral's status counts in the period of its date: once the ministry approved that
    # period for the province, the status stays as approved.
    check_period_open(site=locked.site, day=locked.date)
    if locked.status not in transition.sources:
        raise transition_refused(locked.status, transition.target)
    label = _("Ngày hoàn thành") if action == "complete" else _("Ngày chuyển trạng thái")
    _check_day(on, locked, label)
    # The change itself counts in the period of its own date (a completion is counted when it
    # happened): none dated in a locked period either.
    check_period_open(site=locked.site, day=on)
    from_status = locked.status
    locked.status = transition.target
    locked.version += 1
    fields = ["status", "version", "updated_at"]
    if action == "complete":
        locked.completed_on = on
        fields.append("completed_on")
    for name, value in (extra or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    locked.save(update_fields=fields)
    ReferralEvent.objects.create(
        referral=locked, from_status=from_status, to_status=locked.status, on=on, by=by
    )
    for name in fields:
        setattr(referral, name, getattr(locked, name))
    return referral


def referral_receive(
    *, referral: Referral, by: "User | None", on: datetime.date | None = None
) -> Referral:
    """The provider has taken the participant in (referred -> received)."""
    return _transition(action="receive", referral=referral, by=by, on=on)


def referral_complete(
    *,
    referral: Referral,
    by: "User | None",
    on: datetime.date | None = None,
    outcome: str = "",
) -> Referral:
    """The service was given (received -> completed); `on` is the completion date, today by
    default, not before the referral's date. `outcome` is one of Referral.Outcome (the pages
    require it; a status imported from a file may come without one)."""
    if outcome and outcome not in Referral.Outcome.values:
        raise ValidationError({"outcome": ValidationError(BAD_OUTCOME, code="outcome")})
    return _transition(
        action="complete", referral=referral, by=by, on=on, extra={"outcome": outcome}
    )


def referral_decline(
    *, referral: Referral, by: "User | None", reason: str, on: datetime.date | None = None
) -> Referral:
    """The provider or the participant declined (referred or received -> declined), for
    `reason`, one of Referral.DeclineReason (a fixed list: no free text about the person)."""
    if reason not in Referral.DeclineReason.values:
        raise ValidationError(
            {"decline_reason": ValidationError(NO_DECLINE_REASON, code="decline_reason")}
        )
    return _transition(
        action="decline", referral=referral, by=by, on=on, extra={"decline_reason": reason}
    )


NO_LOST_REASON = _("Chọn lý do mất dấu trong danh sách.")


def referral_lose(
    *,
    referral: Referral,
    by: "User | None",
    on: datetime.date | None = None,
    reason: str = "",
) -> Referral:
    """Lost to follow-up (referred or received -> lost), for `reason`, one of
    Referral.LostReason (the pages require it; a status imported from a file may come
    without one)."""
    if reason and reason not in Referral.LostReason.values:
        raise ValidationError({"lost_reason": ValidationError(NO_LOST_REASON, code="lost_reason")})
    return _transition(
        action="lose", referral=referral, by=by, on=on, extra={"lost_reason": reason}
    )


TRANSITION_FUNCTIONS = {
    "receive": referral_receive,
    "complete": referral_complete,
    "decline": referral_decline,
    "lose": referral_lose,
}


@transaction.atomic
def referral_create(
    *,
    participant: "Participant",
    date: datetime.date,
    site: "Site",
    service: str,
    consent_to_share: bool,
    by: "User | None",
    provider: Provider | None = None,
    peer_group: "PeerGroup | None" = None,
) -> Referral:
    """Record a referral (status `referred`) and its first history event. The participant's
    consent to share their record with the provider must have been given first."""
    if not consent_to_share:
        raise ValidationError(
            {"consent_to_share": ValidationError(NO_CONSENT_TO_SHARE, code="consent")}
        )
    check_event(participant=participant, site=site, day=date, date_label=_("Ngày chuyển gửi"))
    if provider is not None:
        check_provider(provider=provider, service=service)
    check_peer_group(peer_group, site)
    check_referral_key(participant=participant, date=date, site=site, service=service)
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                participant=participant,
                date=date,
                site=site,
                service=service,
                provider=provider,
                peer_group=peer_group,
                consent_to_share=True,
                made_by=by,
            )
    except IntegrityError as error:
        raise ValidationError(DUPLICATE_REFERRAL, code="duplicate") from error
    ReferralEvent.objects.create(
        referral=referral, from_status="", to_status=referral.status, on=date, by=by
    )
    return referral


SUPPORT_DATE = _("Ngày hỗ trợ")  # the field's name in a refusal of its date


def check_support(
    *, record: Support | None, participant: "Participant", site: "Site", day: datetime.date
) -> None:
    """Every rule of a support payment, as its form applies it: the rules of an event
    (participant active and of the site's province, no future date, the period open) for the
    new values, and the lock for the stored ones when it is changed."""
    check_change_open(record=record, site=site, day=day)
    check_event(participant=participant, site=site, day=day, date_label=SUPPORT_DATE)


NEGATIVE_SUPPORT = _("Số tiền phải là số nguyên không âm, tính bằng đồng (ví dụ 3000000).")


def check_support_amount(value: int | None, field: str | None = None) -> None:
    """One support payment: 0 to MAX_SUPPORT_VND đồng. The form and the importer ask here."""
    check_bounds(
        value, high=MAX_SUPPORT_VND, below=NEGATIVE_SUPPORT, above=TOO_MUCH_SUPPORT, field=field
    )


def check_provider(*, provider: Provider, service: str) -> None:
    if not provider.is_active:
        raise ValidationError(_("Cơ sở dịch vụ này đã ngừng hoạt động."), code="inactive")
    if service not in provider.services:
        raise ValidationError(
            _("Cơ sở dịch vụ này không cung cấp dịch vụ đã chọn."), code="service"
        )


def provider_set_active(*, provider: Provider, active: bool) -> Provider:
    """Deactivate (or reactivate) a provider: it stays in the directory and on past referrals
    but is no longer offered for new ones."""
    provider.is_active = active
    provider.version += 1
    provider.save(update_fields=["is_active", "version", "updated_at"])
    return provider
