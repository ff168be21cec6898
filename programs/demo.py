"""The demo installation `make run` shows: demo accounts for every role, tied to the places the
source articles name, and a demo data set shaped by those articles (DOMAIN.md): the named
sites, clubs and figures, 2014/2016–2025, with fictional people. Everything is drawn from a seeded
random.Random, so every installation shows the same numbers. Safe to run again: it changes
nothing the second time.
"""

import datetime
import random

from accounts.models import Role, User
from participants.models import (
    CODE_ALPHABET,
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    Person,
    RightsAssessment,
)
from participants.uic import build_uic, uic_hash
from programs.models import InterventionModel, Phase
from referrals.models import Provider, Referral, ReferralEvent, Support
from sites.models import Cost, Establishment, PeerGroup, Province, Site, Training

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
    # With the demo data set: the officer of TP. Hồ Chí Minh, the leader of the Cần Thơ club
    # "Ánh Dương" and the staff of the Cần Thơ vocational school.
    anh_duong = PeerGroup.objects.filter(code="CT-ANHDUONG").first()
    school = Provider.objects.filter(name__startswith="Trung tâm dạy nghề tóc — móng").first()
    specs.append(("canbo.hcm", Role.OFFICER, {"province": _province("79", "2025")}))
    if anh_duong:
        specs.append(("truongnhom.anhduong", Role.PEER_LEADER, {"peer_group": anh_duong}))
    if school:
        specs.append(("dichvu.cantho", Role.PROVIDER, {"provider": school}))
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


# ---------------------------------------------------------------------------------------------
# The demo data set (seed_demo_data): named sites of the source articles, fictional people.

MARKER_SITE = "CT-NINHKIEU-WR"  # exists once the data set is loaded: a second run does nothing
DATA_START = datetime.date(2016, 1, 1)
DATA_END = datetime.date(2025, 12, 31)
D = datetime.date

