from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from accounts.access import public
from exchange.uploads import forget_at_logout

admin.site.site_header = "PCMD"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", public(set_language), name="set_language"),
    # Signing out: the import preview's key (exchange.uploads) goes with the session. Wired here,
    # where the apps meet, so that `accounts` (the ground floor) does not import `exchange`.
    path(
        "logout/",
        public(forget_at_logout(auth_views.LogoutView.as_view())),
        name="logout",
    ),
    path("", include("accounts.urls")),
    path("sites/", include("sites.urls")),
    path("participants/", include("participants.urls")),
    path("referrals/", include("referrals.urls")),
    path("reports/", include("reports.urls")),
    path("exchange/", include("exchange.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("offline.urls")),
]
