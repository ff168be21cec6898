from django import template
from django.utils.translation import gettext_lazy as _

from programs.services_catalog import Service

register = template.Library()

STATUS_CLASSES = {
    "referred": "text-bg-primary",
    "received": "text-bg-info",
    "completed": "text-bg-success",
    "declined": "text-bg-secondary",
    "lost": "text-bg-dark",
}


@register.filter
def service_labels(codes):
    """['loan', 'legal_aid'] -> their labels, in the catalogue's order."""
    return [Service(code).label for code in codes or []]


@register.filter
def status_class(status):
    return STATUS_CLASSES.get(status, "text-bg-light")


@register.inclusion_tag("referrals/_home_cards.html")
def referral_cards(user):
    """The home page's referral counts: provider staff their new and open referrals, the case
    roles their overdue ones (two counting queries at most)."""
    from accounts.access import CASE_ROLES
    from accounts.models import Role

    from ..models import Referral
    from ..selectors import overdue_cutoff

    cards = []
    referrals = Referral.objects.visible_to(user)
    if user.role == Role.PROVIDER:
        cards.append(
            {
                "count": referrals.filter(status=Referral.Status.REFERRED).count(),
                "label": _("Chuyển gửi mới chờ tiếp nhận"),
                "query": "status=referred",
                "testid": "new-referrals",
            }
        )
        cards.append(
            {
                "count": referrals.filter(status=Referral.Status.RECEIVED).count(),
                "label": _("Đã tiếp nhận, chưa hoàn thành"),
                "query": "status=received",
                "testid": "received-referrals",
            }
        )
    elif user.role in CASE_ROLES:
        cards.append(
            {
                "count": referrals.open().filter(date__lt=overdue_cutoff()).count(),
                "label": _("Chuyển gửi quá hạn cần theo dõi"),
                "query": "overdue=on",
                "testid": "overdue-referrals",
            }
        )
    return {"cards": cards}
