"""The demo installation `make run` shows: demo accounts for every role, tied to the places the
source articles name. Clearly fictional; safe to run again (it changes nothing the second time).
"""

import datetime

from accounts.models import Role, User
from programs.models import InterventionModel, Phase
from referrals.models import Provider
from sites.models import PeerGroup, Province, Site

DEMO_PASSWORD = "demo-pcmd-2025"  # noqa: S105  (printed on the console; demo only)


def _province(code, unit_set="legacy"):
    return Province.objects.get(unit_set=unit_set, code=code)


def ensure_demo_structure():
    """The Hà Nội peer-group site with the 'Sao đêm' group and a provider, which the demo
    accounts need."""
    hoang_mai, _ = Site.objects.get_or_create(
        code="HN-HOANGMAI-PG",
        defaults={
            "name": "Hoàng Mai — nhóm đồng đẳng",
            "province": _province("01"),
            "locality": "Quận Hoàng Mai",
            "model": InterventionModel.objects.get(code="peer_groups"),
            "role": Site.SiteRole.PILOT,
            "phase": Phase.objects.get(code="2016-2020"),
            "start_date": datetime.date(2016, 9, 1),
        },
    )
    sao_dem, _ = PeerGroup.objects.get_or_create(
        code="HN-SAODEM",
        defaults={
            "name": "Sao đêm",
            "site": hoang_mai,
            "kind": PeerGroup.Kind.PEER_GROUP,
            "founded_on": datetime.date(2017, 3, 8),
            "members": 10,
            "board_members": 3,
        },
    )
    provider, _ = Provider.objects.get_or_create(
        name="Trung tâm Công tác xã hội Hà Nội (demo)",
        defaults={
            "province": _province("01", "2025"),
            "services": ["health_check", "counselling", "vocational_training", "legal_aid"],
            "location": "Phường Hoàng Mai",
            "accepts_without_residence": True,
            "eligibility": "Phụ nữ từ 16 tuổi trở lên",
            "contact_channel": "Đường dây nóng của trung tâm",
        },
    )
    return sao_dem, provider


def ensure_demo_accounts():
    """One account per role; returns (username, role label, scope) rows to print."""
    sao_dem, provider = ensure_demo_structure()
    specs = [
        ("admin", Role.ADMIN, {"is_staff": True, "is_superuser": True}),
        ("bo.ldtbxh", Role.MINISTRY, {}),
        ("canbo.hanoi", Role.OFFICER, {"province": _province("01", "2025")}),
        ("canbo.cantho", Role.OFFICER, {"province": _province("92", "2025")}),
        ("truongnhom.saodem", Role.PEER_LEADER, {"peer_group": sao_dem}),
        ("dichvu.ctxh", Role.PROVIDER, {"provider": provider}),
    ]
    rows = []
    for username, role, extra in specs:
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, **extra}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        rows.append((username, user.get_role_display(), user.scope_label))
    return rows
