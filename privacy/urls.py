from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("access/", views.access_summary, name="access_summary"),
    path("erasure/", views.erasure, name="erasure"),
    path("erasures/", views.erasure_list, name="erasure_list"),
    path("erasures/<int:pk>/certificate/", views.erasure_certificate, name="erasure_certificate"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("dossier/", views.dossier, name="dossier"),
]
