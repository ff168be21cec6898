from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.national_export, name="national_export"),
    path("cycle/", views.cycle_index, name="cycle"),
    path("cycle/<str:period>/", views.cycle_period, name="cycle_period"),
    path("cycle/<str:period>/submit/", views.cycle_submit, name="cycle_submit"),
    path("cycle/<str:period>/publish/", views.cycle_publish, name="cycle_publish"),
    path("cycle/<str:period>/<str:province>/", views.cycle_province, name="cycle_province"),
    path("cycle/<str:period>/<str:province>/decide/", views.cycle_decide, name="cycle_decide"),
    path("releases/", views.release_list, name="release_list"),
    path("releases/<str:period>/", views.release_detail, name="release_detail"),
    path("releases/<str:period>/print/", views.release_print, name="release_print"),
]
