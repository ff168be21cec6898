"""What the system holds about people, for the impact-assessment dossier and for erasure.

Which models hold personal data is computed from the running system (`personal_data_models`):
a model with a relation to a participant record, to the national identity behind it, to another
such model, or to a user account. Why each is held, how long and what erasure does to it are
written here by hand, one entry per model; tests/privacy/test_dossier.py fails when a model
appears that has no entry, so a new table cannot be left out of the dossier.
"""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from participants.models import Participant, Person


def _linked_to(model, targets):
    return any(
        field.is_relation
        and (field.many_to_one or field.one_to_one)
        and field.related_model in targets
        for field in model._meta.concrete_fields
    )


def participant_data_models():
    """Person, Participant and every model related to one of them, directly or through another
    such model (a referral's history through its referral)."""
    found = {Person, Participant}
    models = apps.get_models()
    while True:
        more = {model for model in models if model not in found and _linked_to(model, found)}
        if not more:
            return found
        found |= more


def personal_data_models():
    """Participant data, user accounts and every model related to an account."""
    user = get_user_model()
    accounts = {model for model in apps.get_models() if _linked_to(model, {user})}
    return participant_data_models() | accounts | {user}


@dataclass(frozen=True)
class Holding:
    purpose: str
    retention: str
    # What erasing a participant does to these rows (participant data only).
    on_erasure: str = ""


def _participant_retention():
    return gettext(
        "%(years)s năm sau lần hoạt động cuối cùng hoặc ngày rút khỏi chương trình, lấy ngày "
        "muộn hơn (PARTICIPANT_RETENTION_YEARS); sau đó lệnh erase_expired xoá định danh."
    ) % {"years": settings.PARTICIPANT_RETENTION_YEARS}


