"""The rule × writer matrix: every rule of the programme's records, tried through every writer
that could break it — the page (form), the service, the import, the offline sync, the Django
admin — is refused with the same message, and nothing is written.

One table, written by hand (`MATRIX`): (rule, event, writer) → the attempt and the message
expected (written out here, never read from the code). The structure tests fail when a rule or
a writer is added without its rows:

- a rule is a `check_*` function of the services (participants, referrals, sites) or of the
  lock (periods.lock): each is in `RULE_CHECKS` (or `COMPOSITES`, the checks made of
  others), and each rule has at least one row;
- the lock covers `periods.lock.LOCKED_EVENTS`: each event has a lock row for each of its
  writers (`LOCK_WRITERS`); each import file of a dated event (registered by its app in
  exchange.contract) and
  each offline kind (offline.services.RECORDERS) has its row;
- every model of the programme apps registered in the admin is read-only there, and has its
  admin row.

The world: Hà Nội's 2018Q1 approved by the ministry, so locked; D = 10/02/2018 lies in it."""

import datetime
import html
import inspect
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

import participants.services as participant_services
import referrals.services as referral_services
import sites.services as site_services
from exchange.contract import registered
from exchange.reader import read_directory
from exchange.services import import_exchange
from offline.services import RECORDERS
from participants.models import (
    Contact,
    Enrolment,
    EstablishmentAssessment,
    Participant,
    RightsAssessment,
)
from periods import lock
from periods.models import ReportingPeriod
from referrals.models import Provider, Referral, ReferralEvent, Support
from reports import cycle
from sites.models import Cost, Establishment, PeerGroup, Province, Region, Site, Training
from tests import factories
from tests.clock import tomorrow
from tests.offline.phone import seal, send

# ---------------------------------------------------------------- the messages, by hand

D = datetime.date(2018, 2, 10)
LOCKED = (
    "Kỳ báo cáo Quý 1/2018 của Hà Nội đã được Bộ phê duyệt và khoá: không thể thêm, sửa hay "
    "nhập số liệu ngày 10/02/2018. Nếu cần sửa, hãy đề nghị Bộ mở lại kỳ báo cáo."
)
FUTURE_CONTACT = "Ngày tiếp cận không được sau ngày hôm nay."
FUTURE_ASSESSMENT = "Ngày đánh giá không được sau ngày hôm nay."
FUTURE_SUPPORT = "Ngày hỗ trợ không được sau ngày hôm nay."
FUTURE_REFERRAL = "Ngày chuyển gửi không được sau ngày hôm nay."
WITHDRAWN = (
    "Người tham gia này đã rút khỏi chương trình: không thể ghi nhận hoạt động sau ngày rút."
)
NO_CONSENT = "Cần có sự đồng ý của người tham gia trước khi ghi danh."
CONSENT_AFTER = "Ngày đồng ý tham gia không được sau ngày ghi danh."
AGE = "Năm sinh không hợp lệ: tuổi của người tham gia phải từ 10 đến 90."
PEER_GROUP_SITE = "Nhóm đồng đẳng không thuộc địa bàn đã chọn."
BOARD = "Số thành viên ban chủ nhiệm không được lớn hơn số thành viên."
FINAL = (
    "Không thể chuyển chuyển gửi từ trạng thái “Hoàn thành” sang “{target}”. "
    "Trạng thái được giữ nguyên."
)
NO_CONSENT_TO_SHARE = (
    "Chưa có sự đồng ý của người tham gia cho chia sẻ thông tin với cơ sở dịch vụ: "
    "không thể chuyển gửi."
)
WITHDRAWN_BEFORE_CONSENT = "Ngày rút khỏi chương trình không được trước ngày đồng ý tham gia."
OTHER_PROVINCE = (
    "Người tham gia này không có trong danh sách của tỉnh/thành phố có địa bàn đã chọn."
)
NEGATIVE_COUNT = "Số lượng không được âm."
TOO_MANY_PEOPLE = "Không được quá 100000 người."
NEGATIVE_COST = "Số tiền phải là số nguyên không âm (VNĐ)."
TOO_MUCH_COST = "Một khoản chi không được quá 100000000000 VNĐ."
NEGATIVE_SUPPORT = "Số tiền phải là số nguyên không âm, tính bằng đồng (ví dụ 3000000)."
TOO_MUCH_SUPPORT = "Một khoản hỗ trợ không được quá 1000000000 VNĐ."
DUPLICATE_CONTACT = (
    "Lần tiếp cận này (cùng người, ngày, địa bàn và hình thức) đã được ghi nhận trước đó."
)
DUPLICATE_REFERRAL = (
    "Người tham gia này đã được chuyển gửi dịch vụ này tại địa bàn này trong ngày đã chọn."
)
# The importer refuses the same key twice in one file with the rule's message and the line.
TWICE_IN_FILE = "(trùng khóa với dòng 2.)"
ADMIN_READ_ONLY = "403"  # the admin is read-only for programme data: refused before any rule

UIC_P = "MATU030795F"  # enrolled at HN-HM-PG on 01/06/2017, in the group Sao đêm
UIC_W = "HOTU250599M"  # enrolled 01/06/2016, withdrawn 01/12/2016
UIC_NEW = "LEVA030392M"  # known nowhere
KEPT = datetime.date(2024, 5, 3)  # UIC_P has an outreach contact and a health check referral

