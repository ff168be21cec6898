from django.urls import path

from . import views

app_name = "sites"

urlpatterns = [
    path("", views.site_list, name="site_list"),
    path("new/", views.site_create, name="site_create"),
    path("<int:pk>/", views.site_detail, name="site_detail"),
    path("<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("<int:pk>/deactivate/", views.site_deactivate, name="site_deactivate"),
    path("<int:pk>/reactivate/", views.site_reactivate, name="site_reactivate"),
    path("establishments/", views.establishment_list, name="establishment_list"),
    path("establishments/new/", views.establishment_create, name="establishment_create"),
    path("establishments/<int:pk>/", views.establishment_detail, name="establishment_detail"),
    path("establishments/<int:pk>/edit/", views.establishment_edit, name="establishment_edit"),
    path(
        "establishments/<int:pk>/deactivate/",
        views.establishment_deactivate,
        name="establishment_deactivate",
    ),
    path(
        "establishments/<int:pk>/reactivate/",
        views.establishment_reactivate,
        name="establishment_reactivate",
    ),
    path("groups/", views.peergroup_list, name="peergroup_list"),
    path("groups/mine/", views.peergroup_mine, name="peergroup_mine"),
    path("groups/new/", views.peergroup_create, name="peergroup_create"),
    path("groups/<int:pk>/", views.peergroup_detail, name="peergroup_detail"),
    path("groups/<int:pk>/edit/", views.peergroup_edit, name="peergroup_edit"),
    path("groups/<int:pk>/deactivate/", views.peergroup_deactivate, name="peergroup_deactivate"),
    path("groups/<int:pk>/reactivate/", views.peergroup_reactivate, name="peergroup_reactivate"),
    path("costs/", views.cost_list, name="cost_list"),
    path("costs/new/", views.cost_create, name="cost_create"),
    path("costs/<int:pk>/", views.cost_detail, name="cost_detail"),
    path("costs/<int:pk>/edit/", views.cost_edit, name="cost_edit"),
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/<int:pk>/", views.training_detail, name="training_detail"),
    path("trainings/<int:pk>/edit/", views.training_edit, name="training_edit"),
]
