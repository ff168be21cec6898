from django.urls import path

from . import views

app_name = "offline"

# Included at the site's root: the service worker's scope is the folder it is served from.
urlpatterns = [
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("offline/", views.submission_list, name="submission_list"),
    path("offline/fallback/", views.fallback, name="fallback"),
    path("offline/sync/", views.sync, name="sync"),
    path("offline/codes/", views.codes, name="codes"),
    path("offline/resolved/", views.submission_resolve, name="submission_resolve"),
]