# What each rule is, as the services implement it: rule -> its check functions.
RULE_CHECKS = {
    "lock": {"check_period_open", "check_open_in", "check_change_open"},
    "future": {"check_not_future"},
    "withdrawn": {"check_active"},
    "other_province": {"check_same_province"},
    "consent": {"check_enrolment"},
    "consent_after": {"check_enrolment"},
    "age": {"check_birth_year"},
    "withdrawal_after_consent": {"check_withdrawal"},
    "peer_group_site": {"check_peer_group"},
    "board_members": {"check_peer_group_counts"},
    "final_status": {"check_status_change"},
    "consent_to_share": {"referral_create"},
    # Bounds: a number of people (members, board, workers, trainees), a cost, a support.
    "people_count": {"check_people_count"},
    "cost_amount": {"check_cost_amount"},
    "support_amount": {"check_support_amount"},
    # One record per natural key. The importer updates a key already stored (a re-import is
    # idempotent: not a second record); the same key twice in ONE file is the rule broken, and
    # is refused with the rule's message and the earlier line (TWICE_IN_FILE).
    "one_row_per_key": {"check_contact_key", "check_referral_key"},
}
# Checks made of others (each part is a rule above).
COMPOSITES = {
    "check_event": {"withdrawn", "other_province", "future", "lock"},
    "check_contact": {
        "withdrawn",
        "other_province",
        "future",
        "lock",
        "peer_group_site",
        "one_row_per_key",
    },
    "check_support": {"withdrawn", "other_province", "future", "lock"},
    "check_dated_record_open": {"lock"},
    # The engine of the bounds: 0 to a limit, each bound's own message.
    "check_bounds": {"people_count", "cost_amount", "support_amount"},
    # A provider offered for a service it does not give is not a rule of a dated record: the
    # import names providers by name and province only (no service choice to check).
    "check_provider": set(),
}
RULE_MODULES = (participant_services, referral_services, site_services, lock)

# Which writers can write each dated event of the lock (hand-written).
LOCK_WRITERS = {
    "contact": {"form", "service", "import", "offline", "admin"},
    "enrolment": {"service", "import", "offline", "admin"},
    "withdrawal": {"form", "service", "import", "admin"},
    "support": {"form", "import", "admin"},
    "referral": {"service", "import", "offline", "admin"},
    "referral_transition": {"form", "service", "import"},
    "rights_assessment": {"form", "service", "import", "admin"},
    "establishment_assessment": {"form", "service", "import", "admin"},
    "cost": {"form", "import", "admin"},
    "training": {"form", "import", "admin"},
}
# The import file and the offline kind of each dated event.
IMPORT_FILES = {
    "contacts": "contact",
    "participants": "enrolment",
    "supports": "support",
    "referrals": "referral",
    "rights_assessments": "rights_assessment",
    "establishment_assessments": "establishment_assessment",
    "costs": "cost",
    "trainings": "training",
}
UNDATED_FILES = {"sites", "peer_groups", "establishments", "providers"}
OFFLINE_KINDS = {"contact": "contact", "enrolment": "enrolment", "referral": "referral"}
PROGRAMME_APPS = {"sites", "participants", "referrals"}
# Reference data the admin still edits (no rule of a record depends on a write there).
REFERENCE_MODELS = {Region, Province}


# ---------------------------------------------------------------- the world


@dataclass
class World:
    officer: object
    leader: object
    admin: object
    site: object
    group: object
    provider: object
    person: object
    withdrawn: object
    establishment: object
    open_referral: object
    completed: object
    tmp: object

    def client(self, user):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client


@pytest.fixture
def world(
    officer_hn, leader, admin_user, ministry, hanoi, site_hn, group_hn, provider_hn, tmp_path
):
    person, _ = participant_services.participant_enrol(
        uic=UIC_P,
        category="sex_worker",
        sex="female",
        birth_year=1995,
        residence="temporary",
        consent_on=datetime.date(2017, 6, 1),
        site=site_hn,
        enrolled_on=datetime.date(2017, 6, 1),
        peer_group=group_hn,
    )
    withdrawn, _ = participant_services.participant_enrol(
        uic=UIC_W,
        category="sex_worker",
        sex="female",
        birth_year=1999,
        residence="temporary",
        consent_on=datetime.date(2016, 6, 1),
        site=site_hn,
        enrolled_on=datetime.date(2016, 6, 1),
        peer_group=group_hn,
    )
    participant_services.participant_withdraw(participant=withdrawn, on=datetime.date(2016, 12, 1))
    open_referral = referral_services.referral_create(
        participant=person,
        date=datetime.date(2017, 12, 31),
        site=site_hn,
        service="health_check",
        consent_to_share=True,
        by=officer_hn,
    )
    referral_services.referral_receive(
        referral=open_referral, by=officer_hn, on=datetime.date(2017, 12, 31)
    )
    completed = referral_services.referral_create(
        participant=person,
        date=datetime.date(2017, 11, 1),
        site=site_hn,
        service="legal_aid",
        consent_to_share=True,
        by=officer_hn,
    )
    referral_services.referral_receive(
        referral=completed, by=officer_hn, on=datetime.date(2017, 11, 2)
    )
    referral_services.referral_complete(
        referral=completed, by=officer_hn, on=datetime.date(2017, 11, 20), outcome="service_given"
    )
    establishment = factories.EstablishmentFactory(code="E-HN", site=site_hn)
    participant_services.contact_log(
        participant=person, date=KEPT, site=site_hn, kind="outreach", needs=[]
    )
    referral_services.referral_create(
        participant=person,
        date=KEPT,
        site=site_hn,
        service="health_check",
        consent_to_share=True,
        by=officer_hn,
    )
    period = ReportingPeriod.objects.get(code="2018Q1")
    submission = cycle.submission_submit(period=period, province=hanoi, by=officer_hn)
    cycle.submission_approve(submission=submission, by=ministry)
    return World(
        officer=officer_hn,
        leader=leader,
        admin=admin_user,
        site=site_hn,
        group=group_hn,
        provider=provider_hn,
        person=person,
        withdrawn=withdrawn,
        establishment=establishment,
        open_referral=open_referral,
        completed=completed,
        tmp=tmp_path,
    )


