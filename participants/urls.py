from django.urls import path

from . import views

app_name = "participants"

urlpatterns = [
    path("", views.participant_list, name="participant_list"),
    path("enrol/", views.enrol, name="enrol"),
    path("<int:pk>/", views.participant_detail, name="participant_detail"),
    path("<int:pk>/withdraw/", views.participant_withdraw, name="participant_withdraw"),
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/new/enrol/", views.contact_enrol, name="contact_enrol"),
    path("contacts/new/lookup/", views.contact_lookup, name="contact_lookup"),
    path("contacts/<int:pk>/saved/", views.contact_done, name="contact_done"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("rights/", views.rights_assessment_list, name="rights_assessment_list"),
    path("rights/new/", views.rights_assessment_new, name="rights_assessment_new"),
    path("rights/<int:pk>/edit/", views.rights_assessment_edit, name="rights_assessment_edit"),
    path(
        "establishment-assessments/",
        views.establishment_assessment_list,
        name="establishment_assessment_list",
    ),
    path(
        "establishment-assessments/new/",
        views.establishment_assessment_new,
        name="establishment_assessment_new",
    ),
    path(
        "establishment-assessments/<int:pk>/edit/",
        views.establishment_assessment_edit,
        name="establishment_assessment_edit",
    ),
]
