"""The site page's results panel (registered on the site page by ReportsConfig.ready through
sites.panels): the site's own indicators for the current quarter, computed by the engine."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import CASE_ROLES
from periods.calendar import quarter_of

from .indicators import PERCENTAGES, compute_indicators
from .labels import INDICATOR_LABELS

SITE_INDICATORS = (
    "reached",
    "reached_by_peer_groups",
    "reached_with_need",
    "referred",
    "referred_pct",
    "referrals_made",
    "referrals_completed",
    "referral_completion_pct",
)


def site_results(user, site):
    """The site's own indicators for the current quarter, for those who see its participants
    (the ministry reads suppressed figures on the dashboards), with links to the lists."""
    if user.role not in CASE_ROLES:
        return None
    start, end = quarter_of(timezone.localdate())
    values = compute_indicators(start=start, end=end, site=site.code)
    period = f"start={start.isoformat()}&end={end.isoformat()}&site={site.pk}"
    return {
        "start": start,
        "end": end,
        "rows": [
            {
                "code": code,
                "label": INDICATOR_LABELS[code],
                "value": values.get(code),
                "pct": code in PERCENTAGES,
            }
            for code in SITE_INDICATORS
        ],
        "links": [
            (_("Người tham gia"), reverse("participants:participant_list") + f"?site={site.pk}"),
            (_("Lần tiếp cận"), reverse("participants:contact_list") + "?" + period),
            (_("Chuyển gửi"), reverse("referrals:referral_list") + "?" + period),
        ],
    }