# ---------------------------------------------------------------- the writers


def page(w, name, data, *, args=(), user=None):
    """A form posted as the Hà Nội officer: the page's text (its messages are in it)."""
    client = w.client(user or w.officer)
    response = client.post(reverse(name, args=args), data, follow=True)
    text = html.unescape(response.content.decode())
    return [text, *(str(m) for m in get_messages(response.wsgi_request))]


def service(call):
    try:
        call()
    except ValidationError as error:
        return error.messages
    return []


IMPORT_HEADERS = {
    "contacts": "uic,date,site,peer_group,kind,needs",
    "participants": "uic,category,sex,birth_year,residence,enrolled_on,site,consent_on,"
    "withdrawn_on",
    "referrals": "uic,date,site,service,provider,status,completed_on,consent",
    "supports": "uic,date,site,kind,amount_vnd,referral_date,referral_service",
    "rights_assessments": "uic,establishment,date,labour_contract,wages_paid,protected_at_work,"
    "health_care,counselling_access,free_to_change_job,social_insurance,health_insurance",
    "establishment_assessments": "establishment,date,owner_commitment,contracts,wages_on_time,"
    "health_checks,workers_informed,no_violations",
    "costs": "site,date,category,amount_vnd",
    "trainings": "site,date,audience,trainees",
    "peer_groups": "code,name,site,kind,founded_on,members,board_members",
    "establishments": "code,site,kind,workers",
}


def imported(w, name, *rows):
    folder = w.tmp / f"in-{name}-{abs(hash(rows))}"
    folder.mkdir()
    lines = "".join(f"{row}\n" for row in rows)
    (folder / f"{name}.csv").write_text(f"{IMPORT_HEADERS[name]}\n{lines}", encoding="utf-8")
    sources, errors = read_directory(folder)
    result = import_exchange(sources=sources, user=w.officer, read_errors=errors)
    return [error.reason for error in result.errors]


def offline(w, kind, fields):
    response = send(w.client(w.leader), seal(fields, user=w.leader, kind=kind))
    assert response.status_code == 200, response.content
    return [message for item in response.json()["results"] for message in item["errors"]]


def admin_post(w, model, obj=None):
    """The admin's add (or change) page posted by the superuser: its status code."""
    meta = model._meta
    if obj is None:
        url = f"/admin/{meta.app_label}/{meta.model_name}/add/"
    else:
        url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"
    return [str(w.client(w.admin).post(url, {"date": "2018-02-10"}).status_code)]


def _enrol(w, **overrides):
    arguments = {
        "uic": UIC_NEW,
        "category": "sex_worker",
        "sex": "female",
        "birth_year": 1995,
        "residence": "temporary",
        "consent_on": D,
        "site": w.site,
        "enrolled_on": D,
        **overrides,
    }
    return lambda: participant_services.participant_enrol(**arguments)


def _offline_enrolment(**overrides):
    return {
        "step": "answers",
        "mother_name": "Mai",
        "father_name": "Tuấn",
        "birth_date": "1995-07-03",
        "sex": "female",
        "category": "sex_worker",
        "residence": "temporary",
        "enrolled_on": "2018-02-10",
        "consent": "on",
        "consent_on": "2018-02-10",
        **overrides,
    }


def _contact_form(w, **overrides):
    return {
        "participant_code": w.person.code,
        "date": "2018-02-10",
        "kind": "outreach",
        "site": str(w.site.pk),
        **overrides,
    }


ASSESSMENT_FLAGS = "yes,yes,yes,yes,yes,yes"


# ---------------------------------------------------------------- the table

