from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy

from .access import EVERY_ROLE, allow, public

login_view = public(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", redirect_authenticated_user=True
    )
)
# Signing out is wired in config/urls.py (the import preview's key goes with the session).
password_change = allow(*EVERY_ROLE)(
    auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done"))
)
password_change_done = allow(*EVERY_ROLE)(auth_views.PasswordChangeDoneView.as_view())


@allow(*EVERY_ROLE)
def home(request):
    """Each role's start page: who you are and what you can do next (the role's menu, as cards;
    see accounts.context_processors.navigation)."""
    return render(request, "accounts/home.html")
