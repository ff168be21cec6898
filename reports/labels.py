"""Names of the indicators and breakdowns on screen and in exports (Vietnamese msgids)."""

from django.utils.translation import gettext_lazy as _

from . import catalogue

# The indicators' names, and those of the cost tables' own columns, are in the catalogue.
INDICATOR_LABELS = catalogue.INDICATOR_LABELS
COST_LABELS = catalogue.COST_LABELS

BREAKDOWN_TITLES = {
    "sex": _("Người được tiếp cận theo giới tính"),
    "age_group": _("Người được tiếp cận theo nhóm tuổi (tính đến cuối kỳ)"),
    "residence": _("Người được tiếp cận theo tình trạng cư trú"),
    "category": _("Người được tiếp cận theo nhóm đối tượng"),
    "model": _("Người được tiếp cận theo mô hình"),
    "region": _("Người được tiếp cận theo vùng"),
}

AGE_GROUP_LABELS = {
    "<18": _("Dưới 18"),
    "18-24": _("18–24"),
    "25-34": _("25–34"),
    "35-49": _("35–49"),
    "50+": _("Từ 50 trở lên"),
}