# code, name, province code, unit set, locality, model, role, phase, start, end, participants
SITES = [
    # Hà Nội: peer groups (exists) and community services in Hoàng Mai, worker rights in Cầu
    # Giấy and Ba Đình from 2019.
    ("HN-HOANGMAI-PG", None, "01", "legacy", None, None, None, None, None, None, 320),
    (
        "HN-HOANGMAI-CD",
        "Hoàng Mai — dịch vụ hỗ trợ tại cộng đồng",
        "01",
        "legacy",
        "Quận Hoàng Mai",
        "community",
        "pilot",
        "2016-2020",
        D(2019, 1, 2),
        None,
        160,
    ),
    (
        "HN-CAUGIAY-WR",
        "Cầu Giấy — bảo đảm quyền người lao động",
        "01",
        "legacy",
        "Quận Cầu Giấy",
        "worker_rights",
        "pilot",
        "2016-2020",
        D(2019, 1, 2),
        None,
        70,
    ),
    (
        "HN-BADINH-WR",
        "Ba Đình — bảo đảm quyền người lao động",
        "01",
        "legacy",
        "Quận Ba Đình",
        "worker_rights",
        "pilot",
        "2016-2020",
        D(2019, 1, 2),
        None,
        50,
    ),
    # Cần Thơ: worker rights in three districts, each with its ward-level club.
    (
        "CT-NINHKIEU-WR",
        "Ninh Kiều — bảo đảm quyền người lao động",
        "92",
        "legacy",
        "Quận Ninh Kiều",
        "worker_rights",
        "pilot",
        "2016-2020",
        D(2016, 10, 3),
        None,
        230,
    ),
    (
        "CT-BINHTHUY-WR",
        "Bình Thủy — bảo đảm quyền người lao động",
        "92",
        "legacy",
        "Quận Bình Thủy",
        "worker_rights",
        "pilot",
        "2016-2020",
        D(2016, 10, 3),
        None,
        170,
    ),
    (
        "CT-CAIRANG-WR",
        "Cái Răng — bảo đảm quyền người lao động",
        "92",
        "legacy",
        "Quận Cái Răng",
        "worker_rights",
        "pilot",
        "2016-2020",
        D(2016, 10, 3),
        None,
        150,
    ),
    # TP. Hồ Chí Minh: the six districts of the 2014 reintegration pilot.
    (
        "HCM-Q1-CD",
        "Quận 1 — hỗ trợ hòa nhập cộng đồng",
        "79",
        "legacy",
        "Quận 1",
        "community",
        "pilot",
        None,
        D(2014, 3, 3),
        None,
        150,
    ),
    (
        "HCM-Q3-CD",
        "Quận 3 — hỗ trợ hòa nhập cộng đồng",
        "79",
        "legacy",
        "Quận 3",
        "community",
        "pilot",
        None,
        D(2014, 3, 3),
        None,
        110,
    ),
    (
        "HCM-Q4-CD",
        "Quận 4 — hỗ trợ hòa nhập cộng đồng",
        "79",
        "legacy",
        "Quận 4",
        "community",
        "pilot",
        None,
        D(2014, 3, 3),
        None,
        90,
    ),
    (
        "HCM-Q8-CD",
        "Quận 8 — hỗ trợ hòa nhập cộng đồng",
        "79",
        "legacy",
        "Quận 8",
        "community",
        "pilot",
        None,
        D(2014, 3, 3),
        None,
        110,
    ),
    (
        "HCM-BINHTHANH-CD",
        "Bình Thạnh — hỗ trợ hòa nhập cộng đồng",
        "79",
        "legacy",
        "Quận Bình Thạnh",
        "community",
        "pilot",
        None,
        D(2014, 3, 3),
        None,
        120,
    ),
    (
        "HCM-TANBINH-CD",
        "Tân Bình — hỗ trợ hòa nhập cộng đồng",
        "79",
        "legacy",
        "Quận Tân Bình",
        "community",
        "pilot",
        None,
        D(2014, 3, 3),
        D(2020, 12, 31),
        70,
    ),
    # Quảng Bình: peer groups after a two-year pilot, then scaled up.
    (
        "QB-DONGHOI-PG",
        "Đồng Hới — nhóm đồng đẳng",
        "44",
        "legacy",
        "Thành phố Đồng Hới",
        "peer_groups",
        "pilot",
        "2016-2020",
        D(2017, 4, 3),
        None,
        140,
    ),
    (
        "QB-BOTRACH-PG",
        "Bố Trạch — nhóm đồng đẳng",
        "44",
        "legacy",
        "Huyện Bố Trạch",
        "peer_groups",
        "scale_up",
        "2016-2020",
        D(2019, 6, 3),
        None,
        60,
    ),
    # Control sites: provinces with few establishments, compared with the pilots 2016–2018.
    (
        "LCH-TP-CTRL",
        "Lai Châu — địa bàn đối chứng",
        "12",
        "legacy",
        "Thành phố Lai Châu",
        "worker_rights",
        "control",
        "2016-2020",
        D(2016, 10, 3),
        D(2018, 12, 31),
        40,
    ),
    (
        "KT-TP-CTRL",
        "Kon Tum — địa bàn đối chứng",
        "62",
        "legacy",
        "Thành phố Kon Tum",
        "worker_rights",
        "control",
        "2016-2020",
        D(2016, 10, 3),
        D(2018, 12, 31),
        40,
    ),
    (
        "BK-TP-CTRL",
        "Bắc Kạn — địa bàn đối chứng",
        "06",
        "legacy",
        "Thành phố Bắc Kạn",
        "peer_groups",
        "control",
        "2016-2020",
        D(2016, 10, 3),
        D(2018, 12, 31),
        30,
    ),
    (
        "DB-TP-CTRL",
        "Điện Biên — địa bàn đối chứng",
        "11",
        "legacy",
        "Thành phố Điện Biên Phủ",
        "community",
        "control",
        "2016-2020",
        D(2016, 10, 3),
        D(2018, 12, 31),
        30,
    ),
    # Scale-up after the 2016–2018 pilots.
    (
        "HP-LECHAN-WR",
        "Lê Chân — bảo đảm quyền người lao động",
        "31",
        "legacy",
        "Quận Lê Chân",
        "worker_rights",
        "scale_up",
        "2016-2020",
        D(2019, 3, 1),
        None,
        90,
    ),
    (
        "DN-HAICHAU-PG",
        "Hải Châu — nhóm đồng đẳng",
        "48",
        "legacy",
        "Quận Hải Châu",
        "peer_groups",
        "scale_up",
        "2016-2020",
        D(2019, 3, 1),
        None,
        100,
    ),
    (
        "KH-NHATRANG-WR",
        "Nha Trang — bảo đảm quyền người lao động",
        "56",
        "legacy",
        "Thành phố Nha Trang",
        "worker_rights",
        "scale_up",
        "2016-2020",
        D(2019, 7, 1),
        None,
        90,
    ),
    (
        "QN-HALONG-WR",
        "Hạ Long — bảo đảm quyền người lao động",
        "22",
        "legacy",
        "Thành phố Hạ Long",
        "worker_rights",
        "scale_up",
        "2016-2020",
        D(2020, 3, 2),
        None,
        80,
    ),
    (
        "DNA-BIENHOA-WR",
        "Biên Hòa — bảo đảm quyền người lao động",
        "75",
        "legacy",
        "Thành phố Biên Hòa",
        "worker_rights",
        "scale_up",
        "2016-2020",
        D(2020, 3, 2),
        None,
        90,
    ),
    (
        "HN-DONGDA-WR",
        "Đống Đa — bảo đảm quyền người lao động",
        "01",
        "legacy",
        "Quận Đống Đa",
        "worker_rights",
        "scale_up",
        "2021-2025",
        D(2021, 4, 1),
        None,
        80,
    ),
    (
        "HCM-Q7-WR",
        "Quận 7 — bảo đảm quyền người lao động",
        "79",
        "legacy",
        "Quận 7",
        "worker_rights",
        "scale_up",
        "2021-2025",
        D(2021, 4, 1),
        None,
        90,
    ),
    (
        "BD-THUDAUMOT-PG",
        "Thủ Dầu Một — nhóm tự lực",
        "74",
        "legacy",
        "Thành phố Thủ Dầu Một",
        "peer_groups",
        "scale_up",
        "2021-2025",
        D(2021, 10, 1),
        None,
        70,
    ),
    (
        "KG-PHUQUOC-WR",
        "Phú Quốc — bảo đảm quyền người lao động",
        "91",
        "legacy",
        "Thành phố Phú Quốc",
        "worker_rights",
        "scale_up",
        "2021-2025",
        D(2021, 10, 1),
        None,
        60,
    ),
    (
        "NA-VINH-CD",
        "Vinh — dịch vụ hỗ trợ tại cộng đồng",
        "40",
        "legacy",
        "Thành phố Vinh",
        "community",
        "scale_up",
        "2021-2025",
        D(2022, 3, 1),
        None,
        50,
    ),
    (
        "TH-SAMSON-WR",
        "Sầm Sơn — bảo đảm quyền người lao động",
        "38",
        "legacy",
        "Thành phố Sầm Sơn",
        "worker_rights",
        "scale_up",
        "2021-2025",
        D(2022, 3, 1),
        None,
        50,
    ),
    (
        "LCA-SAPA-PG",
        "Sa Pa — nhóm đồng đẳng",
        "10",
        "legacy",
        "Thị xã Sa Pa",
        "peer_groups",
        "scale_up",
        "2021-2025",
        D(2022, 6, 1),
        None,
        40,
    ),
    (
        "LD-DALAT-WR",
        "Đà Lạt — bảo đảm quyền người lao động",
        "68",
        "legacy",
        "Thành phố Đà Lạt",
        "worker_rights",
        "scale_up",
        "2021-2025",
        D(2022, 6, 1),
        None,
        50,
    ),
    (
        "VT-VUNGTAU-PG",
        "Vũng Tàu — nhóm đồng đẳng",
        "77",
        "legacy",
        "Thành phố Vũng Tàu",
        "peer_groups",
        "scale_up",
        "2021-2025",
        D(2023, 3, 1),
        None,
        50,
    ),
    (
        "AG-CHAUDOC-CD",
        "Châu Đốc — dịch vụ hỗ trợ tại cộng đồng",
        "89",
        "legacy",
        "Thành phố Châu Đốc",
        "community",
        "scale_up",
        "2021-2025",
        D(2023, 3, 1),
        None,
        40,
    ),
    # After 1 July 2025: new sites on the 34 provinces, at ward level.
    (
        "HN25-VINHHUNG-PG",
        "Phường Vĩnh Hưng — nhóm đồng đẳng",
        "01",
        "2025",
        "Phường Vĩnh Hưng",
        "peer_groups",
        "scale_up",
        "2021-2025",
        D(2025, 8, 4),
        None,
        25,
    ),
    (
        "CT25-CAIKHE-WR",
        "Phường Cái Khế — bảo đảm quyền người lao động",
        "92",
        "2025",
        "Phường Cái Khế",
        "worker_rights",
        "scale_up",
        "2021-2025",
        D(2025, 7, 15),
        None,
        25,
    ),
    (
        "HCM25-SAIGON-CD",
        "Phường Sài Gòn — dịch vụ hỗ trợ tại cộng đồng",
        "79",
        "2025",
        "Phường Sài Gòn",
        "community",
        "scale_up",
        "2021-2025",
        D(2025, 9, 1),
        None,
        20,
    ),
    (
        "QT25-DONGHOI-PG",
        "Phường Đồng Hới — nhóm đồng đẳng",
        "44",
        "2025",
        "Phường Đồng Hới",
        "peer_groups",
        "scale_up",
        "2021-2025",
        D(2025, 8, 15),
        None,
        20,
    ),
]

