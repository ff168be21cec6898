"""The demo installation `make run` shows: demo accounts for every role, tied to the places the
source articles name, and a demo data set shaped by those articles (docs/domain.md): the named
sites, clubs and figures, 2014/2016–2025, with fictional people. Everything is drawn from a seeded
random.Random, so every installation shows the same numbers.

The data set is loaded the way a province loads its files: the builder writes it, in memory, as
the files of the exchange format (docs/exchange.md, the columns of `exchange.spec`), the exchange
reader reads them and `exchange.services.import_exchange` loads them with no user, as the
`import_exchange` command does. Sites, peer groups, establishments, the service directory,
participants (their enrolments, consent and withdrawals), contacts, referrals, support, rights
and establishment assessments, costs and trainings therefore go through the importer's loaders:
the forms' rules, the period lock, the audit trail. A row the importer refuses stops the demo
with the importer's messages (`DemoDataRefused`) and nothing is written. Rows are matched on
their natural keys, so a second run changes nothing.

Written directly, because the exchange format has no place for them:
- the demo accounts, one per role (`ensure_demo_accounts`);
- each referral's dated status history (the importer records one step, on the day of the import,
  from nothing to the status in the file; the demo records referred → received → completed, or
  → declined / lost, on their days);
- the peer group that made a referral, and a finished site marked inactive (the file gives its
  end date, not the flag): both written as the importer writes a change, version and audit entry
  included.
The programme's reference data (provinces, phases, intervention models, the service catalogue)
come from the migrations; a site's phase follows from its start date, as on import.
"""

import csv
import datetime
import io
import random
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.apps import apps
from django.db import connection
from django.db.models import F
from django.utils import timezone

from accounts.auditing import audit_bulk
from accounts.models import Role, User
from accounts.spreadsheets import csv_row
from exchange.contract import assign, chunks
from exchange.reader import read_files
from exchange.services import import_exchange
from exchange.spec import FILES_BY_NAME
from exchange.writes import BATCH
from participants.models import EstablishmentAssessment, RightsAssessment
from participants.uic import build_uic, uic_hash
from referrals.models import Provider, Referral, ReferralEvent
from sites.models import PeerGroup, Province, Site

DEMO_PASSWORD = "demo-pcmd-2025"  # noqa: S105  (printed on the console; demo only)


class DemoDataRefused(Exception):
    """The importer refused rows of the demo data set; `errors` holds its messages (RowError:
    file, line, column, reason). Nothing was written."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} bad row(s) in the demo data set")
        self.errors = errors


def load_exchange(files):
    """Load `files` ({exchange file name: [{column: value}]}) through the exchange reader and
    importer, with no user; returns the ImportResult, or raises DemoDataRefused."""
    payload = [
        (FILES_BY_NAME[name].filename, _csv(FILES_BY_NAME[name], rows))
        for name, rows in files.items()
        if rows
    ]
    sources, read_errors = read_files(payload, label="demo")
    result = import_exchange(sources=sources, user=None, read_errors=read_errors)
    if not result.ok:
        raise DemoDataRefused(result.errors)
    return result


def _cell(value):
    """A value as the exchange format writes it: YYYY-MM-DD, yes/no, a ;-separated list."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(value)
    return str(value)


def _csv(spec, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spec.column_names)
    for row in rows:
        writer.writerow(csv_row([_cell(row.get(name)) for name in spec.column_names]))
    return out.getvalue().encode()


# The site, peer group and provider the demo accounts belong to, loaded on their own when only
# the accounts are asked for (`seed_demo --no-data`).
ACCOUNTS_SITE = "HN-HOANGMAI-PG"
ACCOUNTS_GROUP = "HN-SAODEM"
ACCOUNTS_PROVIDER = {
    "name": "Trung tâm Công tác xã hội Hà Nội (demo)",
    "province": "01",
    "services": ["health_check", "counselling", "vocational_training", "legal_aid"],
    "location": "Phường Hoàng Mai",
    "accepts_without_residence": True,
    "eligibility": "Phụ nữ từ 16 tuổi trở lên",
    "contact_channel": "Đường dây nóng của trung tâm",
}


