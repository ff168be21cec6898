from django.contrib import admin

from accounts.admin import ProgrammeDataAdmin

from .models import Contact, Enrolment, EstablishmentAssessment, Participant, RightsAssessment


@admin.register(Participant)
class ParticipantAdmin(ProgrammeDataAdmin):
    list_display = ("code", "category", "sex", "birth_year", "residence", "withdrawn_on")
    list_filter = ("category", "sex", "residence")
    search_fields = ("code",)
    exclude = ("uic_hash",)


@admin.register(Enrolment)
class EnrolmentAdmin(ProgrammeDataAdmin):
    list_display = ("participant", "site", "peer_group", "enrolled_on")
    list_select_related = ("participant", "site", "peer_group")
    raw_id_fields = ("participant",)


@admin.register(Contact)
class ContactAdmin(ProgrammeDataAdmin):
    list_display = ("participant", "date", "site", "peer_group", "kind")
    list_select_related = ("participant", "site", "peer_group")
    raw_id_fields = ("participant",)


@admin.register(RightsAssessment)
class RightsAssessmentAdmin(ProgrammeDataAdmin):
    list_display = ("participant", "establishment", "date")
    list_select_related = ("participant", "establishment")
    raw_id_fields = ("participant",)


@admin.register(EstablishmentAssessment)
class EstablishmentAssessmentAdmin(ProgrammeDataAdmin):
    list_display = ("establishment", "date")
    list_select_related = ("establishment",)