# code, name, site, kind, founded, members, board
GROUPS = [
    ("CT-XANHA", "Phụ nữ Xa nhà", "CT-NINHKIEU-WR", "club", D(2017, 3, 8), 24, 5),
    ("CT-VITUONGLAI", "Vì Tương lai phụ nữ", "CT-BINHTHUY-WR", "club", D(2017, 3, 8), 20, 4),
    ("CT-ANHDUONG", "Ánh Dương", "CT-CAIRANG-WR", "club", D(2017, 5, 20), 18, 4),
    ("HCM-BINHMINH", "Bình Minh", "HCM-Q8-CD", "club", D(2016, 6, 1), 20, 4),
    ("HCM-VONGTAY", "Vòng Tay", "HCM-BINHTHANH-CD", "self_help_group", D(2016, 9, 1), 15, 3),
    ("QB-HOASEN", "Hoa Sen", "QB-DONGHOI-PG", "peer_group", D(2017, 4, 20), 12, 3),
    ("QB-BIENXANH", "Biển Xanh", "QB-BOTRACH-PG", "self_help_group", D(2019, 7, 1), 9, 3),
    ("BK-SUOIMO", "Suối Mơ", "BK-TP-CTRL", "peer_group", D(2016, 11, 1), 8, 2),
    ("DN-HAIAU", "Hải Âu", "DN-HAICHAU-PG", "peer_group", D(2019, 4, 1), 14, 3),
    ("BD-NGAYMOI", "Ngày Mới", "BD-THUDAUMOT-PG", "self_help_group", D(2021, 11, 1), 12, 3),
    ("LCA-SONCA", "Sơn Ca", "LCA-SAPA-PG", "peer_group", D(2022, 7, 1), 8, 2),
    ("VT-SAOBIEN", "Sao Biển", "VT-VUNGTAU-PG", "peer_group", D(2023, 4, 1), 10, 3),
    ("HN25-SAOMAI", "Sao Mai", "HN25-VINHHUNG-PG", "peer_group", D(2025, 8, 4), 7, 2),
    ("QT25-NHATQUANG", "Nhật Quang", "QT25-DONGHOI-PG", "peer_group", D(2025, 8, 15), 6, 2),
]