def ensure_demo_structure():
    """The Hà Nội peer-group site with the 'Sao đêm' group and a provider, which the demo
    accounts need, loaded through the importer (unchanged when the data set is there)."""
    load_exchange(
        {
            "sites": [_site_row(row) for row in SITES if row[0] == ACCOUNTS_SITE],
            "peer_groups": [_group_row(row) for row in GROUPS if row[0] == ACCOUNTS_GROUP],
            "providers": [ACCOUNTS_PROVIDER],
        }
    )
    provider = Provider.objects.get(
        name=ACCOUNTS_PROVIDER["name"],
        province__unit_set=Province.UnitSet.CURRENT,
        province__code=ACCOUNTS_PROVIDER["province"],
    )
    return PeerGroup.objects.get(code=ACCOUNTS_GROUP), provider


def _province(code):
    return Province.objects.get(unit_set=Province.UnitSet.CURRENT, code=code)


def ensure_demo_accounts():
    """One account per role; returns (username, role label, scope) rows to print."""
    sao_dem, provider = ensure_demo_structure()
    specs = [
        ("admin", Role.ADMIN, {"is_staff": True, "is_superuser": True}),
        ("bo.ldtbxh", Role.MINISTRY, {}),
        ("canbo.hanoi", Role.OFFICER, {"province": _province("01")}),
        ("canbo.cantho", Role.OFFICER, {"province": _province("92")}),
        ("truongnhom.saodem", Role.PEER_LEADER, {"peer_group": sao_dem}),
        ("dichvu.ctxh", Role.PROVIDER, {"provider": provider}),
    ]
    # With the demo data set: the officer of TP. Hồ Chí Minh, the leader of the Cần Thơ club
    # "Ánh Dương" and the staff of the Cần Thơ vocational school.
    anh_duong = PeerGroup.objects.filter(code="CT-ANHDUONG").first()
    school = Provider.objects.filter(name__startswith="Trung tâm dạy nghề tóc — móng").first()
    specs.append(("canbo.hcm", Role.OFFICER, {"province": _province("79")}))
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

DATA_START = datetime.date(2016, 1, 1)
DATA_END = datetime.date(2025, 12, 31)
D = datetime.date

# code, name, province code, unit set, locality, model, role, start, end, participants
SITES = [
    # Hà Nội: peer groups (the demo accounts' site) and community services in Hoàng Mai,
    # worker rights in Cầu Giấy and Ba Đình from 2019.
    (
        "HN-HOANGMAI-PG",
        "Hoàng Mai — nhóm đồng đẳng",
        "01",
        "legacy",
        "Quận Hoàng Mai",
        "peer_groups",
        "pilot",
        D(2016, 9, 1),
        None,
        320,
    ),
    (
        "HN-HOANGMAI-CD",
        "Hoàng Mai — dịch vụ hỗ trợ tại cộng đồng",
        "01",
        "legacy",
        "Quận Hoàng Mai",
        "community",
        "pilot",
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
        D(2025, 8, 15),
        None,
        20,
    ),
]

