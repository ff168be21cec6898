"""The navigation bar: which pages each role is offered. An app adds its pages here."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .access import EVERY_ROLE
from .models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset
    # Items of one group share a drop-down menu in the header; None = a top-level link.
    group: str | None = None


_STRUCTURE_READERS = frozenset({Role.OFFICER, Role.MINISTRY, Role.ADMIN})
_CASE_WORKERS = frozenset({Role.PEER_LEADER, Role.OFFICER, Role.ADMIN})
_EDITORS = frozenset({Role.OFFICER, Role.ADMIN})

STRUCTURE = _("Địa bàn")
PARTICIPANTS = _("Người tham gia")
REFERRALS = _("Chuyển gửi")
ADMINISTRATION = _("Quản trị")
DATA_PROTECTION = _("Dữ liệu cá nhân")
REPORTS = _("Báo cáo")

NAV_ITEMS = [
    NavItem(_("Trang chủ"), "home", EVERY_ROLE),
    NavItem(_("Ghi nhận tiếp cận"), "participants:contact_new", _CASE_WORKERS),
    NavItem(_("Người tham gia"), "participants:participant_list", _CASE_WORKERS, PARTICIPANTS),
    NavItem(_("Ghi danh"), "participants:enrol", _CASE_WORKERS, PARTICIPANTS),
    NavItem(_("Lần tiếp cận"), "participants:contact_list", _CASE_WORKERS, PARTICIPANTS),
    NavItem(_("Đánh giá quyền NLĐ"), "participants:rights_assessment_list", _EDITORS, PARTICIPANTS),
    NavItem(
        _("Đánh giá cơ sở"), "participants:establishment_assessment_list", _EDITORS, PARTICIPANTS
    ),
    NavItem(_("Theo dõi chuyển gửi"), "referrals:followup", _CASE_WORKERS, REFERRALS),
    NavItem(
        _("Chuyển gửi"),
        "referrals:referral_list",
        frozenset({Role.OFFICER, Role.PEER_LEADER, Role.PROVIDER, Role.ADMIN}),
        REFERRALS,
    ),
    NavItem(_("Hỗ trợ"), "referrals:support_list", _EDITORS, REFERRALS),
    NavItem(_("Cơ sở dịch vụ"), "referrals:provider_list", EVERY_ROLE, REFERRALS),
    NavItem(_("Nhóm của tôi"), "sites:peergroup_mine", frozenset({Role.PEER_LEADER})),
    NavItem(_("Địa bàn"), "sites:site_list", _STRUCTURE_READERS, STRUCTURE),
    NavItem(_("Nhóm đồng đẳng"), "sites:peergroup_list", _STRUCTURE_READERS, STRUCTURE),
    NavItem(
        _("Cơ sở kinh doanh dịch vụ"), "sites:establishment_list", _STRUCTURE_READERS, STRUCTURE
    ),
    NavItem(_("Chi phí"), "sites:cost_list", _STRUCTURE_READERS, STRUCTURE),
    NavItem(_("Lớp tập huấn"), "sites:training_list", _STRUCTURE_READERS, STRUCTURE),
    NavItem(_("Nhập dữ liệu"), "exchange:import", _EDITORS, STRUCTURE),
    NavItem(
        _("Bảng chỉ số"),
        "reports:dashboard",
        frozenset({Role.MINISTRY, Role.ADMIN, Role.OFFICER, Role.PEER_LEADER}),
        REPORTS,
    ),
    NavItem(
        _("Trình và phê duyệt"),
        "reports:cycle",
        frozenset({Role.MINISTRY, Role.ADMIN, Role.OFFICER}),
        REPORTS,
    ),
    NavItem(
        _("Bản đã công bố"),
        "reports:release_list",
        frozenset({Role.MINISTRY, Role.ADMIN, Role.OFFICER}),
        REPORTS,
    ),
    NavItem(_("Nhật ký kiểm toán"), "audit_log", frozenset({Role.ADMIN}), ADMINISTRATION),
    NavItem(
        _("Xác thực hai lớp"), "otp_setup", frozenset({Role.MINISTRY, Role.ADMIN}), ADMINISTRATION
    ),
    NavItem(
        _("Tóm tắt dữ liệu cho người tham gia"),
        "privacy:access_summary",
        _EDITORS,
        DATA_PROTECTION,
    ),
    NavItem(
        _("Xoá dữ liệu theo yêu cầu"), "privacy:erasure", frozenset({Role.ADMIN}), DATA_PROTECTION
    ),
    NavItem(
        _("Sổ các lần xoá dữ liệu"),
        "privacy:erasure_list",
        frozenset({Role.ADMIN}),
        DATA_PROTECTION,
    ),
    NavItem(
        _("Cảnh báo thu thập dữ liệu"),
        "privacy:alert_list",
        frozenset({Role.ADMIN}),
        DATA_PROTECTION,
    ),
    NavItem(_("Hồ sơ đánh giá tác động"), "privacy:dossier", _STRUCTURE_READERS, DATA_PROTECTION),
]


def items_for(user):
    if not user.is_authenticated or user.role not in Role.values:
        return []
    return [item for item in NAV_ITEMS if user.role in item.roles]