# name, 2025 province, services, location, accepts people without permanent residence
PROVIDERS = [
    (
        "Bệnh viện Đa khoa quận Hoàng Mai (demo)",
        "01",
        ["health_check", "hiv_sti", "reproductive_health"],
        "Phường Hoàng Mai",
        True,
    ),
    (
        "Trung tâm Trợ giúp pháp lý Nhà nước Hà Nội (demo)",
        "01",
        ["legal_aid"],
        "Phường Cầu Giấy",
        True,
    ),
    (
        "Ngân hàng Chính sách xã hội — chi nhánh Hà Nội (demo)",
        "01",
        ["loan"],
        "Phường Ba Đình",
        False,
    ),
    (
        "Bảo hiểm xã hội Hà Nội (demo)",
        "01",
        ["health_insurance", "social_insurance"],
        "Phường Ba Đình",
        False,
    ),
    (
        "Trung tâm dạy nghề tóc — móng Cần Thơ (demo)",
        "92",
        ["vocational_training"],
        "Phường Ninh Kiều",
        True,
    ),
    (
        "Quỹ tín dụng vi mô phụ nữ Cần Thơ (demo)",
        "92",
        ["loan", "job_placement"],
        "Phường Bình Thủy",
        True,
    ),
    ("Trung tâm Trợ giúp pháp lý Cần Thơ (demo)", "92", ["legal_aid"], "Phường Cái Khế", True),
    (
        "Bảo hiểm xã hội TP. Cần Thơ (demo)",
        "92",
        ["health_insurance", "social_insurance"],
        "Phường Ninh Kiều",
        False,
    ),
    (
        "Trung tâm Công tác xã hội TP. Hồ Chí Minh (demo)",
        "79",
        ["counselling", "shelter", "gbv_support", "health_check", "hiv_sti"],
        "Phường Sài Gòn",
        True,
    ),
    (
        "Trường dạy nghề tóc Sài Gòn (demo)",
        "79",
        ["vocational_training", "job_placement"],
        "Phường Bàn Cờ",
        True,
    ),
    (
        "Ngân hàng Chính sách xã hội — TP. Hồ Chí Minh (demo)",
        "79",
        ["loan"],
        "Phường Sài Gòn",
        False,
    ),
    (
        "Trung tâm Y tế Đồng Hới (demo)",
        "44",
        ["health_check", "hiv_sti", "reproductive_health"],
        "Phường Đồng Hới",
        True,
    ),
]
# Other provinces with sites get one social-work centre offering everything common.
GENERIC_SERVICES = [
    "health_check",
    "hiv_sti",
    "legal_aid",
    "vocational_training",
    "counselling",
    "gbv_support",
    "health_insurance",
]

NEEDS_BY_CITY = {
    # Hà Nội 2019–2020: health check, vocational training, legal advice, loans, insurance card.
    "01": ["health_check", "vocational_training", "legal_aid", "loan", "health_insurance"],
    # Cần Thơ: hair and nail training, loans, legal aid, health-insurance premiums.
    "92": ["vocational_training", "loan", "legal_aid", "health_insurance"],
    # TP. Hồ Chí Minh: vocational training, job placement, loans, counselling, health.
    "79": [
        "vocational_training",
        "job_placement",
        "loan",
        "counselling",
        "health_check",
        "hiv_sti",
    ],
}
NEEDS_OTHER = [
    "health_check",
    "hiv_sti",
    "reproductive_health",
    "legal_aid",
    "vocational_training",
    "loan",
    "health_insurance",
    "counselling",
    "gbv_support",
    "social_insurance",
    "shelter",
]
BIG_CITIES = {"01", "79", "92", "48", "31", "75", "74", "77", "56"}
GIVEN_NAMES = [
    "Lan",
    "Hùng",
    "Mai",
    "Dũng",
    "Hoa",
    "Minh",
    "Hương",
    "Tuấn",
    "Thảo",
    "Nam",
    "Linh",
    "Quang",
    "Trang",
    "Sơn",
    "Yến",
    "Hải",
    "Ngọc",
    "Bình",
    "Phương",
    "Long",
    "Hạnh",
    "Khánh",
    "Oanh",
    "Thắng",
    "Vân",
    "Đức",
    "Nhung",
    "Cường",
    "Thu",
    "Giang",
    "Ánh",
    "Bảo",
]


def _day(rng, lo, hi):
    return lo + datetime.timedelta(days=rng.randrange((hi - lo).days + 1))


class _AtAsGiven:
    """bulk_create would stamp ReferralEvent.at with now (auto_now_add); the demo history needs
    the dates it was given."""

    def __enter__(self):
        self.field = ReferralEvent._meta.get_field("at")
        self.field.auto_now_add = False

    def __exit__(self, *exc):
        self.field.auto_now_add = True


def seed_demo_data(seed=2016):
    """Load the demo data set once. Returns a dict of what was created, or None when the data
    set is already there (the marker site exists)."""
    if Site.objects.filter(code=MARKER_SITE).exists():
        return None
    ensure_demo_structure()
    return _DemoBuilder(random.Random(seed)).build()


