from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import ActivityEvent, User


class ProgrammeDataAdmin(admin.ModelAdmin):
    """Programme data (sites and their structure, participants and every dated event) is
    written through the pages, the import and the offline sync, which all go through the
    services and their rules (the period lock among them): one write path per model. The
    admin only shows it (README "Django admin")."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "role", "province", "peer_group", "provider", "is_active")
    list_filter = ("role", "is_active")
    list_select_related = ("province", "peer_group", "provider")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Vai trò và phạm vi"), {"fields": ("role", "province", "peer_group", "provider")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Vai trò và phạm vi"), {"fields": ("role", "province", "peer_group", "provider")}),
    )


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "user", "what")
    list_filter = ("kind",)
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The audit trail is read-only in the admin too: django-auditlog's own admin already refuses
# add and change, and allows delete when a deletion elsewhere cascades; here delete is refused
# everywhere, so no admin screen can remove an audit row.
admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ReadOnlyLogEntryAdmin(LogEntryAdmin):
    def has_delete_permission(self, request, obj=None):
        return False
