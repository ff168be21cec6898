from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from accounts.access import public

admin.site.site_header = "PCMD"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("", include("accounts.urls")),
    path("sites/", include("sites.urls")),
    path("participants/", include("participants.urls")),
    path("referrals/", include("referrals.urls")),
    path("reports/", include("reports.urls")),
    path("exchange/", include("exchange.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("offline.urls")),
]