MATRIX = {
    # ---- the lock, one message for every dated event and writer
    ("lock", "contact", "form"): (
        lambda w: page(w, "participants:contact_new", _contact_form(w)),
        LOCKED,
    ),
    ("lock", "contact", "service"): (
        lambda w: service(
            lambda: participant_services.contact_log(
                participant=w.person, date=D, site=w.site, kind="outreach", needs=[]
            )
        ),
        LOCKED,
    ),
    ("lock", "contact", "import"): (
        lambda w: imported(w, "contacts", f"{UIC_P},2018-02-10,HN-HM-PG,,outreach,"),
        LOCKED,
    ),
    ("lock", "contact", "offline"): (
        lambda w: offline(
            w,
            "contact",
            {"participant_code": w.person.code, "date": "2018-02-10", "kind": "outreach"},
        ),
        LOCKED,
    ),
    ("lock", "contact", "admin"): (lambda w: admin_post(w, Contact), ADMIN_READ_ONLY),
    ("lock", "enrolment", "service"): (lambda w: service(_enrol(w)), LOCKED),
    ("lock", "enrolment", "import"): (
        lambda w: imported(
            w,
            "participants",
            f"{UIC_NEW},sex_worker,female,1995,temporary,2018-02-10,HN-HM-PG,2018-02-10,",
        ),
        LOCKED,
    ),
    ("lock", "enrolment", "offline"): (
        lambda w: offline(w, "enrolment", _offline_enrolment()),
        LOCKED,
    ),
    ("lock", "enrolment", "admin"): (lambda w: admin_post(w, Enrolment), ADMIN_READ_ONLY),
    ("lock", "withdrawal", "form"): (
        lambda w: page(
            w,
            "participants:participant_withdraw",
            {"withdrawn_on": "2018-02-10"},
            args=[w.person.pk],
        ),
        LOCKED,
    ),
    ("lock", "withdrawal", "service"): (
        lambda w: service(
            lambda: participant_services.participant_withdraw(participant=w.person, on=D)
        ),
        LOCKED,
    ),
    ("lock", "withdrawal", "import"): (
        lambda w: imported(
            w,
            "participants",
            f"{UIC_P},sex_worker,female,1995,temporary,2017-06-01,HN-HM-PG,2017-06-01,2018-02-10",
        ),
        LOCKED,
    ),
    ("lock", "withdrawal", "admin"): (
        lambda w: admin_post(w, Participant, w.person),
        ADMIN_READ_ONLY,
    ),
    ("lock", "support", "form"): (
        lambda w: page(
            w,
            "referrals:support_new",
            {
                "participant": w.person.code,
                "site": str(w.site.pk),
                "date": "2018-02-10",
                "kind": "loan",
                "amount_vnd": "1000000",
            },
        ),
        LOCKED,
    ),
    ("lock", "support", "import"): (
        lambda w: imported(w, "supports", f"{UIC_P},2018-02-10,HN-HM-PG,loan,1000000,,"),
        LOCKED,
    ),
    ("lock", "support", "admin"): (lambda w: admin_post(w, Support), ADMIN_READ_ONLY),
    ("lock", "referral", "service"): (
        lambda w: service(
            lambda: referral_services.referral_create(
                participant=w.person,
                date=D,
                site=w.site,
                service="loan",
                consent_to_share=True,
                by=w.officer,
            )
        ),
        LOCKED,
    ),
    ("lock", "referral", "import"): (
        lambda w: imported(w, "referrals", f"{UIC_P},2018-02-10,HN-HM-PG,loan,,referred,,yes"),
        LOCKED,
    ),
    ("lock", "referral", "offline"): (
        lambda w: offline(
            w,
            "referral",
            {
                "participant": w.person.code,
                "date": "2018-02-10",
                "service": "loan",
                "consent_to_share": "on",
            },
        ),
        LOCKED,
    ),
    ("lock", "referral", "admin"): (lambda w: admin_post(w, Referral), ADMIN_READ_ONLY),
    # A referral of 31/12/2017 (open period) completed on 10/02/2018 (locked).
    ("lock", "referral_transition", "form"): (
        lambda w: page(
            w,
            "referrals:referral_transition",
            {"on": "2018-02-10", "outcome": "service_given"},
            args=[w.open_referral.pk, "complete"],
        ),
        LOCKED,
    ),
    ("lock", "referral_transition", "service"): (
        lambda w: service(
            lambda: referral_services.referral_complete(
                referral=w.open_referral, by=w.officer, on=D, outcome="service_given"
            )
        ),
        LOCKED,
    ),
    ("lock", "referral_transition", "import"): (
        lambda w: imported(
            w, "referrals", f"{UIC_P},2017-12-31,HN-HM-PG,health_check,,completed,2018-02-10,yes"
        ),
        LOCKED,
    ),
    ("lock", "rights_assessment", "form"): (
        lambda w: page(
            w,
            "participants:rights_assessment_new",
            {
                "participant_code": w.person.code,
                "establishment": str(w.establishment.pk),
                "date": "2018-02-10",
            },
        ),
        LOCKED,
    ),
    ("lock", "rights_assessment", "service"): (
        lambda w: service(
            lambda: participant_services.rights_assessment_record(
                participant=w.person, establishment=w.establishment, date=D, answers={}
            )
        ),
        LOCKED,
    ),
    ("lock", "rights_assessment", "import"): (
        lambda w: imported(
            w, "rights_assessments", f"{UIC_P},E-HN,2018-02-10,{ASSESSMENT_FLAGS},yes,yes"
        ),
        LOCKED,
    ),
    ("lock", "rights_assessment", "admin"): (
        lambda w: admin_post(w, RightsAssessment),
        ADMIN_READ_ONLY,
    ),
    ("lock", "establishment_assessment", "form"): (
        lambda w: page(
            w,
            "participants:establishment_assessment_new",
            {"establishment": str(w.establishment.pk), "date": "2018-02-10"},
        ),
        LOCKED,
    ),
    ("lock", "establishment_assessment", "service"): (
        lambda w: service(
            lambda: participant_services.establishment_assessment_record(
                establishment=w.establishment, date=D, answers={}
            )
        ),
        LOCKED,
    ),
    ("lock", "establishment_assessment", "import"): (
        lambda w: imported(w, "establishment_assessments", f"E-HN,2018-02-10,{ASSESSMENT_FLAGS}"),
        LOCKED,
    ),
    ("lock", "establishment_assessment", "admin"): (
        lambda w: admin_post(w, EstablishmentAssessment),
        ADMIN_READ_ONLY,
    ),
    ("lock", "cost", "form"): (
        lambda w: page(
            w,
            "sites:cost_create",
            {"site": str(w.site.pk), "date": "2018-02-10", "category": "staff", "amount_vnd": "1"},
        ),
        LOCKED,
    ),
    ("lock", "cost", "import"): (
        lambda w: imported(w, "costs", "HN-HM-PG,2018-02-10,staff,1000"),
        LOCKED,
    ),
    ("lock", "cost", "admin"): (lambda w: admin_post(w, Cost), ADMIN_READ_ONLY),
    ("lock", "training", "form"): (
        lambda w: page(
            w,
            "sites:training_create",
            {
                "site": str(w.site.pk),
                "date": "2018-02-10",
                "audience": "peer_leaders",
                "trainees": "3",
            },
        ),
        LOCKED,
    ),
    ("lock", "training", "import"): (
        lambda w: imported(w, "trainings", "HN-HM-PG,2018-02-10,peer_leaders,3"),
        LOCKED,
    ),
    ("lock", "training", "admin"): (lambda w: admin_post(w, Training), ADMIN_READ_ONLY),
    # ---- no date after today
    ("future", "contact", "form"): (
        lambda w: page(
            w, "participants:contact_new", _contact_form(w, date=tomorrow().isoformat())
        ),
        FUTURE_CONTACT,
    ),
    ("future", "contact", "service"): (
        lambda w: service(
            lambda: participant_services.contact_log(
                participant=w.person, date=tomorrow(), site=w.site, kind="outreach", needs=[]
            )
        ),
        FUTURE_CONTACT,
    ),
    ("future", "contact", "import"): (
        lambda w: imported(w, "contacts", f"{UIC_P},{tomorrow().isoformat()},HN-HM-PG,,outreach,"),
        FUTURE_CONTACT,
    ),
    ("future", "contact", "offline"): (
        lambda w: offline(
            w,
            "contact",
            {"participant_code": w.person.code, "date": tomorrow().isoformat(), "kind": "outreach"},
        ),
        FUTURE_CONTACT,
    ),
    ("future", "establishment_assessment", "form"): (
        lambda w: page(
            w,
            "participants:establishment_assessment_new",
            {"establishment": str(w.establishment.pk), "date": tomorrow().isoformat()},
        ),
        FUTURE_ASSESSMENT,
    ),
    ("future", "establishment_assessment", "service"): (
        lambda w: service(
            lambda: participant_services.establishment_assessment_record(
                establishment=w.establishment, date=tomorrow(), answers={}
            )
        ),
        FUTURE_ASSESSMENT,
    ),
    ("future", "establishment_assessment", "import"): (
        lambda w: imported(
            w, "establishment_assessments", f"E-HN,{tomorrow().isoformat()},{ASSESSMENT_FLAGS}"
        ),
        FUTURE_ASSESSMENT,
    ),
    ("future", "support", "form"): (
        lambda w: page(
            w,
            "referrals:support_new",
            {
                "participant": w.person.code,
                "site": str(w.site.pk),
                "date": tomorrow().isoformat(),
                "kind": "loan",
                "amount_vnd": "1000000",
            },
        ),
        FUTURE_SUPPORT,
    ),
    ("future", "support", "import"): (
        lambda w: imported(
            w, "supports", f"{UIC_P},{tomorrow().isoformat()},HN-HM-PG,loan,1000000,,"
        ),
        FUTURE_SUPPORT,
    ),
    ("future", "referral", "service"): (
        lambda w: service(
            lambda: referral_services.referral_create(
                participant=w.person,
                date=tomorrow(),
                site=w.site,
                service="loan",
                consent_to_share=True,
                by=w.officer,
            )
        ),
        FUTURE_REFERRAL,
    ),
    ("future", "referral", "import"): (
        lambda w: imported(
            w, "referrals", f"{UIC_P},{tomorrow().isoformat()},HN-HM-PG,loan,,referred,,yes"
        ),
        FUTURE_REFERRAL,
    ),
    ("future", "referral", "offline"): (
        lambda w: offline(
            w,
            "referral",
            {
                "participant": w.person.code,
                "date": tomorrow().isoformat(),
                "service": "loan",
                "consent_to_share": "on",
            },
        ),
        FUTURE_REFERRAL,
    ),
    # ---- nothing after a withdrawal
    ("withdrawn", "contact", "form"): (
        lambda w: page(
            w,
            "participants:contact_new",
            _contact_form(w, participant_code=w.withdrawn.code, date="2024-05-02"),
        ),
        WITHDRAWN,
    ),
    ("withdrawn", "contact", "service"): (
        lambda w: service(
            lambda: participant_services.contact_log(
                participant=w.withdrawn,
                date=datetime.date(2024, 5, 2),
                site=w.site,
                kind="outreach",
                needs=[],
            )
        ),
        WITHDRAWN,
    ),
    ("withdrawn", "contact", "import"): (
        lambda w: imported(w, "contacts", f"{UIC_W},2024-05-02,HN-HM-PG,,outreach,"),
        WITHDRAWN,
    ),
    # ---- a participant of another province
    ("other_province", "contact", "service"): (
        lambda w: service(
            lambda: participant_services.contact_log(
                participant=w.person,
                date=datetime.date(2024, 5, 2),
                site=_cantho_site(),
                kind="outreach",
                needs=[],
            )
        ),
        OTHER_PROVINCE,
    ),
    # ---- consent before enrolment
    ("consent", "enrolment", "service"): (
        lambda w: service(_enrol(w, enrolled_on=datetime.date(2024, 5, 2), consent_on=None)),
        NO_CONSENT,
    ),
    ("consent", "enrolment", "import"): (
        lambda w: imported(
            w, "participants", f"{UIC_NEW},sex_worker,female,1995,temporary,2024-05-02,HN-HM-PG,,"
        ),
        NO_CONSENT,
    ),
    ("consent", "enrolment", "offline"): (
        lambda w: offline(
            w,
            "enrolment",
            _offline_enrolment(enrolled_on="2024-05-02", consent_on="2024-05-02", consent=""),
        ),
        NO_CONSENT,
    ),
    ("consent_after", "enrolment", "service"): (
        lambda w: service(
            _enrol(w, enrolled_on=datetime.date(2024, 5, 2), consent_on=datetime.date(2024, 6, 1))
        ),
        CONSENT_AFTER,
    ),
    ("consent_after", "enrolment", "import"): (
        lambda w: imported(
            w,
            "participants",
            f"{UIC_NEW},sex_worker,female,1995,temporary,2024-05-02,HN-HM-PG,2024-06-01,",
        ),
        CONSENT_AFTER,
    ),
    ("consent_after", "enrolment", "offline"): (
        lambda w: offline(
            w, "enrolment", _offline_enrolment(enrolled_on="2024-05-02", consent_on="2024-06-01")
        ),
        CONSENT_AFTER,
    ),
    ("age", "enrolment", "service"): (
        lambda w: service(
            _enrol(
                w,
                birth_year=2020,
                enrolled_on=datetime.date(2024, 5, 2),
                consent_on=datetime.date(2024, 5, 2),
            )
        ),
        AGE,
    ),
    ("age", "enrolment", "import"): (
        lambda w: imported(
            w,
            "participants",
            f"{UIC_NEW},sex_worker,female,2020,temporary,2024-05-02,HN-HM-PG,2024-05-02,",
        ),
        AGE,
    ),
    ("withdrawal_after_consent", "withdrawal", "service"): (
        lambda w: service(
            lambda: participant_services.participant_withdraw(
                participant=w.person, on=datetime.date(2017, 1, 1)
            )
        ),
        WITHDRAWN_BEFORE_CONSENT,
    ),
    ("withdrawal_after_consent", "withdrawal", "form"): (
        lambda w: page(
            w,
            "participants:participant_withdraw",
            {"withdrawn_on": "2017-01-01"},
            args=[w.person.pk],
        ),
        WITHDRAWN_BEFORE_CONSENT,
    ),
    ("withdrawal_after_consent", "withdrawal", "import"): (
        lambda w: imported(
            w,
            "participants",
            f"{UIC_P},sex_worker,female,1995,temporary,2017-06-01,HN-HM-PG,2017-06-01,2017-01-01",
        ),
        WITHDRAWN_BEFORE_CONSENT,
    ),
    # ---- a peer group of the event's site
    ("peer_group_site", "contact", "form"): (
        lambda w: page(
            w,
            "participants:contact_new",
            _contact_form(w, date="2024-05-02", peer_group=str(_other_group().pk)),
        ),
        PEER_GROUP_SITE,
    ),
    ("peer_group_site", "contact", "service"): (
        lambda w: service(
            lambda: participant_services.contact_log(
                participant=w.person,
                date=datetime.date(2024, 5, 2),
                site=w.site,
                kind="outreach",
                needs=[],
                peer_group=_other_group(),
            )
        ),
        PEER_GROUP_SITE,
    ),
    ("peer_group_site", "contact", "import"): (
        lambda w: (
            _other_group(),
            imported(w, "contacts", f"{UIC_P},2024-05-02,HN-HM-PG,G-OT,outreach,"),
        )[1],
        PEER_GROUP_SITE,
    ),
    # ---- a peer group's board drawn from its members
    ("board_members", "peer_group", "form"): (
        lambda w: page(
            w,
            "sites:peergroup_create",
            {
                "code": "G-NEW",
                "name": "Mới",
                "site": str(w.site.pk),
                "kind": "club",
                "founded_on": "2020-01-01",
                "members": "3",
                "board_members": "9",
            },
        ),
        BOARD,
    ),
    ("board_members", "peer_group", "import"): (
        lambda w: imported(w, "peer_groups", "G-NEW,Mới,HN-HM-PG,club,2020-01-01,3,9"),
        BOARD,
    ),
    ("board_members", "peer_group", "admin"): (
        lambda w: admin_post(w, PeerGroup, w.group),
        ADMIN_READ_ONLY,
    ),
    # ---- a completed referral is final
    ("final_status", "referral_transition", "service"): (
        lambda w: service(
            lambda: referral_services.referral_lose(referral=w.completed, by=w.officer)
        ),
        FINAL.format(target="Mất dấu"),
    ),
    ("final_status", "referral_transition", "form"): (
        lambda w: page(w, "referrals:referral_transition", {}, args=[w.completed.pk, "lose"]),
        FINAL.format(target="Mất dấu"),
    ),
    ("final_status", "referral_transition", "import"): (
        lambda w: imported(w, "referrals", f"{UIC_P},2017-11-01,HN-HM-PG,legal_aid,,lost,,yes"),
        FINAL.format(target="Mất dấu"),
    ),
    ("final_status", "referral_completed_on", "import"): (
        lambda w: imported(
            w, "referrals", f"{UIC_P},2017-11-01,HN-HM-PG,legal_aid,,completed,2017-11-25,yes"
        ),
        FINAL.format(target="Hoàn thành"),
    ),
    # ---- consent to share before a referral
    ("consent_to_share", "referral", "service"): (
        lambda w: service(
            lambda: referral_services.referral_create(
                participant=w.person,
                date=datetime.date(2024, 5, 2),
                site=w.site,
                service="loan",
                consent_to_share=False,
                by=w.officer,
            )
        ),
        NO_CONSENT_TO_SHARE,
    ),
    ("consent_to_share", "referral", "import"): (
        lambda w: imported(w, "referrals", f"{UIC_P},2024-05-02,HN-HM-PG,loan,,referred,,no"),
        NO_CONSENT_TO_SHARE,
    ),
    # ---- bounds: the form's message on every writer (the admin is read-only)
    ("people_count", "peer_group", "form"): (
        lambda w: page(w, "sites:peergroup_create", _peer_group_form(w, members="-1")),
        NEGATIVE_COUNT,
    ),
    ("people_count", "peer_group", "import"): (
        lambda w: imported(w, "peer_groups", "G-NEW,Mới,HN-HM-PG,club,2020-01-01,100001,0"),
        TOO_MANY_PEOPLE,
    ),
    ("people_count", "peer_group", "admin"): (
        lambda w: admin_post(w, PeerGroup, w.group),
        ADMIN_READ_ONLY,
    ),
    ("people_count", "establishment", "form"): (
        lambda w: page(
            w,
            "sites:establishment_create",
            {"code": "E-NEW", "site": str(w.site.pk), "kind": _kind(), "workers": "100001"},
        ),
        TOO_MANY_PEOPLE,
    ),
    ("people_count", "establishment", "import"): (
        lambda w: imported(w, "establishments", f"E-NEW,HN-HM-PG,{_kind()},-3"),
        NEGATIVE_COUNT,
    ),
    ("people_count", "establishment", "admin"): (
        lambda w: admin_post(w, Establishment, w.establishment),
        ADMIN_READ_ONLY,
    ),
    ("people_count", "training", "form"): (
        lambda w: page(
            w,
            "sites:training_create",
            {
                "site": str(w.site.pk),
                "date": "2024-05-02",
                "audience": "peer_leaders",
                "trainees": "-1",
            },
        ),
        NEGATIVE_COUNT,
    ),
    ("people_count", "training", "import"): (
        lambda w: imported(w, "trainings", "HN-HM-PG,2024-05-02,peer_leaders,100001"),
        TOO_MANY_PEOPLE,
    ),
    ("people_count", "training", "admin"): (lambda w: admin_post(w, Training), ADMIN_READ_ONLY),
    ("cost_amount", "cost", "form"): (
        lambda w: page(
            w,
            "sites:cost_create",
            {
                "site": str(w.site.pk),
                "date": "2024-05-02",
                "category": "staff",
                "amount_vnd": "100000000001",
            },
        ),
        TOO_MUCH_COST,
    ),
    ("cost_amount", "cost", "import"): (
        lambda w: imported(w, "costs", "HN-HM-PG,2024-05-02,staff,-1000"),
        NEGATIVE_COST,
    ),
    ("cost_amount", "cost", "admin"): (lambda w: admin_post(w, Cost), ADMIN_READ_ONLY),
    ("support_amount", "support", "form"): (
        lambda w: page(
            w,
            "referrals:support_new",
            {
                "participant": w.person.code,
                "site": str(w.site.pk),
                "date": "2024-05-02",
                "kind": "loan",
                "amount_vnd": "-5",
            },
        ),
        NEGATIVE_SUPPORT,
    ),
    ("support_amount", "support", "import"): (
        lambda w: imported(w, "supports", f"{UIC_P},2024-05-02,HN-HM-PG,loan,1000000001,,"),
        TOO_MUCH_SUPPORT,
    ),
    ("support_amount", "support", "admin"): (lambda w: admin_post(w, Support), ADMIN_READ_ONLY),
    # ---- one record per key (KEPT: the world's contact and referral of 03/05/2024)
    ("one_row_per_key", "contact", "form"): (
        lambda w: page(w, "participants:contact_new", _contact_form(w, date=KEPT.isoformat())),
        DUPLICATE_CONTACT,
    ),
    ("one_row_per_key", "contact", "service"): (
        lambda w: service(
            lambda: participant_services.contact_log(
                participant=w.person, date=KEPT, site=w.site, kind="outreach", needs=[]
            )
        ),
        DUPLICATE_CONTACT,
    ),
    ("one_row_per_key", "contact", "offline"): (
        lambda w: offline(
            w,
            "contact",
            {"participant_code": w.person.code, "date": KEPT.isoformat(), "kind": "outreach"},
        ),
        DUPLICATE_CONTACT,
    ),
    ("one_row_per_key", "contact", "import"): (
        lambda w: imported(
            w,
            "contacts",
            f"{UIC_P},2024-05-04,HN-HM-PG,,outreach,",
            f"{UIC_P},04/05/2024,HN-HM-PG,,outreach,",
        ),
        f"{DUPLICATE_CONTACT} {TWICE_IN_FILE}",
    ),
    ("one_row_per_key", "referral", "form"): (
        lambda w: page(
            w,
            "referrals:referral_new",
            {
                "participant": w.person.code,
                "date": KEPT.isoformat(),
                "site": str(w.site.pk),
                "service": "health_check",
                "consent_to_share": "on",
            },
        ),
        DUPLICATE_REFERRAL,
    ),
    ("one_row_per_key", "referral", "service"): (
        lambda w: service(
            lambda: referral_services.referral_create(
                participant=w.person,
                date=KEPT,
                site=w.site,
                service="health_check",
                consent_to_share=True,
                by=w.officer,
            )
        ),
        DUPLICATE_REFERRAL,
    ),
    ("one_row_per_key", "referral", "offline"): (
        lambda w: offline(
            w,
            "referral",
            {
                "participant": w.person.code,
                "date": KEPT.isoformat(),
                "service": "health_check",
                "consent_to_share": "on",
            },
        ),
        DUPLICATE_REFERRAL,
    ),
    ("one_row_per_key", "referral", "import"): (
        lambda w: imported(
            w,
            "referrals",
            f"{UIC_P},2024-05-04,HN-HM-PG,loan,,referred,,yes",
            f"{UIC_P},2024-05-04,HN-HM-PG,loan,,referred,,yes",
        ),
        f"{DUPLICATE_REFERRAL} {TWICE_IN_FILE}",
    ),
}


