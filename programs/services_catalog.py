"""The support services a participant may need or be referred to (docs/exchange.md's list).

A contact's needs and a provider's services are sets of these codes. They are stored as one
integer bit mask (`ServiceSetField`) rather than a join table: the indicator queries over
millions of contacts then only test `needs <> 0` or `needs & bit <> 0` on the row itself.
"""

from django.db import models
from django.db.models import Lookup
from django.utils.translation import gettext_lazy as _


class Service(models.TextChoices):
    HEALTH_CHECK = "health_check", _("Khám sức khỏe")
    HIV_STI = "hiv_sti", _("HIV/STI")
    REPRODUCTIVE_HEALTH = "reproductive_health", _("Sức khỏe sinh sản")
    LEGAL_AID = "legal_aid", _("Trợ giúp pháp lý")
    VOCATIONAL_TRAINING = "vocational_training", _("Học nghề")
    LOAN = "loan", _("Vay vốn")
    JOB_PLACEMENT = "job_placement", _("Giới thiệu việc làm")
    HEALTH_INSURANCE = "health_insurance", _("Thẻ bảo hiểm y tế")
    SOCIAL_INSURANCE = "social_insurance", _("Bảo hiểm xã hội tự nguyện")
    COUNSELLING = "counselling", _("Tư vấn tâm lý")
    GBV_SUPPORT = "gbv_support", _("Hỗ trợ phòng, chống bạo lực giới")
    SHELTER = "shelter", _("Nơi tạm lánh")
    OTHER = "other", _("Khác")


# The bit of each service is fixed by its position here: never reorder, only append.
SERVICE_BITS = {code: 1 << index for index, code in enumerate(Service.values)}


def services_to_mask(codes):
    """{'loan', 'legal_aid'} -> int. Unknown codes raise KeyError."""
    mask = 0
    for code in codes:
        mask |= SERVICE_BITS[code]
    return mask


def mask_to_services(mask):
    """int -> the codes it holds, in the catalogue's order."""
    return [code for code, bit in SERVICE_BITS.items() if mask & bit]


class ServiceSetField(models.Field):
    """A set of Service codes in Python (a list, in catalogue order), an integer bit mask in
    the database. Query with `needs__has="loan"` (holds that service) or `needs__any=True`
    (holds at least one). Forms show it as a list of check boxes."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def get_internal_type(self):
        return "PositiveIntegerField"

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(
            **{
                "form_class": forms.MultipleChoiceField,
                "choices": Service.choices,
                "widget": forms.CheckboxSelectMultiple,
                **kwargs,
            }
        )

    def from_db_value(self, value, expression, connection):
        return None if value is None else mask_to_services(value)

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        if isinstance(value, int):
            return mask_to_services(value)
        return list(value)

    def get_prep_value(self, value):
        if value is None or isinstance(value, int):
            return value
        return services_to_mask(value)

    def value_to_string(self, obj):
        return ";".join(self.value_from_object(obj) or [])


@ServiceSetField.register_lookup
class HasService(Lookup):
    lookup_name = "has"
    # The right-hand side is one service code; it must not go through get_prep_value (a set).
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"({lhs} & %s) <> 0", [*lhs_params, SERVICE_BITS[self.rhs]]


@ServiceSetField.register_lookup
class HasAnyService(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        operator = "<>" if self.rhs else "="
        return f"{lhs} {operator} 0", lhs_params
