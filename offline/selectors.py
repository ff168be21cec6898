"""Reads of the offline app, scoped like every other read."""

from typing import TYPE_CHECKING

from django.db.models import Case, QuerySet, Value, When

from participants.models import Participant

from .models import Submission

if TYPE_CHECKING:
    from accounts.models import User


def group_codes(*, user: "User") -> list[str]:
    """Display codes of the participants the user may see and still contact (for a peer
    leader: those their group enrolled or met), for look-up on the phone. Codes only."""
    return list(
        Participant.objects.visible_to(user)
        .not_withdrawn()
        .order_by("code")
        .values_list("code", flat=True)
    )


def submission_list(*, user: "User") -> QuerySet[Submission]:
    """What the user's phone sent: refusals not yet dealt with first, then the newest."""
    to_resolve = Case(
        When(status=Submission.Status.REFUSED, resolved_at__isnull=True, then=Value(0)),
        default=Value(1),
    )
    return (
        Submission.objects.filter(user=user)
        .alias(to_resolve=to_resolve)
        .order_by("to_resolve", "-received_at", "-id")
    )