def _peer_group_form(w, **overrides):
    return {
        "code": "G-NEW",
        "name": "Mới",
        "site": str(w.site.pk),
        "kind": "club",
        "founded_on": "2020-01-01",
        "members": "3",
        "board_members": "1",
        **overrides,
    }


def _kind():
    return Establishment.Kind.values[0]


def _cantho_site():
    found = Site.objects.filter(code="CT-X").first()
    return found or factories.SiteFactory(code="CT-X", province=factories.province("92"))


def _other_group():
    """A peer group of another Hà Nội site."""
    found = PeerGroup.objects.filter(code="G-OT").first()
    if found is not None:
        return found
    return factories.PeerGroupFactory(code="G-OT", site=factories.SiteFactory(code="HN-OT"))


PROGRAMME_MODELS = (
    Site,
    Establishment,
    PeerGroup,
    Cost,
    Training,
    Participant,
    Enrolment,
    Contact,
    RightsAssessment,
    EstablishmentAssessment,
    Provider,
    Referral,
    ReferralEvent,
    Support,
)


def snapshot():
    """Every programme record, with its version where it has one: nothing may change."""
    rows = {}
    for model in PROGRAMME_MODELS:
        fields = ["pk", "version"] if hasattr(model, "version") else ["pk"]
        rows[model.__name__] = sorted(model.objects.values_list(*fields))
    return rows


