"""The import preview (a dry run) writes nothing and holds no write lock, yet gives the errors and
new/updated counts the confirmation gives: later files of the same upload find the records the
earlier ones would create (issue 14)."""

import datetime
import io
import re
import threading
import zipfile

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ActivityEvent
from exchange import contract
from exchange.reader import read_directory
from exchange.services import import_exchange
from participants.models import Participant, RightsAssessment
from participants.services import PEER_GROUP_SITE, WITHDRAWN
from referrals.models import Support
from sites.models import Site
from tests import factories

from .conftest import HEADERS, UIC_A, snapshot

UIC_X = "NGUY010190F"  # known in Hà Nội: withdrawn by the upload
UIC_CT = "TRAN020291F"  # known only in Cần Thơ
UIC_N = "LEVA030392M"  # known nowhere
NEW_PROVIDER = "Nhà tạm lánh Hà Nội"

FILE_HEADERS = {
    **HEADERS,
    "providers": "name,province,services,location,accepts_without_residence,eligibility,"
    "contact_channel",
    "participants": "uic,category,sex,birth_year,residence,enrolled_on,site,peer_group,"
    "consent_on,withdrawn_on",
    "supports": "uic,date,site,kind,amount_vnd,referral_date,referral_service",
}
PARTICIPANT_ROWS = [
    # A new person at a new site, in a new group of that site.
    f"{UIC_A},sex_worker,female,1995,temporary,2020-03-01,HN-NEW,G-NEW,2020-03-01,",
    # The Hà Nội record of UIC_X, withdrawn from 30/06/2020.
    f"{UIC_X},sex_worker,female,1995,temporary,2019-01-10,HN-HM-PG,,2019-01-10,2020-06-30",
]


def upload_files():
    """Every file, each row naming what an earlier file of the same upload creates or changes:
    the new site, group, establishment, provider, participant record and referral."""
    return {
        "sites": [
            "HN-NEW,Đống Đa,01,Đống Đa,community,pilot,2020-01-01,",
            "HN-HM-PG,Hoàng Mai mới,01,Hoàng Mai,peer_groups,pilot,2016-06-01,",
        ],
        "peer_groups": ["G-NEW,Hoa Sen,HN-NEW,club,2020-02-01,15,4"],
        "establishments": ["E-NEW,HN-NEW,karaoke,12"],
        "providers": [f"{NEW_PROVIDER},01,shelter;counselling,Đống Đa,yes,,"],
        "participants": PARTICIPANT_ROWS,
        "contacts": [
            f"{UIC_A},2020-03-05,HN-NEW,G-NEW,outreach,shelter",
            f"{UIC_X},2020-06-01,HN-HM-PG,,counselling,",
        ],
        "referrals": [f"{UIC_A},2020-03-05,HN-NEW,shelter,{NEW_PROVIDER},referred,,yes"],
        "supports": [f"{UIC_A},2020-03-20,HN-NEW,other,500000,2020-03-05,shelter"],
        "rights_assessments": [f"{UIC_A},E-NEW,2020-04-01,yes,yes,yes,yes,yes,yes,no,yes"],
        "establishment_assessments": ["E-NEW,2020-04-01,yes,yes,yes,no,yes,yes"],
        "costs": ["HN-NEW,2020-06-30,staff,15000000"],
        "trainings": ["HN-NEW,2020-05-01,peer_leaders,12"],
    }


def new(n):
    return {"new": n, "updated": 0, "unchanged": 0}


EXPECTED_COUNTS = {
    "sites": {"new": 1, "updated": 1, "unchanged": 0},
    "peer_groups": new(1),
    "establishments": new(1),
    "providers": new(1),
    "participants": {"new": 1, "updated": 1, "unchanged": 0},
    "contacts": new(2),
    "referrals": new(1),
    "supports": new(1),
    "rights_assessments": new(1),
    "establishment_assessments": new(1),
    "costs": new(1),
    "trainings": new(1),
}


def write_folder(path, files):
    for name, lines in files.items():
        text = "\n".join([FILE_HEADERS[name], *lines]) + "\n"
        (path / f"{name}.csv").write_text(text, encoding="utf-8")
    return path


