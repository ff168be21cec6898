"""Each person's national profile (participants.models.PersonProfile) after every writer of
records and enrolments: the services (the enrolment form's and the contact form's), the import
of participants and of contacts, the offline sync, and a deletion. Each step's profile is worked
out by hand: sex and birth year when all the person's records agree (None when they differ),
category and residence of the record of the latest enrolment (greatest date, then id). After
each step, every profile is also checked against one recomputed here in Python from the rows."""

import datetime
from collections import defaultdict

import pytest

from participants import services
from participants.models import Contact, Enrolment, Participant, PersonProfile
from participants.uic import uic_hash
from tests import factories
from tests.exchange.conftest import UIC_A, run_import, write_folder
from tests.offline.test_sync import ENROLMENT, UIC

pytestmark = pytest.mark.django_db

D = datetime.date


def profile(uic):
    row = PersonProfile.objects.get(person__uic_hash=uic_hash(uic))
    return (row.sex, row.birth_year, row.category, row.residence)


def recomputed():
    """Every profile, from the records and enrolments (Python, not the service's SQL)."""
    records = defaultdict(list)
    for record in Participant.objects.all():
        records[record.person_id].append(record)
    by_id = {r.pk: r for rs in records.values() for r in rs}
    latest = {}
    for enrolment in Enrolment.objects.order_by("enrolled_on", "id"):
        latest[by_id[enrolment.participant_id].person_id] = by_id[enrolment.participant_id]
    out = {}
    for person, rs in records.items():
        sexes, years = {r.sex for r in rs}, {r.birth_year for r in rs}
        last = latest.get(person)
        out[person] = (
            sexes.pop() if len(sexes) == 1 else None,
            years.pop() if len(years) == 1 else None,
            last.category if last else None,
            last.residence if last else None,
        )
    return out


def stored():
    return {
        p.person_id: (p.sex, p.birth_year, p.category, p.residence)
        for p in PersonProfile.objects.all()
    }


def test_the_services_and_a_deletion_keep_the_profile(site_hn, site_ct):
    site_hn2 = factories.SiteFactory(code="HN-HM-2", province=site_hn.province)
    common = {"uic": UIC_A, "sex": "female", "by": None}
    hn, _ = services.participant_enrol(
        **common,
        category="sex_worker",
        birth_year=1995,
        residence="temporary",
        consent_on=D(2024, 5, 1),
        site=site_hn,
        enrolled_on=D(2024, 5, 2),
    )
    assert profile(UIC_A) == ("female", 1995, "sex_worker", "temporary")
    # Cần Thơ records a different birth year and category, enrolled later.
    services.participant_enrol(
        **common,
        category="establishment_worker",
        birth_year=1996,
        residence="permanent",
        consent_on=D(2024, 6, 1),
        site=site_ct,
        enrolled_on=D(2024, 6, 1),
    )
    assert profile(UIC_A) == ("female", None, "establishment_worker", "permanent")
    # A contact at another Hà Nội site enrols the Hà Nội record there, on the contact's day.
    services.contact_log(
        participant=hn, date=D(2024, 7, 1), site=site_hn2, kind="outreach", needs=[]
    )
    assert profile(UIC_A) == ("female", None, "sex_worker", "temporary")
    Enrolment.objects.get(participant=hn, site=site_hn2).delete()
    assert profile(UIC_A) == ("female", None, "establishment_worker", "permanent")
    # Contacts written in bulk: enrol_where_met adds the enrolment, dated the first contact.
    Contact.objects.bulk_create(
        [
            Contact(
                participant=hn,
                person_id=hn.person_id,
                date=D(2024, 8, 1),
                site=site_hn2,
                kind="outreach",
            )
        ]
    )
    assert services.enrol_where_met() == 1
    assert profile(UIC_A) == ("female", None, "sex_worker", "temporary")
    assert stored() == recomputed()


def test_imports_keep_the_profile(tmp_path, site_hn, site_ct):
    site_ct2 = factories.SiteFactory(code="CT-NK-2", province=site_ct.province)
    rows = [
        f"{UIC_A},sex_worker,female,1995,temporary,2020-03-01,{site_hn.code},2020-03-01",
        f"{UIC_A},establishment_worker,female,1995,permanent,2021-01-01,{site_ct.code},2021-01-01",
    ]
    ok, _out, err = run_import(write_folder(tmp_path / "1", {"participants": rows}))
    assert ok, err
    assert profile(UIC_A) == ("female", 1995, "establishment_worker", "permanent")
    # Hà Nội's enrolment moved after Cần Thơ's (the record itself unchanged)...
    rows = [f"{UIC_A},sex_worker,female,1995,temporary,2022-01-01,{site_hn.code},2020-03-01"]
    ok, _out, err = run_import(write_folder(tmp_path / "2", {"participants": rows}))
    assert ok, err
    assert profile(UIC_A) == ("female", 1995, "sex_worker", "temporary")
    # ... then Cần Thơ's record given another birth year (its enrolment unchanged).
    rows = [
        f"{UIC_A},establishment_worker,female,1994,permanent,2021-01-01,{site_ct.code},2021-01-01"
    ]
    ok, _out, err = run_import(write_folder(tmp_path / "2b", {"participants": rows}))
    assert ok, err
    assert profile(UIC_A) == ("female", None, "sex_worker", "temporary")
    # A contacts file: met at a second Cần Thơ site, so enrolled there on that day.
    rows = [f"{UIC_A},2022-02-02,{site_ct2.code},,outreach,"]
    ok, _out, err = run_import(write_folder(tmp_path / "3", {"contacts": rows}))
    assert ok, err
    assert profile(UIC_A) == ("female", None, "establishment_worker", "permanent")
    assert stored() == recomputed()


def test_a_dry_run_leaves_the_profiles_as_they_were(tmp_path, site_hn):
    rows = [f"{UIC_A},sex_worker,female,1995,temporary,2020-03-01,{site_hn.code},2020-03-01"]
    ok, _out, err = run_import(write_folder(tmp_path, {"participants": rows}), "--dry-run")
    assert ok, err
    assert not PersonProfile.objects.exists()


def test_the_offline_sync_keeps_the_profile(client_for, leader):
    from tests.offline.phone import results, seal, send

    item = seal(ENROLMENT, user=leader, kind="enrolment")
    assert results(send(client_for(leader), item)) == [("accepted", [])]
    assert profile(UIC) == ("female", 1995, "sex_worker", "temporary")
    assert stored() == recomputed()