# code, name, site, kind, founded, members, board
GROUPS = [
    ("HN-SAODEM", "Sao đêm", "HN-HOANGMAI-PG", "peer_group", D(2017, 3, 8), 10, 3),
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


CALIBRATED = {"HN-CAUGIAY-WR", "HN-BADINH-WR"}
SITES_HCMC_2014 = [
    "HCM-Q1-CD",
    "HCM-Q3-CD",
    "HCM-Q4-CD",
    "HCM-Q8-CD",
    "HCM-BINHTHANH-CD",
    "HCM-TANBINH-CD",
]
# The demo's referral history is dated at 09:00 UTC of each step's day.
HISTORY_TIME = datetime.time(9, tzinfo=datetime.UTC)


def _day(rng, lo, hi):
    return lo + datetime.timedelta(days=rng.randrange((hi - lo).days + 1))


def _site_row(row):
    code, name, province, _unit_set, locality, model, role, start, end, _size = row
    return {
        "code": code,
        "name": name,
        "province": province,
        "locality": locality,
        "model": model,
        "role": role,
        "start_date": start,
        "end_date": end,
    }


def _group_row(row):
    code, name, site, kind, founded, members, board = row
    return {
        "code": code,
        "name": name,
        "site": site,
        "kind": kind,
        "founded_on": founded,
        "members": members,
        "board_members": board,
    }


class _AtAsGiven:
    """bulk_create would stamp ReferralEvent.at with now (auto_now_add); the demo history needs
    the dates it was given."""

    def __enter__(self):
        self.field = ReferralEvent._meta.get_field("at")
        self.field.auto_now_add = False

    def __exit__(self, *exc):
        self.field.auto_now_add = True


def seed_demo_data(seed=2016):
    """Load the demo data set through the importer, then write what the format cannot carry.
    Returns {what: number of rows written}, or None when nothing changed (it was all there)."""
    builder = _DemoBuilder(random.Random(seed))
    builder.build()
    result = load_exchange(builder.files())
    written = {
        name: counts.new + counts.updated
        for name, counts in result.counts.items()
        if counts.new + counts.updated
    }
    written.update(builder.complete())
    if written:
        _analyze()
    return written or None


def _analyze():
    """After the bulk load, tell PostgreSQL's planner how big the tables have become. Autovacuum
    would, but only once the transaction has committed: until then (in the seeding transaction,
    in a test) it plans queries on the new rows for tables it believes empty."""
    if connection.vendor != "postgresql":
        return
    models = [
        model
        for app in ("sites", "participants", "referrals")
        for model in apps.get_app_config(app).get_models()
    ]
    with connection.cursor() as cursor:
        for model in [*models, LogEntry]:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@dataclass
class _Site:
    code: str
    model: str
    role: str
    start: datetime.date
    end: datetime.date | None
    province: Province  # the 2025 province the site is in, or became part of
    size: int


@dataclass
class _Record:
    """One province's record of a person: a row of participants.csv for each site where the
    record is enrolled."""

    uic: str
    province: int
    category: str
    sex: str
    birth_year: int
    residence: str
    consent_on: datetime.date
    last: datetime.date  # the day of its latest contact, referral step, support or assessment
    withdrawn_on: datetime.date | None = None

    def seen(self, day):
        self.last = max(self.last, day)


class _DemoBuilder:
    def __init__(self, rng):
        self.rng = rng
        self.uics = set()
        self.rows = {
            name: []
            for name in (
                "contacts",
                "referrals",
                "supports",
                "rights_assessments",
                "establishment_assessments",
                "costs",
                "trainings",
            )
        }
        self.enrolments = []  # (record, site, peer group code, day)
        # Referral key (uic, date, site code, service) -> its history [(from, to, day)] and the
        # peer group that made it.
        self.histories, self.referral_groups = {}, {}

    # -- structure -------------------------------------------------------------------------

    def build_structure(self):
        provinces = {
            (p.unit_set, p.code): p.current for p in Province.objects.select_related("current")
        }
        self.sites = {}
        for row in SITES:
            code, _name, prov, unit_set, _locality, model, role, start, end, size = row
            self.sites[code] = _Site(
                code, model, role, start, end, provinces[(unit_set, prov)], size
            )
        self.site_list = list(self.sites.values())
        self.groups = {site: (code, founded) for code, _n, site, _k, founded, *_ in GROUPS}
        kinds = ["karaoke"] * 4 + ["massage"] * 3 + ["guesthouse"] * 3 + ["bar", "cafe", "other"]
        self.establishment_rows, self.establishments = [], {}
        for site in self.site_list:
            if site.model != "worker_rights":
                continue
            for i in range(1, 4 + site.size // 12):
                code = f"{site.code}-E{i:02d}"
                self.establishment_rows.append(
                    {
                        "code": code,
                        "site": site.code,
                        "kind": self.rng.choice(kinds),
                        "workers": self.rng.randrange(4, 36),
                    }
                )
                self.establishments.setdefault(site.code, []).append(code)
        self.provider_rows = [ACCOUNTS_PROVIDER] + [
            {
                "name": name,
                "province": prov,
                "services": services,
                "location": location,
                "accepts_without_residence": accepts,
                "eligibility": "Phụ nữ từ 16 tuổi trở lên",
                "contact_channel": "Đường dây nóng của cơ sở",
            }
            for name, prov, services, location, accepts in PROVIDERS
        ]
        named = {row["province"] for row in self.provider_rows}
        for site in self.site_list:
            if site.province.code not in named:
                named.add(site.province.code)
                self.provider_rows.append(
                    {
                        "name": f"Trung tâm Công tác xã hội {site.province.name} (demo)",
                        "province": site.province.code,
                        "services": GENERIC_SERVICES,
                        "location": "",
                        "accepts_without_residence": True,
                        "eligibility": "Phụ nữ từ 16 tuổi trở lên",
                        "contact_channel": "Đường dây nóng của trung tâm",
                    }
                )
        # Who offers what where, in the order of the directory (by name).
        self.providers = {}
        for row in sorted(self.provider_rows, key=lambda row: row["name"]):
            for service in row["services"]:
                self.providers.setdefault((row["province"], service), []).append(row)

    # -- people ------------------------------------------------------------------------------

    def new_participant(self, site, first, *, category=None):
        rng = self.rng
        if site.province.code in BIG_CITIES:
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
            }[site.model]
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
        return _Record(
            uic=uic,
            province=site.province.pk,
            category=category,
            sex=sex,
            birth_year=birth.year,
            residence=residence,
            consent_on=first,
            last=first,
        )

    def record_in(self, record, province, first):
        """Another province's own record of the same person."""
        return _Record(
            uic=record.uic,
            province=province,
            category=record.category,
            sex=record.sex,
            birth_year=record.birth_year,
            residence=record.residence,
            consent_on=first,
            last=first,
        )

    def enrol(self, record, site, group, day):
        self.enrolments.append((record, site, group, day))

    def needs_for(self, site):
        rng = self.rng
        pool = NEEDS_BY_CITY.get(site.province.code, NEEDS_OTHER)
        return sorted(set(rng.sample(pool, rng.choices([1, 2, 3], [60, 30, 10])[0])))

    def contact(self, record, site, day, *, needs, kind=None, group_p=0.8):
        """One contact; returns the code of the peer group that made it (or None)."""
        rng = self.rng
        group = self.groups.get(site.code)
        if group is not None and (group[1] > day or rng.random() > group_p):
            group = None
        if kind is None:
            kind = {
                "peer_groups": rng.choice(["outreach", "group_session", "group_session"]),
                "community": rng.choice(["counselling", "outreach", "follow_up"]),
                "worker_rights": rng.choice(["outreach", "counselling", "follow_up"]),
            }[site.model]
        code = group[0] if group is not None else None
        self.rows["contacts"].append(
            {
                "uic": record.uic,
                "date": day,
                "site": site.code,
                "peer_group": code,
                "kind": kind,
                "needs": needs,
            }
        )
        record.seen(day)
        return code

    def refer(self, record, site, day, service, group):
        """A referral, with the person's consent (no referral is made without it), and its
        history up to its status at the end of 2025."""
        rng = self.rng
        providers = self.providers.get((site.province.code, service), [])
        provider = rng.choice(providers) if providers else None
        refused = (
            provider is not None
            and not provider["accepts_without_residence"]
            and record.residence != "permanent"
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
        completed_on = None
        if status in ("received", "completed"):
            received = day + datetime.timedelta(days=rng.randrange(1, 10))
            history.append(("referred", "received", min(received, DATA_END)))
        if status == "completed":
            done = history[-1][2] + datetime.timedelta(days=rng.randrange(3, 60))
            completed_on = min(done, DATA_END)
            history.append(("received", "completed", completed_on))
        elif status in ("declined", "lost"):
            ended = min(day + datetime.timedelta(days=rng.randrange(7, 90)), DATA_END)
            history.append(("referred", status, ended))
        self.add_referral(
            record,
            site,
            day,
            service,
            provider=provider["name"] if provider else None,
            history=history,
            group=group,
        )
        if completed_on is not None:
            self.support(record, site, service, day, completed_on)

    def add_referral(self, record, site, day, service, *, provider, history, group=None):
        status = history[-1][1]
        self.rows["referrals"].append(
            {
                "uic": record.uic,
                "date": day,
                "site": site.code,
                "service": service,
                "provider": provider,
                "status": status,
                "completed_on": history[-1][2] if status == "completed" else None,
                "consent": True,
            }
        )
        key = (record.uic, day, site.code, service)
        self.histories[key] = history
        self.referral_groups[key] = group
        record.seen(history[-1][2])

    def support(self, record, site, service, referred_on, day):
        rng = self.rng
        kind_amount = {
            "vocational_training": ("vocational_training_fee", 3_000_000),
            "loan": ("loan", rng.randrange(10, 31) * 1_000_000),
            "health_insurance": ("health_insurance_premium", rng.randrange(700, 901) * 1_000),
        }.get(service)
        if kind_amount and rng.random() < 0.85:
            self.rows["supports"].append(
                {
                    "uic": record.uic,
                    "date": day,
                    "site": site.code,
                    "kind": kind_amount[0],
                    "amount_vnd": kind_amount[1],
                    "referral_date": referred_on,
                    "referral_service": service,
                }
            )
            record.seen(day)

    def assess_rights(self, record, site, day):
        rng = self.rng
        establishments = self.establishments.get(site.code)
        if not establishments:
            return
        years = (day - site.start).days / 365
        growth = 0.04 if site.role == "control" else 0.14
        ensured = rng.random() < min(0.85, 0.2 + growth * years)
        flags = {name: True for name in RightsAssessment.CORE_RIGHTS}
        if not ensured:
            flags = {name: rng.random() < 0.55 for name in RightsAssessment.CORE_RIGHTS}
            flags[rng.choice(RightsAssessment.CORE_RIGHTS)] = False
        establishment = rng.choice(establishments)
        social_insurance = rng.random() < min(0.6, 0.1 + 0.08 * years)
        health_insurance = rng.random() < min(0.8, 0.3 + 0.08 * years)
        self.rows["rights_assessments"].append(
            {
                "uic": record.uic,
                "establishment": establishment,
                "date": day,
                "social_insurance": social_insurance,
                "health_insurance": health_insurance,
                **flags,
            }
        )
        record.seen(day)

    def person(self, site, lo, hi, *, contacts=None, need_p=0.45, refer_p=0.6, category=None):
        """One participant met at `site` from a day in [lo, hi]: their contacts, needs,
        referrals and (at worker-rights sites) rights assessments. Some move to another site
        later (the same UIC: two enrolments; in another province, that province's own record
        of the same person)."""
        rng = self.rng
        first = _day(rng, lo, hi)
        record = self.new_participant(site, first, category=category)
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
                [s for s in self.site_list if s.code != site.code and s.code not in CALIBRATED]
            )
        enrolled = {}
        records = {site.province.pk: record}
        home = record
        worker = record.category == "establishment_worker"
        for i, day in enumerate(days):
            where = site
            if moved_to is not None and i >= len(days) // 2:
                end = moved_to.end or DATA_END
                if moved_to.start <= day <= end:
                    where = moved_to
            if where.province.pk not in records:
                records[where.province.pk] = self.record_in(home, where.province.pk, day)
            record = records[where.province.pk]
            needs = self.needs_for(where) if rng.random() < need_p else []
            group = self.contact(record, where, day, needs=needs)
            enrolled.setdefault(where.code, (where, day, group, record))
            for service in needs:
                if rng.random() < refer_p:
                    ref_day = min(day + datetime.timedelta(days=rng.randrange(0, 8)), DATA_END)
                    self.refer(record, where, ref_day, service, group)
            if worker and where.model == "worker_rights" and (i == 0 or rng.random() < 0.3):
                self.assess_rights(record, where, day)
        for where, day, group, record in enrolled.values():
            self.enrol(record, where, group, day)
        if rng.random() < 0.03 and days[-1] < D(2025, 6, 1):
            # Withdrawn after everything the home province recorded about them.
            later = home.last + datetime.timedelta(days=rng.randrange(30, 200))
            home.withdrawn_on = min(later, DATA_END)

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
            record = self.new_participant(site, first, category=category)
            has_need, referred = n < 116, n < 62
            needs = self.needs_for(site) if has_need else []
            group = self.contact(record, site, first, needs=needs, kind="outreach")
            self.enrol(record, site, group, first)
            if referred:
                for service in needs[: 1 + (n % 3 == 0)]:
                    self.refer(record, site, first + datetime.timedelta(days=3), service, None)
            self.assess_rights(record, site, first)
            if rng.random() < 0.5:  # a follow-up visit (no new need)
                later = first + datetime.timedelta(days=rng.randrange(20, 60))
                if later <= hi:
                    self.contact(record, site, later, needs=[], kind="follow_up")
            if rng.random() < 0.4:  # met again later in the phase 2021–2025
                later = _day(rng, D(2021, 2, 1), D(2025, 11, 30))
                needs = self.needs_for(site) if rng.random() < 0.4 else []
                self.contact(record, site, later, needs=needs, kind="follow_up")
                if needs and rng.random() < 0.6:
                    self.refer(record, site, later, needs[0], None)
                if category == "establishment_worker":
                    self.assess_rights(record, site, later)

    def hcmc_2014(self):
        """TP. Hồ Chí Minh 2014: 20 women selected into the model after 50 counselling
        sessions; vocational training paid for 15 (3,000,000 VND each, 45 million in all) and
        10 referred to free training at a hairdressing school."""
        rng = self.rng
        sites = [self.sites[c] for c in SITES_HCMC_2014]
        school = next(
            row["name"]
            for row in self.provider_rows
            if row["name"].startswith("Trường dạy nghề tóc Sài Gòn")
        )
        for n in range(20):
            site = sites[n % 6]
            first = _day(rng, D(2014, 4, 1), D(2014, 6, 30))
            record = self.new_participant(site, first, category="sex_worker")
            record.residence = "temporary" if n % 5 else "none"
            visits = 3 if n < 10 else 2
            day = first
            for v in range(visits):
                needs = ["vocational_training"] if v == 0 else []
                self.contact(record, site, day, needs=needs, kind="counselling")
                day += datetime.timedelta(days=rng.randrange(14, 40))
            self.enrol(record, site, None, first)
            if n < 15:
                self.rows["supports"].append(
                    {
                        "uic": record.uic,
                        "date": D(2014, 8, 15),
                        "site": site.code,
                        "kind": "vocational_training_fee",
                        "amount_vnd": 3_000_000,
                    }
                )
            if n >= 10:
                self.add_referral(
                    record,
                    site,
                    D(2014, 8, 1),
                    "vocational_training",
                    provider=school,
                    history=[
                        ("", "referred", D(2014, 8, 1)),
                        ("referred", "received", D(2014, 8, 5)),
                        ("received", "completed", D(2014, 11, 28)),
                    ],
                )

    # -- site-level records ----------------------------------------------------------------

    def site_records(self):
        rng = self.rng
        costs, trainings = self.rows["costs"], self.rows["trainings"]
        assessments = self.rows["establishment_assessments"]
        audience_by_model = {
            "worker_rights": ["owners", "officials", "sex_workers"],
            "community": ["sex_workers", "officials"],
            "peer_groups": ["peer_leaders", "sex_workers", "officials"],
        }
        for site in self.site_list:
            start = max(site.start, DATA_START)
            end = min(site.end or DATA_END, DATA_END)
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
                    amount = base * (0.6 + site.size / 250) * rng.uniform(0.7, 1.3) * 1_000_000
                    costs.append(
                        {
                            "site": site.code,
                            "date": max(quarter, start),
                            "category": category,
                            "amount_vnd": int(round(amount, -5)),
                        }
                    )
                month = quarter.month + 3
                quarter = D(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)
            for year in range(max(start.year, 2016), end.year + 1):
                audiences = audience_by_model[site.model]
                for audience in rng.sample(audiences, rng.randrange(1, len(audiences) + 1)):
                    day = _day(rng, max(start, D(year, 1, 1)), min(end, D(year, 12, 31)))
                    trainings.append(
                        {
                            "site": site.code,
                            "date": day,
                            "audience": audience,
                            "trainees": rng.randrange(10, 41),
                        }
                    )
                for establishment in self.establishments.get(site.code, []):
                    for half in (1, 7):
                        lo = max(start, D(year, half, 1))
                        hi = min(end, D(year, half + 5, 28))
                        if lo > hi or (half == 7 and rng.random() < 0.5):
                            continue
                        years = (lo - site.start).days / 365
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
                            {"establishment": establishment, "date": _day(rng, lo, hi), **duties}
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
            trainings.append(
                {
                    "site": SITES_HCMC_2014[n],
                    "date": day,
                    "audience": audience,
                    "trainees": trainees,
                }
            )
        # …and what the 2014 pilot cost: the classes and the 45 million VND of training fees.
        q1 = SITES_HCMC_2014[0]
        costs.append(
            {"site": q1, "date": D(2014, 4, 1), "category": "training", "amount_vnd": 38_000_000}
        )
        costs.append(
            {"site": q1, "date": D(2014, 8, 15), "category": "support", "amount_vnd": 45_000_000}
        )

    # -- everything --------------------------------------------------------------------------

    def build(self):
        self.build_structure()
        self.hanoi_worker_rights()
        self.hcmc_2014()
        refer_p = {"HN": 0.62, "CT": 0.55, "HCM": 0.5, "QB": 0.45}
        for site in self.site_list:
            lo = max(site.start, DATA_START)
            hi = min(site.end or DATA_END, DATA_END)
            if site.code in CALIBRATED:
                lo = D(2021, 1, 4)  # 2019–2020 is hanoi_worker_rights's
            prefix = site.code.split("-")[0]
            control = site.role == "control"
            for _ in range(site.size):
                self.person(
                    site,
                    lo,
                    hi,
                    need_p=0.3 if control else 0.45,
                    refer_p=0.25 if control else refer_p.get(prefix, 0.4 + self.rng.random() / 4),
                )
        self.site_records()

    def files(self):
        """The data set as exchange files: {file name: [{column: value}]}, in the format's
        order."""
        participants = [
            {
                "uic": record.uic,
                "category": record.category,
                "sex": record.sex,
                "birth_year": record.birth_year,
                "residence": record.residence,
                "enrolled_on": day,
                "site": site.code,
                "peer_group": group,
                "consent_on": record.consent_on,
                "withdrawn_on": record.withdrawn_on,
            }
            for record, site, group, day in self.enrolments
        ]
        return {
            "sites": [_site_row(row) for row in SITES],
            "peer_groups": [_group_row(row) for row in GROUPS],
            "establishments": self.establishment_rows,
            "providers": self.provider_rows,
            "participants": participants,
            **self.rows,
        }

    # -- what the exchange format cannot carry ------------------------------------------------

    def complete(self):
        """Write what the files cannot say (see the module docstring); changes nothing when it
        is already there. Returns {what: number of rows written}, without the zeros."""
        ended = Site.objects.filter(
            code__in=[site.code for site in self.site_list if site.end is not None],
            is_active=True,
        ).values_list("pk", flat=True)
        written = {"sites (inactive)": _update(Site, "is_active", dict.fromkeys(ended, False))}
        groups = dict(
            PeerGroup.objects.filter(code__in=[row[0] for row in GROUPS]).values_list("code", "pk")
        )
        digests, keys = {}, {}
        for key in self.histories:
            if key[0] not in digests:
                digests[key[0]] = uic_hash(key[0])
            keys[(digests[key[0]], *key[1:])] = key
        referrals, group_changes = {}, {}
        for pk, digest, day, site, service, group_id in Referral.objects.filter(
            site__code__in=list(self.sites)
        ).values_list(
            "pk", "participant__person__uic_hash", "date", "site__code", "service", "peer_group_id"
        ):
            key = keys.get((digest, day, site, service))
            if key is None:  # entered on a demo site by hand, not part of the data set
                continue
            referrals[pk] = key
            code = self.referral_groups[key]
            wanted = groups[code] if code else None
            if group_id != wanted:
                group_changes[pk] = wanted
        written["referrals (peer group)"] = _update(Referral, "peer_group_id", group_changes)
        written["referral_events"] = self.write_histories(referrals)
        return {what: count for what, count in written.items() if count}

    def write_histories(self, referrals):
        """Give each of `referrals` ({id: key}) its dated history in place of the one step the
        importer records; returns the number of history rows written."""
        found = {pk: [] for pk in referrals}
        for chunk in chunks(referrals):
            for referral_id, *event in (
                ReferralEvent.objects.filter(referral_id__in=chunk)
                .order_by("at", "id")
                .values_list("referral_id", "from_status", "to_status", "on", "at")
            ):
                found[referral_id].append(tuple(event))
        stale, events = [], []
        for pk, key in referrals.items():
            wanted = [
                (from_status, to_status, day, datetime.datetime.combine(day, HISTORY_TIME))
                for from_status, to_status, day in self.histories[key]
            ]
            if found[pk] != wanted:
                stale.append(pk)
                events += [
                    ReferralEvent(referral_id=pk, from_status=f, to_status=t, on=on, at=at)
                    for f, t, on, at in wanted
                ]
        for chunk in chunks(stale):
            ReferralEvent.objects.filter(referral_id__in=chunk).delete()
        with _AtAsGiven():
            ReferralEvent.objects.bulk_create(events, batch_size=BATCH)
        return len(events)


def _update(model, field, wanted):
    """Set `field` to {id: value} on records of `model` as the importer writes a change: version
    moved on, updated_at now, one audit entry per record with the value before and after (one
    UPDATE per value). Returns the number of records changed."""
    now = timezone.now()
    changed = []
    for obj in model.objects.in_bulk(list(wanted)).values():
        changed.append((obj, assign(obj, {field: wanted[obj.pk]})))
    by_value = {}
    for pk, value in wanted.items():
        by_value.setdefault(value, []).append(pk)
    for value, pks in by_value.items():
        for chunk in chunks(pks):
            model.objects.filter(pk__in=chunk).update(
                **{field: value}, version=F("version") + 1, updated_at=now
            )
    audit_bulk(model, changed=changed)
    return len(changed)
