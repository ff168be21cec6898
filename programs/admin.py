from django.contrib import admin

from .models import InterventionModel, Phase, Target


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "decision", "start_date", "end_date")


@admin.register(InterventionModel)
class InterventionModelAdmin(admin.ModelAdmin):
    list_display = ("code", "short_name", "order")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("phase", "indicator", "value")
    list_filter = ("phase",)
