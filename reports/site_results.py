"""The site page's results panel (registered on the site page by ReportsConfig.ready through
sites.panels): the site's own indicators for the current quarter, computed by the engine."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import CASE_ROLES
from periods.calendar import quarter_of

from . import catalogue
from .indicators import compute_indicators

# The site page's indicators: the catalogue's site columns.
SITE_INDICATORS = catalogue.columns(catalogue.SITE)


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
                "label": catalogue.label(code),
                "value": values.get(code),
                "pct": code in catalogue.PERCENTAGES,
            }
            for code in SITE_INDICATORS
        ],
        "links": [
            (_("Người tham gia"), reverse("participants:participant_list") + f"?site={site.pk}"),
            (_("Lần tiếp cận"), reverse("participants:contact_list") + "?" + period),
            (_("Chuyển gửi"), reverse("referrals:referral_list") + "?" + period),
        ],
    }
