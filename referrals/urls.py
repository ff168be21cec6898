from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="referral_list"),
    path("follow-up/", views.followup, name="followup"),
    path("new/", views.referral_new, name="referral_new"),
    path("new/contact/<int:pk>/", views.referral_needs, name="referral_needs"),
    path("<int:pk>/", views.referral_detail, name="referral_detail"),
    path("<int:pk>/status/<str:action>/", views.referral_transition, name="referral_transition"),
    path("<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("<int:pk>/lost/", views.referral_lose, name="referral_lose"),
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/<int:pk>/", views.provider_detail, name="provider_detail"),
    path("providers/<int:pk>/edit/", views.provider_edit, name="provider_edit"),
    path("providers/<int:pk>/deactivate/", views.provider_deactivate, name="provider_deactivate"),
    path("providers/<int:pk>/reactivate/", views.provider_reactivate, name="provider_reactivate"),
    path("support/", views.support_list, name="support_list"),
    path("support/new/", views.support_new, name="support_new"),
    path("support/<int:pk>/edit/", views.support_edit, name="support_edit"),
]
