from django.contrib import admin

from .models import Provider, Referral, ReferralEvent, Support


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "accepts_without_residence", "is_active")
    list_filter = ("accepts_without_residence", "is_active")
    search_fields = ("name",)


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    readonly_fields = ("from_status", "to_status", "at", "by")
    can_delete = False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("participant", "date", "site", "service", "provider", "status")
    list_filter = ("status", "service")
    list_select_related = ("participant", "site", "provider")
    raw_id_fields = ("participant",)
    readonly_fields = ("status",)
    inlines = [ReferralEventInline]


@admin.register(Support)
class SupportAdmin(admin.ModelAdmin):
    list_display = ("participant", "date", "kind", "amount_vnd")
    list_select_related = ("participant",)
    raw_id_fields = ("participant", "referral")
