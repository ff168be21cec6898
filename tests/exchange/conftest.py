import csv
import hashlib
import hmac
import io

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from participants.uic import uic_hash
from tests import factories

UIC_A = "LAHU030795F"
UIC_B = "MAXX120288F"
UIC_C = "HOTU250599M"

HEADERS = {
    "sites": "code,name,province,locality,model,role,start_date,end_date",
    "peer_groups": "code,name,site,kind,founded_on,members,board_members",
    "establishments": "code,site,kind,workers",
    "participants": "uic,category,sex,birth_year,residence,enrolled_on,site,consent_on",
    "contacts": "uic,date,site,peer_group,kind,needs",
    "referrals": "uic,date,site,service,provider,status,completed_on,consent",
    "rights_assessments": "uic,establishment,date,labour_contract,wages_paid,protected_at_work,"
    "health_care,counselling_access,free_to_change_job,social_insurance,health_insurance",
    "establishment_assessments": "establishment,date,owner_commitment,contracts,wages_on_time,"
    "health_checks,workers_informed,no_violations",
    "costs": "site,date,category,amount_vnd",
    "trainings": "site,date,audience,trainees",
}


def valid_files():
    """A small but complete folder: every file, every column."""
    return {
        "sites": [
            "HN-NEW,Đống Đa,01,Đống Đa,community,pilot,2020-01-01,",
            "HN-WR,Ba Đình,01,Ba Đình,worker_rights,control,2025-08-01,2026-12-31",
        ],
        "peer_groups": ["G-NEW,Hoa Sen,HN-NEW,club,2020-02-01,15,4"],
        "establishments": ["E-NEW,HN-WR,karaoke,12"],
        "participants": [
            f"{UIC_A},sex_worker,female,1995,temporary,2020-03-01,HN-NEW,2020-03-01",
            f"{UIC_B},establishment_worker,female,1988,permanent,2025-09-01,HN-WR,2025-09-01",
            f"{UIC_C},other,male,1999,none,2020-03-05,HN-NEW,2020-03-05",
            f"{UIC_A},sex_worker,female,1995,temporary,2025-09-02,HN-WR,2020-03-01",
        ],
        "contacts": [
            f"{UIC_A},2020-03-01,HN-NEW,G-NEW,outreach,loan;health_check",
            f"{UIC_A},2020-04-01,HN-NEW,,counselling,",
            f"{UIC_C},2020-04-02,HN-NEW,G-NEW,group_session,legal_aid",
        ],
        "referrals": [
            f"{UIC_A},2020-03-01,HN-NEW,loan,Trung tâm CTXH Hà Nội,completed,2020-03-20,yes",
            f"{UIC_C},2020-04-02,HN-NEW,legal_aid,,referred,,yes",
        ],
        "rights_assessments": [f"{UIC_B},E-NEW,2025-10-01,yes,yes,yes,yes,yes,yes,no,yes"],
        "establishment_assessments": ["E-NEW,2025-10-01,yes,yes,yes,no,yes,yes"],
        "costs": ["HN-NEW,2020-06-30,staff,15000000", "HN-WR,2025-12-31,training,2500000"],
        "trainings": ["HN-NEW,2020-05-01,peer_leaders,12"],
    }


def write_folder(path, files, headers=None):
    """Write {file name: [csv lines]} as <name>.csv under `path` with the standard header."""
    path.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        header = (headers or {}).get(name, HEADERS[name])
        (path / f"{name}.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run_import(path, *args):
    """(ok, stdout, stderr) of `manage.py import_exchange path *args`."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_exchange", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(str(exc))
        return False, out.getvalue(), err.getvalue()
    return True, out.getvalue(), err.getvalue()


EXCHANGE_MODELS = (
    "participants.Contact",
    "participants.RightsAssessment",
    "participants.EstablishmentAssessment",
    "referrals.ReferralEvent",
    "referrals.Support",
    "referrals.Referral",
    "participants.Enrolment",
    "participants.Participant",
    "participants.Person",
    "referrals.Provider",
    "sites.Cost",
    "sites.Training",
    "sites.Establishment",
    "sites.PeerGroup",
    "sites.Site",
)


def snapshot():
    """Every row of the exchange tables, to compare a database before and after."""
    return {
        label: sorted(map(repr, apps.get_model(label).objects.values_list()))
        for label in EXCHANGE_MODELS
    }


def counts():
    return {label: apps.get_model(label).objects.count() for label in EXCHANGE_MODELS}


def empty_exchange_tables():
    for label in EXCHANGE_MODELS:
        apps.get_model(label).objects.all().delete()


def database_text():
    """Every value of every table as one string (to prove something is NOT stored)."""
    chunks = []
    for model in apps.get_models():
        for row in model.objects.values_list():
            chunks.append(repr(row))
    return "\n".join(chunks)


def read_csv_bytes(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def reference(db, provider_hn):
    """What a valid folder refers to: the Hà Nội provider (by name)."""
    return provider_hn


@pytest.fixture
def factories_module():
    return factories


def pseudonym(uic, code="01"):
    """The `uic` cell of a 2025 province's export, derived here as README "Exchange files"
    describes it: AES-SIV of the stored hash under HMAC-SHA512(UIC_SECRET, label)."""
    key = hmac.new(
        settings.UIC_SECRET.encode(),
        b"pcmd-exchange-pseudonym\x00" + f"2025:{code}".encode(),
        hashlib.sha512,
    ).digest()
    return f"p:{code}:" + AESSIV(key).encrypt(bytes.fromhex(uic_hash(uic)), None).hex()
