from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

# What the live figures are computed from: a write to any of them invalidates the cached figures
# of its scope (reports.livecache).
LIVE_SOURCES = (
    "participants.Participant",
    "participants.Enrolment",
    "participants.Contact",
    "participants.RightsAssessment",
    "participants.EstablishmentAssessment",
    "referrals.Referral",
    "sites.Site",
    "sites.PeerGroup",
    "sites.Establishment",
    "sites.Cost",
    "sites.Training",
)


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self):
        from sites.panels import register_site_panel

        from . import livecache, site_results

        register_site_panel("results", site_results.site_results)

        for label in LIVE_SOURCES:
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(
                    livecache.on_write, sender=label, dispatch_uid=f"livecache.{label}.{name}"
                )