# ---------------------------------------------------------------- the cells


@pytest.mark.django_db
@pytest.mark.parametrize("cell", sorted(MATRIX), ids=lambda cell: "-".join(cell))
def test_each_cell_refuses_with_the_rule_s_message_and_writes_nothing(world, cell):
    attempt, message = MATRIX[cell]
    # Created before the snapshot: the cells that name them write nothing.
    _other_group()
    _cantho_site()
    before = snapshot()
    with transaction.atomic():
        said = attempt(world)
        after = snapshot()
        transaction.set_rollback(True)
    if message == ADMIN_READ_ONLY:
        assert said == [ADMIN_READ_ONLY], cell
    else:
        assert any(message in text for text in said), (cell, said)
    assert after == before, cell


# ---------------------------------------------------------------- the table's coverage


def registered_checks():
    """The rule checks the services and the lock define: `check_*` functions, and the service
    that holds a rule of its own (`referral_create`: consent to share)."""
    found = set()
    for module in RULE_MODULES:
        for name, value in vars(module).items():
            if (
                name.startswith("check_")
                and inspect.isfunction(value)
                and value.__module__ == module.__name__
            ):
                found.add(name)
    return found


def test_every_rule_check_of_the_services_is_in_the_table():
    named = set().union(*RULE_CHECKS.values()) | set(COMPOSITES)
    missing = registered_checks() - named
    assert not missing, f"rule checks with no line in RULE_CHECKS or COMPOSITES: {missing}"
    gone = {name for name in named if name.startswith("check_")} - registered_checks()
    assert not gone, f"lines for checks that no longer exist: {gone}"
    for parts in COMPOSITES.values():
        assert parts <= set(RULE_CHECKS)


