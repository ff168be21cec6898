"""Names of the indicators and breakdowns on screen and in exports (Vietnamese msgids)."""

from django.utils.translation import gettext_lazy as _

INDICATOR_LABELS = {
    "sites_active": _("Địa bàn đang hoạt động"),
    "sites_active_pilot": _("Địa bàn thí điểm đang hoạt động"),
    "sites_active_control": _("Địa bàn đối chứng đang hoạt động"),
    "sites_active_scale_up": _("Địa bàn nhân rộng đang hoạt động"),
    "reached": _("Số người được tiếp cận"),
    "reached_by_peer_groups": _("Số người được nhóm đồng đẳng tiếp cận"),
    "reached_with_need": _("Số người được tiếp cận có nhu cầu"),
    "referred": _("Số người có nhu cầu được chuyển gửi"),
    "referred_pct": _("Tỷ lệ người có nhu cầu được chuyển gửi (%)"),
    "referrals_made": _("Số lượt chuyển gửi"),
    "referrals_completed": _("Số lượt chuyển gửi hoàn thành"),
    "referral_completion_pct": _("Tỷ lệ chuyển gửi hoàn thành (%)"),
    "workers_assessed": _("Số người lao động được đánh giá"),
    "workers_rights_ensured": _("Số người lao động được bảo đảm quyền"),
    "workers_rights_ensured_pct": _("Tỷ lệ người lao động được bảo đảm quyền (%)"),
    "establishments_assessed": _("Số cơ sở được đánh giá"),
    "establishments_compliant": _("Số cơ sở thực hiện đúng trách nhiệm"),
    "establishments_compliant_pct": _("Tỷ lệ cơ sở thực hiện đúng trách nhiệm (%)"),
    "peer_group_members": _("Thành viên nhóm đồng đẳng"),
    "trainings": _("Số lớp tập huấn"),
    "trainees": _("Số học viên"),
    "total_cost_vnd": _("Tổng chi phí (VNĐ)"),
    "cost_per_reached_vnd": _("Chi phí cho mỗi người được tiếp cận (VNĐ)"),
}

# Columns of the cost tables that are not indicators of their own.
COST_LABELS = {
    "cost_per_completed_referral_vnd": _("Chi phí cho mỗi lượt chuyển gửi hoàn thành (VNĐ)"),
    "site_years": _("Năm-địa bàn"),
    "cost_per_site_year_vnd": _("Chi phí cho mỗi năm-địa bàn (VNĐ)"),
}

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