class _DemoBuilder:
    def __init__(self, rng):
        self.rng = rng
        self.uics = set()
        self.codes = set(Participant.objects.values_list("code", flat=True))
        self.participants, self.enrolments, self.contacts = [], [], []
        self.persons = []
        self.referrals, self.events, self.supports = [], [], []
        self.rights, self.est_assessments = [], []
        self.has_on = any(f.name == "on" for f in ReferralEvent._meta.concrete_fields)

    # -- structure -------------------------------------------------------------------------

    def build_structure(self):
        models = {m.code: m for m in InterventionModel.objects.all()}
        phases = {p.code: p for p in Phase.objects.all()}
        provinces = {(p.unit_set, p.code): p for p in Province.objects.all()}
        self.sites, self.site_size = {}, {}
        new_sites = []
        for code, name, prov, unit_set, locality, model, role, phase, start, end, n in SITES:
            self.site_size[code] = n
            existing = Site.objects.filter(code=code).first()
            if existing:
                self.sites[code] = existing
                continue
            new_sites.append(
                Site(
                    code=code,
                    name=name,
                    province=provinces[(unit_set, prov)],
                    locality=locality,
                    model=models[model],
                    role=role,
                    phase=phases.get(phase),
                    start_date=start,
                    end_date=end,
                    is_active=end is None,
                )
            )
        for site in Site.objects.bulk_create(new_sites):
            self.sites[site.code] = site
        self.site_list = list(self.sites.values())
        self.groups = {g.site_id: g for g in PeerGroup.objects.filter(site__in=self.site_list)}
        new_groups = [
            PeerGroup(
                code=code,
                name=name,
                site=self.sites[site],
                kind=kind,
                founded_on=founded,
                members=members,
                board_members=board,
            )
            for code, name, site, kind, founded, members, board in GROUPS
        ]
        for group in PeerGroup.objects.bulk_create(new_groups):
            self.groups[group.site_id] = group
        kinds = ["karaoke"] * 4 + ["massage"] * 3 + ["guesthouse"] * 3 + ["bar", "cafe", "other"]
        establishments = []
        for site in self.site_list:
            if site.model_id != "worker_rights":
                continue
            for i in range(1, 4 + self.site_size[site.code] // 12):
                establishments.append(
                    Establishment(
                        code=f"{site.code}-E{i:02d}",
                        site=site,
                        kind=self.rng.choice(kinds),
                        workers=self.rng.randrange(4, 36),
                    )
                )
        self.establishments = {}
        for est in Establishment.objects.bulk_create(establishments):
            self.establishments.setdefault(est.site_id, []).append(est)
        current = {p.code: p for p in Province.objects.filter(unit_set="2025")}
        providers = [
            Provider(
                name=name,
                province=current[prov],
                services=services,
                location=location,
                accepts_without_residence=accepts,
                eligibility="Phụ nữ từ 16 tuổi trở lên",
                contact_channel="Đường dây nóng của cơ sở",
            )
            for name, prov, services, location, accepts in PROVIDERS
        ]
        named = {prov for _, prov, *_ in PROVIDERS}
        for site in self.site_list:
            cur = site.province.current
            if cur.code not in named:
                named.add(cur.code)
                providers.append(
                    Provider(
                        name=f"Trung tâm Công tác xã hội {cur.name} (demo)",
                        province=cur,
                        services=GENERIC_SERVICES,
                        location="",
                        accepts_without_residence=True,
                        eligibility="Phụ nữ từ 16 tuổi trở lên",
                        contact_channel="Đường dây nóng của trung tâm",
                    )
                )
        Provider.objects.bulk_create(providers)
        self.providers = {}
        for provider in Provider.objects.filter(is_active=True).select_related("province"):
            for service in provider.services:
                self.providers.setdefault((provider.province_id, service), []).append(provider)

    # -- people ------------------------------------------------------------------------------

    def new_participant(self, site, first, *, category=None):
        rng = self.rng
        big = site.province.current.code in BIG_CITIES
        if big:
            residence = rng.choices(["temporary", "none", "permanent"], [55, 30, 15])[0]
        else:
            residence = rng.choices(["permanent", "temporary", "none"], [55, 30, 15])[0]
        if category is None:
            category = {
                "worker_rights": rng.choices(
                    ["establishment_worker", "sex_worker", "establishment_owner"], [70, 22, 8]
                )[0],
                "community": rng.choices(["sex_worker", "other"], [90, 10])[0],
                "peer_groups": rng.choices(["sex_worker", "other"], [94, 6])[0],
            }[site.model_id]
        sex = rng.choices(["female", "male", "other"], [92, 4, 4])[0]
        age = rng.choices(range(18, 52), [8 if a < 35 else 3 for a in range(18, 52)])[0]
        birth = D(first.year - age, rng.randrange(1, 13), rng.randrange(1, 29))
        while True:
            uic = build_uic(
                mother_name=rng.choice(GIVEN_NAMES),
                father_name=rng.choice(GIVEN_NAMES),
                birth_date=birth,
                sex=sex,
            )
            if uic not in self.uics:
                break
            birth += datetime.timedelta(days=1)
        self.uics.add(uic)
        while True:
            code = "P-" + "".join(rng.choice(CODE_ALPHABET) for _ in range(7))
            if code not in self.codes:
                break
        self.codes.add(code)
        person = Person(uic_hash=uic_hash(uic))
        self.persons.append(person)
        participant = Participant(
            code=code,
            person=person,
            province_id=site.province.current_id,
            category=category,
            sex=sex,
            birth_year=birth.year,
            residence=residence,
            consent_on=first,
        )
        self.participants.append(participant)
        return participant

    def needs_for(self, site):
        rng = self.rng
        pool = NEEDS_BY_CITY.get(site.province.current.code, NEEDS_OTHER)
        return sorted(set(rng.sample(pool, rng.choices([1, 2, 3], [60, 30, 10])[0])))

    def contact(self, participant, site, day, *, needs, kind=None, group_p=0.8):
        rng = self.rng
        group = self.groups.get(site.pk)
        if group is not None and (group.founded_on > day or rng.random() > group_p):
            group = None
        if kind is None:
            kind = {
                "peer_groups": rng.choice(["outreach", "group_session", "group_session"]),
                "community": rng.choice(["counselling", "outreach", "follow_up"]),
                "worker_rights": rng.choice(["outreach", "counselling", "follow_up"]),
            }[site.model_id]
        self.contacts.append(
            Contact(
                participant=participant,
                date=day,
                site=site,
                peer_group=group,
                kind=kind,
                needs=needs,
            )
        )
        return group

    def refer(self, participant, site, day, service, group):
        rng = self.rng
        providers = self.providers.get((site.province.current_id, service), [])
        provider = rng.choice(providers) if providers else None
        referral = Referral(
            participant=participant,
            date=day,
            site=site,
            peer_group=group,
            service=service,
            provider=provider,
            consent_to_share=rng.random() < 0.8,
        )
        refused = (
            provider is not None
            and not provider.accepts_without_residence
            and participant.residence != "permanent"
        )
        recent = (DATA_END - day).days < 75
        if recent:
            status = rng.choices(["referred", "received", "completed"], [50, 30, 20])[0]
        elif refused:
            status = rng.choices(["declined", "completed", "lost"], [60, 25, 15])[0]
        else:
            status = rng.choices(
                ["completed", "received", "referred", "declined", "lost"], [58, 7, 6, 11, 18]
            )[0]
        history = [("", "referred", day)]
        if status in ("received", "completed"):
            received = day + datetime.timedelta(days=rng.randrange(1, 10))
            history.append(("referred", "received", min(received, DATA_END)))
        if status == "completed":
            done = history[-1][2] + datetime.timedelta(days=rng.randrange(3, 60))
            done = min(done, DATA_END)
            referral.completed_on = done
            history.append(("received", "completed", done))
            self.support(participant, referral, site, service, done)
        elif status in ("declined", "lost"):
            ended = min(day + datetime.timedelta(days=rng.randrange(7, 90)), DATA_END)
            history.append(("referred", status, ended))
        referral.status = status
        self.referrals.append((referral, history))

    def support(self, participant, referral, site, service, day):
        rng = self.rng
        kind_amount = {
            "vocational_training": ("vocational_training_fee", 3_000_000),
            "loan": ("loan", rng.randrange(10, 31) * 1_000_000),
            "health_insurance": ("health_insurance_premium", rng.randrange(700, 901) * 1_000),
        }.get(service)
        if kind_amount and rng.random() < 0.85:
            self.supports.append(
                Support(
                    participant=participant,
                    referral=referral,
                    site=site,
                    date=day,
                    kind=kind_amount[0],
                    amount_vnd=kind_amount[1],
                )
            )

    def assess_rights(self, participant, site, day):
        rng = self.rng
        establishments = self.establishments.get(site.pk)
        if not establishments:
            return
        years = (day - site.start_date).days / 365
        growth = 0.04 if site.role == "control" else 0.14
        ensured = rng.random() < min(0.85, 0.2 + growth * years)
        flags = {name: True for name in RightsAssessment.CORE_RIGHTS}
        if not ensured:
            flags = {name: rng.random() < 0.55 for name in RightsAssessment.CORE_RIGHTS}
            flags[rng.choice(RightsAssessment.CORE_RIGHTS)] = False
        self.rights.append(
            RightsAssessment(
                participant=participant,
                establishment=rng.choice(establishments),
                date=day,
                social_insurance=rng.random() < min(0.6, 0.1 + 0.08 * years),
                health_insurance=rng.random() < min(0.8, 0.3 + 0.08 * years),
                **flags,
            )
        )

    def person(self, site, lo, hi, *, contacts=None, need_p=0.45, refer_p=0.6, category=None):
        """One participant met at `site` from a day in [lo, hi]: their contacts, needs,
        referrals and (at worker-rights sites) rights assessments. Some move to another site
        later (the same UIC: two enrolments; in another province, that province's own record
        of the same person)."""
        rng = self.rng
        first = _day(rng, lo, hi)
        participant = self.new_participant(site, first, category=category)
        count = contacts or rng.choices(range(1, 9), [22, 22, 16, 12, 10, 8, 6, 4])[0]
        days, day = [], first
        for _ in range(count):
            if day > hi:
                break
            days.append(day)
            day += datetime.timedelta(days=rng.randrange(12, 150))
        moved_to = None
        if len(days) >= 3 and rng.random() < 0.08:
            moved_to = rng.choice(
                [s for s in self.site_list if s.pk != site.pk and s.code not in CALIBRATED]
            )
        enrolled = {}
        records = {site.province.current_id: participant}
        home = participant
        worker = participant.category == "establishment_worker"
        for i, day in enumerate(days):
            where = site
            if moved_to is not None and i >= len(days) // 2:
                end = moved_to.end_date or DATA_END
                if moved_to.start_date <= day <= end:
                    where = moved_to
            province = where.province.current_id
            if province not in records:
                records[province] = self.record_in(home, province, day)
            participant = records[province]
            needs = self.needs_for(where) if rng.random() < need_p else []
            group = self.contact(participant, where, day, needs=needs)
            enrolled.setdefault(where.pk, (where, day, group, participant))
            for service in needs:
                if rng.random() < refer_p:
                    ref_day = min(day + datetime.timedelta(days=rng.randrange(0, 8)), DATA_END)
                    self.refer(participant, where, ref_day, service, group)
            if worker and where.model_id == "worker_rights" and (i == 0 or rng.random() < 0.3):
                self.assess_rights(participant, where, day)
        for where, day, group, record in enrolled.values():
            self.enrolments.append(
                Enrolment(participant=record, site=where, peer_group=group, enrolled_on=day)
            )
        if rng.random() < 0.03 and days[-1] < D(2025, 6, 1):
            home.withdrawn_on = days[-1] + datetime.timedelta(days=rng.randrange(30, 200))
        return home

    def record_in(self, participant, province_id, first):
        """Another province's own record of the same person (its own display code)."""
        while True:
            code = "P-" + "".join(self.rng.choice(CODE_ALPHABET) for _ in range(7))
            if code not in self.codes:
                break
        self.codes.add(code)
        record = Participant(
            code=code,
            person=participant.person,
            province_id=province_id,
            category=participant.category,
            sex=participant.sex,
            birth_year=participant.birth_year,
            residence=participant.residence,
            consent_on=first,
        )
        self.participants.append(record)
        return record

    def hanoi_worker_rights(self):
        """Hà Nội, worker-rights model, 2019–2020, as the source reports it: 284 workers reached
        and assessed, 116 of them with needs, and (the 2020 target) more than half of those with
        needs referred (62 of 116)."""
        rng = self.rng
        sites = [self.sites["HN-CAUGIAY-WR"], self.sites["HN-BADINH-WR"]]
        lo, hi = D(2019, 1, 2), D(2020, 12, 31)
        for n in range(284):
            site = sites[n % 2 if n < 160 else 0]
            category = "establishment_worker" if n % 7 else "sex_worker"
            first = _day(rng, lo, D(2020, 10, 31))
            participant = self.new_participant(site, first, category=category)
            has_need, referred = n < 116, n < 62
            needs = self.needs_for(site) if has_need else []
            group = self.contact(participant, site, first, needs=needs, kind="outreach")
            self.enrolments.append(
                Enrolment(participant=participant, site=site, peer_group=group, enrolled_on=first)
            )
            if referred:
                for service in needs[: 1 + (n % 3 == 0)]:
                    self.refer(participant, site, first + datetime.timedelta(days=3), service, None)
            self.assess_rights(participant, site, first)
            if rng.random() < 0.5:  # a follow-up visit (no new need)
                later = first + datetime.timedelta(days=rng.randrange(20, 60))
                if later <= hi:
                    self.contact(participant, site, later, needs=[], kind="follow_up")
            if rng.random() < 0.4:  # met again later in the phase 2021–2025
                later = _day(rng, D(2021, 2, 1), D(2025, 11, 30))
                needs = self.needs_for(site) if rng.random() < 0.4 else []
                self.contact(participant, site, later, needs=needs, kind="follow_up")
                if needs and rng.random() < 0.6:
                    self.refer(participant, site, later, needs[0], None)
                if category == "establishment_worker":
                    self.assess_rights(participant, site, later)

    def hcmc_2014(self):
        """TP. Hồ Chí Minh 2014: 20 women selected into the model after 50 counselling
        sessions; vocational training paid for 15 (3,000,000 VND each, 45 million in all) and
        10 referred to free training at a hairdressing school."""
        rng = self.rng
        sites = [self.sites[c] for c in SITES_HCMC_2014]
        school = next(
            p for p in Provider.objects.filter(name__startswith="Trường dạy nghề tóc Sài Gòn")
        )
        sessions = 0
        for n in range(20):
            site = sites[n % 6]
            first = _day(rng, D(2014, 4, 1), D(2014, 6, 30))
            participant = self.new_participant(site, first, category="sex_worker")
            participant.residence = "temporary" if n % 5 else "none"
            visits = 3 if n < 10 else 2
            day = first
            for v in range(visits):
                needs = ["vocational_training"] if v == 0 else []
                self.contact(participant, site, day, needs=needs, kind="counselling")
                sessions += 1
                day += datetime.timedelta(days=rng.randrange(14, 40))
            self.enrolments.append(Enrolment(participant=participant, site=site, enrolled_on=first))
            if n < 15:
                self.supports.append(
                    Support(
                        participant=participant,
                        site=site,
                        date=D(2014, 8, 15),
                        kind="vocational_training_fee",
                        amount_vnd=3_000_000,
                    )
                )
            if n >= 10:
                referral = Referral(
                    participant=participant,
                    date=D(2014, 8, 1),
                    site=site,
                    service="vocational_training",
                    provider=school,
                    consent_to_share=True,
                    status="completed",
                    completed_on=D(2014, 11, 28),
                )
                history = [
                    ("", "referred", D(2014, 8, 1)),
                    ("referred", "received", D(2014, 8, 5)),
                    ("received", "completed", D(2014, 11, 28)),
                ]
                self.referrals.append((referral, history))
        return sessions

    # -- site-level records ----------------------------------------------------------------

    def site_records(self):
        rng = self.rng
        costs, trainings, assessments = [], [], []
        audience_by_model = {
            "worker_rights": ["owners", "officials", "sex_workers"],
            "community": ["sex_workers", "officials"],
            "peer_groups": ["peer_leaders", "sex_workers", "officials"],
        }
        for site in self.site_list:
            start = max(site.start_date, DATA_START)
            end = min(site.end_date or DATA_END, DATA_END)
            size = self.site_size[site.code]
            quarter = D(start.year, 1 + 3 * ((start.month - 1) // 3), 1)
            while quarter <= end:
                categories = ["staff", "communication"]
                categories += rng.sample(["training", "support", "other"], rng.randrange(0, 3))
                for category in categories:
                    base = {
                        "staff": 25,
                        "communication": 8,
                        "training": 15,
                        "support": 20,
                        "other": 4,
                    }[category]
                    amount = base * (0.6 + size / 250) * rng.uniform(0.7, 1.3) * 1_000_000
                    costs.append(
                        Cost(
                            site=site,
                            date=max(quarter, start),
                            category=category,
                            amount_vnd=round(amount, -5),
                        )
                    )
                month = quarter.month + 3
                quarter = D(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)
            for year in range(max(start.year, 2016), end.year + 1):
                audiences = audience_by_model[site.model_id]
                for audience in rng.sample(audiences, rng.randrange(1, len(audiences) + 1)):
                    day = _day(rng, max(start, D(year, 1, 1)), min(end, D(year, 12, 31)))
                    trainings.append(
                        Training(
                            site=site, date=day, audience=audience, trainees=rng.randrange(10, 41)
                        )
                    )
                for est in self.establishments.get(site.pk, []):
                    for half in (1, 7):
                        lo = max(start, D(year, half, 1))
                        hi = min(end, D(year, half + 5, 28))
                        if lo > hi or (half == 7 and rng.random() < 0.5):
                            continue
                        years = (lo - site.start_date).days / 365
                        growth = 0.03 if site.role == "control" else 0.15
                        compliant = rng.random() < min(0.9, 0.15 + growth * years)
                        duties = {name: True for name in EstablishmentAssessment.DUTIES}
                        if not compliant:
                            duties = {n: rng.random() < 0.6 for n in EstablishmentAssessment.DUTIES}
                            duties["no_violations"] = rng.random() < 0.4
                            duties[rng.choice(EstablishmentAssessment.DUTIES)] = False
                        if site.role != "control" and years >= 0.5:
                            duties["owner_commitment"] = True  # owners signed the commitment
                        assessments.append(
                            EstablishmentAssessment(
                                establishment=est, date=_day(rng, lo, hi), **duties
                            )
                        )
        # TP. Hồ Chí Minh 2014: 3 classes for 40 sex workers, 1 class for 30 officials.
        for n, (audience, trainees, day) in enumerate(
            [
                ("sex_workers", 14, D(2014, 5, 10)),
                ("sex_workers", 13, D(2014, 5, 24)),
                ("sex_workers", 13, D(2014, 6, 7)),
                ("officials", 30, D(2014, 4, 19)),
            ]
        ):
            site = self.sites[SITES_HCMC_2014[n]]
            trainings.append(Training(site=site, date=day, audience=audience, trainees=trainees))
        # …and what the 2014 pilot cost: the classes and the 45 million VND of training fees.
        q1 = self.sites[SITES_HCMC_2014[0]]
        costs.append(Cost(site=q1, date=D(2014, 4, 1), category="training", amount_vnd=38_000_000))
        costs.append(Cost(site=q1, date=D(2014, 8, 15), category="support", amount_vnd=45_000_000))
        Cost.objects.bulk_create(costs)
        Training.objects.bulk_create(trainings)
        EstablishmentAssessment.objects.bulk_create(assessments)
        return {
            "costs": len(costs),
            "trainings": len(trainings),
            "establishment_assessments": len(assessments),
        }

    # -- everything --------------------------------------------------------------------------

    def build(self):
        self.build_structure()
        self.hanoi_worker_rights()
        sessions_2014 = self.hcmc_2014()
        refer_p = {"HN": 0.62, "CT": 0.55, "HCM": 0.5, "QB": 0.45}
        for site in self.site_list:
            lo = max(site.start_date, DATA_START)
            hi = min(site.end_date or DATA_END, DATA_END)
            n = self.site_size[site.code]
            if site.code in CALIBRATED:
                lo, n = D(2021, 1, 4), n  # 2019–2020 is hanoi_worker_rights's
            prefix = site.code.split("-")[0]
            control = site.role == "control"
            for _ in range(n):
                self.person(
                    site,
                    lo,
                    hi,
                    need_p=0.3 if control else 0.45,
                    refer_p=0.25 if control else refer_p.get(prefix, 0.4 + self.rng.random() / 4),
                )
        Person.objects.bulk_create(self.persons)
        for participant in self.participants:
            participant.person_id = participant.person.pk
        Participant.objects.bulk_create(self.participants)
        Enrolment.objects.bulk_create(self.enrolments)
        Contact.objects.bulk_create(self.contacts)
        Referral.objects.bulk_create([r for r, _ in self.referrals])
        events = []
        for referral, history in self.referrals:
            for from_status, to_status, day in history:
                extra = {"on": day} if self.has_on else {}
                at = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
                events.append(
                    ReferralEvent(
                        referral=referral,
                        from_status=from_status,
                        to_status=to_status,
                        at=at,
                        **extra,
                    )
                )
        with _AtAsGiven():
            ReferralEvent.objects.bulk_create(events)
        for support in self.supports:
            support.referral_id = support.referral.pk if support.referral else None
        Support.objects.bulk_create(self.supports)
        RightsAssessment.objects.bulk_create(self.rights)
        counts = {
            "sites": len(self.site_list),
            "participants": len(self.participants),
            "contacts": len(self.contacts),
            "referrals": len(self.referrals),
            "referral_events": len(events),
            "supports": len(self.supports),
            "rights_assessments": len(self.rights),
            "counselling_sessions_2014": sessions_2014,
        }
        counts.update(self.site_records())
        return counts


CALIBRATED = {"HN-CAUGIAY-WR", "HN-BADINH-WR"}
SITES_HCMC_2014 = [
    "HCM-Q1-CD",
    "HCM-Q3-CD",
    "HCM-Q4-CD",
    "HCM-Q8-CD",
    "HCM-BINHTHANH-CD",
    "HCM-TANBINH-CD",
]
