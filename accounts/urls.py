from django.urls import path

from . import security_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("password/", views.password_change, name="password_change"),
    path("password/done/", views.password_change_done, name="password_change_done"),
    path("audit/", security_views.audit_log, name="audit_log"),
    path("audit/export.csv", security_views.audit_export, name="audit_export"),
    path("security/two-factor/", security_views.otp_setup, name="otp_setup"),
    path("security/verify/", security_views.otp_verify, name="otp_verify"),
]