def _session_retention():
    return gettext(
        "Hết hiệu lực sau %(minutes)s phút không thao tác; lệnh clearsessions chạy hằng ngày xoá "
        "các phiên đã hết hạn."
    ) % {"minutes": settings.SESSION_COOKIE_AGE // 60}


RETENTION = {
    "participant": _participant_retention,
    "audit": lambda: gettext(
        "Lâu dài, để kiểm toán; khi một người tham gia bị xoá, các mục nhắc tới hồ sơ của họ bị "
        "xoá nội dung (chỉ còn ai, khi nào, loại thao tác)."
    ),
    "account": lambda: gettext(
        "Trong thời gian tài khoản được dùng; tài khoản nghỉ được khoá chứ không xoá, vì nhật ký "
        "kiểm toán dẫn tới nó."
    ),
    "session": _session_retention,
    "login_log": lambda: (
        gettext(
            "Xoá định kỳ bằng lệnh axes_reset_logs (README, mục Data protection); khoá đăng "
            "nhập hết sau %(minutes)s phút."
        )
        % {"minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)}
    ),
    "cycle": lambda: gettext("Lâu dài: là hồ sơ của chu kỳ báo cáo."),
    "privacy": lambda: gettext("Lâu dài: là bằng chứng tuân thủ Luật Bảo vệ dữ liệu cá nhân."),
}

KEPT_DETACHED = _(
    "Giữ ngày, địa bàn và các cờ cần cho chỉ số, tách khỏi mọi định danh; liên kết tới cán bộ "
    "bị xoá; ẩn với mọi người."
)

INVENTORY = {
    "participants.person": Holding(
        _(
            "Định danh toàn quốc của một người: chỉ mã băm HMAC-SHA256 của mã UIC, để một người "
            "gặp ở hai tỉnh được đếm một lần. Không ai xem được."
        ),
        "participant",
        _(
            "Mã băm bị xoá, thay bằng một giá trị không ứng với mã UIC nào: không câu trả lời nào "
            "tìm lại được người này; trả lời lại sẽ ghi danh một người mới."
        ),
    ),
    "participants.personprofile": Holding(
        _(
            "Hồ sơ tổng hợp toàn quốc của một người, suy ra từ các hồ sơ của tỉnh: giới tính và "
            "năm sinh (khi các tỉnh ghi giống nhau), nhóm đối tượng và tình trạng cư trú của lần "
            "ghi danh gần nhất; chỉ dùng để tính bảng số liệu toàn quốc. Không ai xem được."
        ),
        "participant",
        _(
            "Giữ như các hồ sơ của tỉnh mà nó suy ra (giới tính, năm sinh, nhóm đối tượng, tình "
            "trạng cư trú cho các bảng số liệu), gắn với định danh toàn quốc đã bị xoá mã băm."
        ),
    ),
    "participants.participant": Holding(
        _(
            "Hồ sơ của một tỉnh về người tham gia: mã hiển thị, nhóm đối tượng, giới tính, năm "
            "sinh, tình trạng cư trú, ngày đồng ý tham gia, ngày rút khỏi chương trình."
        ),
        "participant",
        _(
            "Mã hiển thị được thay bằng một mã nội bộ không bao giờ hiện ra; ngày đồng ý và ngày "
            "rút thay bằng ngày ghi danh đầu tiên; chỉ còn giới tính, năm sinh, nhóm đối tượng, "
            "tình trạng cư trú cho các bảng số liệu; hồ sơ bị ẩn với mọi người."
        ),
    ),
    "participants.enrolment": Holding(
        _("Ghi danh tại một địa bàn: ngày, nhóm đồng đẳng, cán bộ ghi danh."),
        "participant",
        KEPT_DETACHED,
    ),
    "participants.contact": Holding(
        _("Lần tiếp cận: ngày, địa bàn, nhóm đồng đẳng, hình thức, nhu cầu phát hiện."),
        "participant",
        KEPT_DETACHED,
    ),
    "participants.rightsassessment": Holding(
        _("Đánh giá quyền của người lao động tại một cơ sở kinh doanh dịch vụ."),
        "participant",
        KEPT_DETACHED,
    ),
    "referrals.referral": Holding(
        _(
            "Chuyển gửi tới dịch vụ: dịch vụ, cơ sở, trạng thái, sự đồng ý chia sẻ thông tin, cán "
            "bộ chuyển gửi."
        ),
        "participant",
        _(
            "Giữ cho chỉ số, tách khỏi mọi định danh; chuyển gửi còn mở được đóng là “Mất dấu”; "
            "liên kết tới cán bộ bị xoá; ẩn với mọi người, kể cả cơ sở dịch vụ."
        ),
    ),
    "referrals.referralevent": Holding(
        _("Lịch sử trạng thái của một chuyển gửi: ngày, người thực hiện."),
        "participant",
        KEPT_DETACHED,
    ),
    "referrals.support": Holding(
        _("Hỗ trợ đã cấp (loại, số tiền) cho phân tích chi phí."),
        "participant",
        KEPT_DETACHED,
    ),
    "privacy.erasedrecord": Holding(
        _(
            "Dấu cho biết một hồ sơ đã bị xoá định danh; không có ngày, không dẫn tới giấy xác "
            "nhận xoá."
        ),
        "participant",
        _("Được tạo khi xoá."),
    ),
    "accounts.user": Holding(
        _(
            "Tài khoản cán bộ: tên đăng nhập, họ tên, thư điện tử, vai trò, đơn vị; mật khẩu chỉ "
            "lưu dạng băm."
        ),
        "account",
    ),
    "accounts.activityevent": Holding(
        _(
            "Nhật ký hoạt động: đăng nhập, xuất, nhập, xem trang người tham gia, tra cứu (có hay "
            "không thấy, không lưu điều đã nhập); dùng để kiểm toán và phát hiện thu thập bất "
            "thường."
        ),
        "audit",
    ),
    "auditlog.logentry": Holding(
        _("Lịch sử thay đổi bản ghi: ai, khi nào, giá trị trước và sau, địa chỉ IP của cán bộ."),
        "audit",
    ),
    "admin.logentry": Holding(
        _("Thao tác của quản trị viên trong trang quản trị Django."), "audit"
    ),
    "otp_totp.totpdevice": Holding(
        _("Khoá bí mật của xác thực hai lớp của một tài khoản."), "account"
    ),
    "sessions.session": Holding(
        _(
            "Phiên đăng nhập; giữa hai bước ghi danh giữ mã băm UIC, giới tính và năm sinh trên "
            "máy chủ."
        ),
        "session",
    ),
    "axes.accessattempt": Holding(
        _("Lần đăng nhập sai: tên đăng nhập, địa chỉ IP, trình duyệt; để chống dò mật khẩu."),
        "login_log",
    ),
    "axes.accessattemptexpiration": Holding(
        _("Thời điểm hết khoá của một lần đăng nhập sai."), "login_log"
    ),
    "axes.accesslog": Holding(
        _("Lần đăng nhập, đăng xuất: tên đăng nhập, địa chỉ IP, trình duyệt."), "login_log"
    ),
    "axes.accessfailurelog": Holding(
        _("Chi tiết lần đăng nhập sai: tên đăng nhập, địa chỉ IP, trình duyệt."), "login_log"
    ),
    "periods.submissionevent": Holding(
        _("Ai trình, trả lại, phê duyệt, mở lại báo cáo kỳ của tỉnh, khi nào, với ý kiến gì."),
        "cycle",
    ),
    "reports.release": Holding(_("Ai công bố số liệu của một kỳ, khi nào."), "cycle"),
    "offline.submission": Holding(
        _(
            "Kết quả các mục gửi từ điện thoại khi mất mạng: người gửi, loại, mã hiển thị của "
            "người tham gia (xoá khi người đó bị xoá), lý do từ chối."
        ),
        "audit",
    ),
    "privacy.erasurerun": Holding(
        _("Sổ các lần xoá: loại, thời điểm, người thực hiện, số người và số bản ghi."),
        "privacy",
    ),
    "privacy.harvestalert": Holding(
        _("Cảnh báo thu thập dữ liệu bất thường: tài khoản, dấu hiệu, giờ, số lần, người đã xem."),
        "privacy",
    ),
}

# What each role may reach (docs/design.md "Roles and scope"; accounts.access and each model's
# `visible_to`), as the dossier states it.
ROLE_ACCESS = {
    Role.MINISTRY: _(
        "Chỉ số liệu tổng hợp toàn quốc; không mở trang nào về từng người tham gia. Số liệu công "
        "bố ẩn các ô nhỏ."
    ),
    Role.OFFICER: _(
        "Hồ sơ người tham gia, lần tiếp cận, đánh giá, chuyển gửi, hỗ trợ của tỉnh mình; nhập và "
        "xuất dữ liệu của tỉnh; in tóm tắt dữ liệu cho người tham gia. Không thấy gì của tỉnh "
        "khác."
    ),
    Role.PEER_LEADER: _(
        "Người tham gia mà nhóm mình đã ghi danh hoặc tiếp cận; ghi nhận tiếp cận, ghi danh, "
        "chuyển gửi. Không xuất toàn tỉnh, không sửa hồ sơ."
    ),
    Role.PROVIDER: _("Chỉ các chuyển gửi tới cơ sở của mình, để tiếp nhận và ghi kết quả."),
    Role.ADMIN: _(
        "Toàn bộ dữ liệu; nhật ký kiểm toán, cảnh báo thu thập bất thường, xoá dữ liệu theo "
        "yêu cầu. Tài khoản nên bật xác thực hai lớp."
    ),
}

# The internal rules under which sensitive data are handled, as the dossier states them.
INTERNAL_RULES = (
    _(
        "Không lưu tên, số giấy tờ, số điện thoại, địa chỉ hay ảnh của người tham gia; chỉ lưu mã "
        "băm HMAC-SHA256 (khoá UIC_SECRET) của mã UIC."
    ),
    _(
        "Câu trả lời UIC (tên cha mẹ, ngày sinh) không được lưu, ghi nhật ký hay hiện lại; các "
        "trang nhận chúng được che khỏi mọi báo cáo lỗi."
    ),
    _(
        "Mỗi vai trò chỉ thấy phạm vi của mình; một bản ghi ngoài phạm vi được trả lời như không "
        "tồn tại. Trang không khai báo ai được dùng bị từ chối với mọi người."
    ),
    _(
        "Mọi thay đổi, đăng nhập, xuất, nhập, xem hồ sơ và tra cứu đều được ghi nhật ký; hoạt "
        "động giống thu thập hàng loạt gây cảnh báo cho quản trị viên."
    ),
    _("Số liệu công bố ẩn các ô nhỏ hơn ngưỡng, kèm ẩn bổ sung để không suy ra được ô đã ẩn."),
    _(
        "Dữ liệu chỉ được lưu trong thời hạn quy định; người tham gia được in tóm tắt dữ liệu về "
        "mình và được xoá theo yêu cầu."
    ),
    _(
        "Đăng nhập sai nhiều lần bị khoá; phiên hết hạn khi không thao tác; tài khoản toàn quốc "
        "dùng xác thực hai lớp."
    ),
)


def holding(model):
    """The INVENTORY entry of `model`, or None."""
    return INVENTORY.get(model._meta.label_lower)


def retention_text(holding_):
    return RETENTION[holding_.retention]()