def test_every_rule_has_rows_and_every_row_a_known_rule():
    rules = {rule for rule, _event, _writer in MATRIX}
    assert rules == set(RULE_CHECKS)


def test_every_dated_event_has_a_lock_row_for_each_of_its_writers():
    assert set(LOCK_WRITERS) == set(lock.LOCKED_EVENTS)
    have = {(event, writer) for rule, event, writer in MATRIX if rule == "lock"}
    want = {(event, writer) for event, writers in LOCK_WRITERS.items() for writer in writers}
    assert want - have == set(), "lock cells missing from MATRIX"
    assert have - want == set(), "lock cells for writers not listed in LOCK_WRITERS"


def test_every_import_file_and_offline_kind_is_a_writer_of_the_table():
    assert set(registered()) == set(IMPORT_FILES) | UNDATED_FILES
    for name, event in IMPORT_FILES.items():
        assert ("lock", event, "import") in MATRIX, name
    assert set(RECORDERS) == set(OFFLINE_KINDS)
    for kind, event in OFFLINE_KINDS.items():
        assert ("lock", event, "offline") in MATRIX, kind


def test_the_admin_is_read_only_for_every_programme_model_and_each_has_its_row(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    registered = {
        model
        for model in admin.site._registry
        if model._meta.app_label in PROGRAMME_APPS and model not in REFERENCE_MODELS
    }
    for model in registered:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        assert model_admin.has_view_permission(request), model
    dated = {
        Contact,
        Enrolment,
        Participant,
        Support,
        Referral,
        RightsAssessment,
        EstablishmentAssessment,
        Cost,
        Training,
    }
    # Structure without a dated rule (sites, establishments, providers) is read-only too.
    assert dated | {PeerGroup, Site, Establishment, Provider} == registered
    admin_rows = {event for _rule, event, writer in MATRIX if writer == "admin"}
    assert admin_rows == {e for e, writers in LOCK_WRITERS.items() if "admin" in writers} | {
        "peer_group",
        "establishment",
    }
