from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("import/", views.import_view, name="import"),
    path("export/<str:kind>/", views.export, name="export"),
    path("template/", views.template, name="template"),
]
