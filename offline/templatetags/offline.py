"""The offline queue's hooks in the base layout: `{% offline_queue %}` renders the queue's
panel with what the page scripts need (who is signed in, the server's public key, the URLs
and the messages, translated)."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role
from offline import keys, pwa
from offline.models import Submission

register = template.Library()


def _counted(translate):
    """A message with a count in the forms the page script picks from ("one", "other");
    "{n}" stands for the count. `translate(n)` is the message's ngettext call."""
    return {"one": translate(1) % {"n": "{n}"}, "other": translate(2) % {"n": "{n}"}}


def queue_messages():
    """Every message of the page script's queue, in the user's language."""
    return {**_queue_states(), **_other_account_messages(), **_help_messages()}


def _queue_states():
    return {
        "kinds": dict(Submission.Kind.choices),
        "states": {
            "waiting": _("Đang chờ gửi"),
            "sent": _("Đã gửi"),
            "refused": _("Bị từ chối"),
        },
        "badge": _counted(lambda n: ngettext("%(n)s mục chờ gửi", "%(n)s mục chờ gửi", n)),
        "badge_refused": _counted(
            lambda n: ngettext("%(n)s mục bị từ chối", "%(n)s mục bị từ chối", n)
        ),
        "queued": _(
            "Chưa gửi được vì mất mạng: đã lưu vào hàng chờ trên máy (đã mã hoá). Sẽ tự gửi "
            "khi có mạng."
        ),
        "queued_expired": _(
            "Phiên đăng nhập đã hết hạn: đã lưu vào hàng chờ trên máy (đã mã hoá). Hãy đăng "
            "nhập lại để gửi."
        ),
        "offline": _("Đang mất mạng. Các mục đang chờ sẽ tự gửi khi có mạng."),
        "expired": _("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại để gửi các mục đang chờ."),
        "sending": _("Đang gửi…"),
        "done": _("Đã gửi xong. Được ghi nhận: {sent}. Bị từ chối: {refused}."),
        "failed": _("Máy chủ chưa nhận được (lỗi {status}). Sẽ thử lại sau."),
        "refused_help": _(
            "Mục bị từ chối không được ghi nhận. Xem lý do, sửa bằng cách nhập lại, rồi bỏ mục "
            "khỏi máy."
        ),
    }


def _other_account_messages():
    """The messages about items left by someone signed out or by another account."""
    return {
        "anonymous": _counted(
            lambda n: ngettext(
                "Máy này có %(n)s mục đang chờ gửi. Hãy đăng nhập để gửi.",
                "Máy này có %(n)s mục đang chờ gửi. Hãy đăng nhập để gửi.",
                n,
            )
        ),
        "other_user": _counted(
            lambda n: ngettext(
                "Máy này còn %(n)s mục chưa gửi của một tài khoản khác. Chỉ tài khoản đó gửi được: "
                "hãy đăng nhập bằng tài khoản đó, hoặc xoá các mục này (sẽ mất hẳn).",
                "Máy này còn %(n)s mục chưa gửi của một tài khoản khác. Chỉ tài khoản đó gửi được: "
                "hãy đăng nhập bằng tài khoản đó, hoặc xoá các mục này (sẽ mất hẳn).",
                n,
            )
        ),
        "discard_confirm": _counted(
            lambda n: ngettext(
                "Xoá %(n)s mục chưa gửi của tài khoản khác? Các mục này sẽ mất hẳn.",
                "Xoá %(n)s mục chưa gửi của tài khoản khác? Các mục này sẽ mất hẳn.",
                n,
            )
        ),
        "signout_confirm": _counted(
            lambda n: ngettext(
                "Còn %(n)s mục chưa gửi được. Nếu đăng xuất, các mục này sẽ bị xoá khỏi máy và mất "
                "hẳn. Vẫn đăng xuất?",
                "Còn %(n)s mục chưa gửi được. Nếu đăng xuất, các mục này sẽ bị xoá khỏi máy và mất "
                "hẳn. Vẫn đăng xuất?",
                n,
            )
        ),
    }


def _help_messages():
    return {
        "no_crypto": _(
            "Trình duyệt này không mã hoá được nên không lưu được khi mất mạng. Hãy gửi lại khi "
            "có mạng."
        ),
        "person_unknown": _("không rõ người"),
        "retry_help": _(
            "Việc cần làm: sửa điều nêu trên trên hệ thống (ví dụ ghi danh người này), rồi bấm "
            "“Gửi lại”."
        ),
        "final_help": _(
            "Mục này không gửi lại được. Việc cần làm: nhập lại cho người này trên trang khi có "
            "mạng, rồi bấm “Bỏ khỏi máy”."
        ),
        "new_person_needed": _(
            "Chưa có mạng nên chưa biết người này đã có trong danh sách chưa. Trả lời thêm phần "
            "“Nếu là người mới”, rồi bấm lưu lần nữa."
        ),
        "remove": _("Bỏ khỏi máy"),
        "retry": _("Gửi lại"),
        "code_known": _("Mã có trong danh sách của nhóm."),
        "code_unknown": _("Mã này không có trong danh sách của nhóm đã lưu trên máy."),
    }


@register.inclusion_tag("offline/_queue.html", takes_context=True)
def offline_queue(context):
    request = context["request"]
    user = request.user
    signed_in = user.is_authenticated and user.role in (
        Role.PEER_LEADER,
        Role.OFFICER,
        Role.ADMIN,
    )
    config = {
        "user": user.pk if signed_in else "",
        "leader": signed_in and user.role == Role.PEER_LEADER,
        "rendered_on": timezone.localdate().isoformat(),
        "pages_cache": pwa.PAGES_CACHE,
        "login_url": reverse("login"),
    }
    if signed_in:
        config.update(kid=keys.key_id(keys.current_key()), key=keys.public_key_spki())
    return {"config": config, "texts": queue_messages()}
