from django.contrib import admin

from accounts.admin import ProgrammeDataAdmin

from .models import Provider, Referral, ReferralEvent, Support


@admin.register(Provider)
class ProviderAdmin(ProgrammeDataAdmin):
    list_display = ("name", "province", "accepts_without_residence", "is_active")
    list_filter = ("accepts_without_residence", "is_active")
    search_fields = ("name",)


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    readonly_fields = ("from_status", "to_status", "at", "by")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(ProgrammeDataAdmin):
    list_display = ("participant", "date", "site", "service", "provider", "status")
    list_filter = ("status", "service")
    list_select_related = ("participant", "site", "provider")
    raw_id_fields = ("participant",)
    readonly_fields = ("status",)
    inlines = [ReferralEventInline]


@admin.register(Support)
class SupportAdmin(ProgrammeDataAdmin):
    list_display = ("participant", "date", "kind", "amount_vnd")
    list_select_related = ("participant",)
    raw_id_fields = ("participant", "referral")