def zip_upload(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, lines in files.items():
            archive.writestr(f"{name}.csv", "\n".join([FILE_HEADERS[name], *lines]) + "\n")
    buffer.seek(0)
    buffer.name = "data.zip"
    return buffer


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.EXCHANGE_UPLOAD_DIR = str(tmp_path / "uploads")


@pytest.fixture
def known(site_hn, cantho):
    """UIC_X enrolled in Hà Nội (at HN-HM-PG); UIC_CT known only in Cần Thơ."""
    record = factories.ParticipantFactory(uic=UIC_X)
    factories.EnrolmentFactory(
        participant=record, site=site_hn, enrolled_on=datetime.date(2019, 1, 10)
    )
    factories.ParticipantFactory(uic=UIC_CT, province=cantho)
    return record


def import_events():
    return list(ActivityEvent.objects.filter(kind=ActivityEvent.Kind.IMPORT).order_by("id"))


@pytest.mark.django_db
def test_the_preview_counts_what_the_confirmation_writes_and_writes_nothing(
    client_for, officer_hn, provider_hn, known
):
    client = client_for(officer_hn)
    before = snapshot()
    response = client.post(reverse("exchange:import"), {"file": zip_upload(upload_files())})
    assert response.context["errors"] == []
    shown = {
        filename: {"new": c.new, "updated": c.updated, "unchanged": c.unchanged}
        for filename, c in response.context["counts"]
    }
    assert shown == {f"{name}.csv": counts for name, counts in EXPECTED_COUNTS.items()}
    assert snapshot() == before

    response = client.post(reverse("exchange:import"), {"action": "confirm"})
    assert response.status_code == 302
    preview, confirmation = import_events()
    assert preview.detail["counts"] == EXPECTED_COUNTS
    assert confirmation.detail["counts"] == EXPECTED_COUNTS
    assert (preview.detail["written"], confirmation.detail["written"]) == (False, True)
    # What the confirmation wrote is what the preview counted.
    assert Participant.objects.count() == 3
    assert Participant.objects.get(pk=known.pk).withdrawn_on == datetime.date(2020, 6, 30)
    assert Site.objects.get(code="HN-HM-PG").name == "Hoàng Mai mới"
    support = Support.objects.get()
    assert (support.referral.provider.name, support.referral.site.code) == (NEW_PROVIDER, "HN-NEW")
    assessment = RightsAssessment.objects.get()
    assert (assessment.establishment.code, assessment.participant.enrolments.get().site.code) == (
        "E-NEW",
        "HN-NEW",
    )


@pytest.mark.django_db
def test_the_preview_gives_the_confirmations_errors(tmp_path, officer_hn, provider_hn, known):
    files = {
        "sites": ["HN-NEW,Đống Đa,01,Đống Đa,community,pilot,2020-01-01,"],
        "peer_groups": ["G-NEW,Hoa Sen,HN-NEW,club,2020-02-01,15,4"],
        "providers": [f"{NEW_PROVIDER},01,shelter,,yes,,"],
        "participants": PARTICIPANT_ROWS,
        "contacts": [
            # After the withdrawal this upload records.
            f"{UIC_X},2020-07-15,HN-HM-PG,,outreach,",
            # Known only in Cần Thơ, and known nowhere: the same answer.
            f"{UIC_CT},2020-03-05,HN-HM-PG,,outreach,",
            f"{UIC_N},2020-03-05,HN-HM-PG,,outreach,",
            # The new group belongs to the new site, not to this one.
            f"{UIC_A},2020-03-05,HN-HM-PG,G-NEW,outreach,",
            f"{UIC_A},2020-03-05,HN-NEW,G-NEW,outreach,",
        ],
        "referrals": [
            f"{UIC_A},2020-03-05,HN-NEW,shelter,{NEW_PROVIDER},referred,,yes",
            f"{UIC_A},2020-03-06,HN-NEW,loan,Quỹ không có,referred,,yes",
        ],
        "supports": [
            f"{UIC_A},2020-03-20,HN-NEW,other,500000,2020-03-05,shelter",
            # The referral refused above.
            f"{UIC_A},2020-03-21,HN-NEW,loan,500000,2020-03-06,loan",
        ],
    }
    folder = write_folder(tmp_path, files)
    not_enrolled = (
        "uic: người tham gia chưa ghi danh ở tỉnh/thành phố của địa bàn: UIC không có trong "
        "danh sách của bạn hay trong participants.csv."
    )
    expected_errors = [
        f"contacts.csv:2: uic: {WITHDRAWN}",
        f"contacts.csv:3: {not_enrolled}",
        f"contacts.csv:4: {not_enrolled}",
        f"contacts.csv:5: peer_group: {PEER_GROUP_SITE}",
        "referrals.csv:3: provider: không có cơ sở dịch vụ tên này",
        "supports.csv:3: referral_date, referral_service: không có lần chuyển gửi này của người "
        "tham gia tại địa bàn.",
    ]
    expected_counts = {
        "sites": new(1),
        "peer_groups": new(1),
        "providers": new(1),
        "participants": {"new": 1, "updated": 1, "unchanged": 0},
        "contacts": new(1),
        "referrals": new(1),
        "supports": new(1),
    }
    before = snapshot()
    results = []
    for dry_run in (True, False):
        sources, read_errors = read_directory(folder)
        results.append(
            import_exchange(
                sources=sources, user=officer_hn, dry_run=dry_run, read_errors=read_errors
            )
        )
    preview, confirmation = results
    assert [str(error) for error in preview.errors] == expected_errors
    assert [str(error) for error in confirmation.errors] == expected_errors
    assert preview.totals() == confirmation.totals() == expected_counts
    assert snapshot() == before


WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@pytest.mark.django_db
def test_a_preview_runs_only_reads(tmp_path, officer_hn, provider_hn, known):
    sources, read_errors = read_directory(write_folder(tmp_path, upload_files()))
    with CaptureQueriesContext(connection) as queries:
        result = import_exchange(
            sources=sources, user=officer_hn, dry_run=True, read_errors=read_errors
        )
    assert result.ok, [str(error) for error in result.errors]
    statements = [query["sql"] for query in queries.captured_queries]
    # No write, and no transaction or savepoint opened: nothing that takes a write lock.
    assert statements and all(sql.lstrip().upper().startswith("SELECT") for sql in statements), [
        sql for sql in statements if not sql.lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.django_db
def test_the_preview_page_writes_only_its_log_entry_and_the_session(
    client_for, officer_hn, provider_hn, known
):
    client = client_for(officer_hn)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("exchange:import"), {"file": zip_upload(upload_files())})
    assert response.context["errors"] == []
    written = {
        match.group(1) for query in queries.captured_queries if (match := WRITE.match(query["sql"]))
    }
    assert written == {"accounts_activityevent", "django_session"}
    assert len(import_events()) == 1


def write_elsewhere(user_id, outcome):
    """Another request, on its own connection: a sign-in, and a change to a site the running
    preview would change too. It gives up after two seconds of waiting for a lock."""
    from accounts.models import User

    try:
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            connection.connection.execute("PRAGMA busy_timeout = 2000")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
            User.objects.filter(pk=user_id).update(last_login=timezone.now())
            Site.objects.filter(code="HN-HM-PG").update(name="Hoàng Mai (sửa đồng thời)")
        outcome.append("written")
    except DatabaseError as error:
        outcome.append(f"refused: {error}")
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_another_user_can_write_while_a_preview_runs(
    client_for, officer_hn, officer_ct, provider_hn, known, monkeypatch
):
    outcome = []
    load_contacts = contract.loader_for("contacts")

    def paused(*args, **kwargs):
        # Midway through the preview (sites, groups, participants loaded), another user writes.
        writer = threading.Thread(target=write_elsewhere, args=(officer_ct.pk, outcome))
        writer.start()
        writer.join(timeout=30)
        return load_contacts(*args, **kwargs)

    # The engine finds the loader in the registry the app filled (exchange.contract).
    monkeypatch.setitem(contract._LOADERS, "contacts", paused)
    client = client_for(officer_hn)
    response = client.post(reverse("exchange:import"), {"file": zip_upload(upload_files())})
    assert outcome == ["written"]
    assert response.context["errors"] == []
    assert dict(response.context["counts"])["sites.csv"].updated == 1
    officer_ct.refresh_from_db()
    assert officer_ct.last_login is not None
    assert Site.objects.get(code="HN-HM-PG").name == "Hoàng Mai (sửa đồng thời)"
    assert not Site.objects.filter(code="HN-NEW").exists()
