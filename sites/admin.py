from django.contrib import admin

from accounts.admin import ProgrammeDataAdmin

from .models import Cost, Establishment, PeerGroup, Province, Region, Site, Training


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order")


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit_set", "region", "current", "locality_count")
    list_filter = ("unit_set", "region")
    list_select_related = ("region", "current")
    search_fields = ("name", "code")


@admin.register(Site)
class SiteAdmin(ProgrammeDataAdmin):
    list_display = ("code", "name", "province", "model", "role", "start_date", "end_date")
    list_filter = ("model", "role", "is_active")
    list_select_related = ("province", "model")
    search_fields = ("code", "name", "locality")


@admin.register(Establishment)
class EstablishmentAdmin(ProgrammeDataAdmin):
    list_display = ("code", "site", "kind", "workers", "is_active")
    list_select_related = ("site",)
    list_filter = ("kind", "is_active")
    search_fields = ("code", "site__code")


@admin.register(PeerGroup)
class PeerGroupAdmin(ProgrammeDataAdmin):
    list_display = ("code", "name", "site", "kind", "members", "board_members", "is_active")
    list_select_related = ("site",)
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")


@admin.register(Cost)
class CostAdmin(ProgrammeDataAdmin):
    list_display = ("site", "date", "category", "amount_vnd")
    list_select_related = ("site",)
    list_filter = ("category",)
    date_hierarchy = "date"


@admin.register(Training)
class TrainingAdmin(ProgrammeDataAdmin):
    list_display = ("site", "date", "audience", "trainees")
    list_select_related = ("site",)
    list_filter = ("audience",)
    date_hierarchy = "date"
