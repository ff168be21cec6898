"""A small hand-built data set whose indicator values are worked out by hand in the tests.

Period: the first quarter of 2019, [2019-01-01, 2019-03-31].

Sites (2025 province in brackets):
  HN   Hà Nội (legacy 01) [01]      peer_groups    pilot     2016-06-01 .. open
  OLD  Hà Nội (legacy 01) [01]      community      scale_up  2016-06-01 .. 2019-01-01 (ends day 1)
  CT   Cần Thơ (legacy 92) [92]     worker_rights  pilot     2017-01-01 .. open
  ST   Sóc Trăng (legacy 94) [92]   worker_rights  control   2019-03-31 .. open (starts last day)
  FUT  Cần Thơ (legacy 92) [92]     peer_groups    pilot     2019-04-01 .. open (starts after)

Participants (sex, birth year, residence, category):
  A female 2002 temporary sex_worker: HN 2019-01-01 (first day) need loan, by group G_HN;
    CT 2019-03-31 (last day) no need; referral CT 2019-03-15 (referred).
  B male 1995 none establishment_worker: HN 2019-02-10 no need; referral HN 2019-02-11.
  C female 1969 permanent sex_worker: CT 2019-02-01 need legal_aid; referral CT 2019-02-02
    completed.
  D: HN 2018-12-31 (day before) need; referral HN 2019-01-05.
  E: HN 2019-04-01 (day after) need.
Establishments: E1 at CT, E2 at ST, E3 at HN.
Rights assessments (all six core rights unless "missing"), in the order entered:
  W1 E1 2019-02-01 all; W1 E2 2019-02-01 missing wages_paid (same day, entered last)
  W2 E1 2019-01-15 missing labour_contract; W2 E1 2019-03-01 all
  W3 E3 2019-03-31 all; W3 E1 2019-04-02 missing (out of period)
  W4 E1 2019-02-01 missing health_care; W4 E2 2019-02-01 all (same day, entered last)
  W5 E3 2019-01-20 all (Hà Nội); W5 E1 2019-02-20 missing free_to_change_job (Cần Thơ)
Establishment assessments: E1 2019-01-05 yes, 2019-03-05 no_violations missing;
  E2 2019-02-01 owner_commitment missing, 2019-03-31 yes; E3 2018-12-31 yes (out of period).
Peer groups: G_HN at HN 10 members; G_CT at CT 7; G_FUT at FUT 5 (site not active).
Trainings: HN 2019-01-01 20 trainees; CT 2019-03-31 15; CT 2019-04-01 99 (out).
Costs: HN 2019-01-01 10,000,000; CT 2019-03-31 5,000,001; HN 2018-12-31 999 (out).
"""

import datetime
from types import SimpleNamespace

import pytest

from participants.models import Participant
from referrals.models import Referral
from tests import factories as f

D = datetime.date
START, END = D(2019, 1, 1), D(2019, 3, 31)
RIGHTS = (
    "labour_contract",
    "wages_paid",
    "protected_at_work",
    "health_care",
    "counselling_access",
    "free_to_change_job",
)
DUTIES = (
    "owner_commitment",
    "contracts",
    "wages_on_time",
    "health_checks",
    "workers_informed",
    "no_violations",
)


def _rights(missing=None):
    return {name: name != missing for name in RIGHTS}


def _duties(missing=None):
    return {name: name != missing for name in DUTIES}


@pytest.fixture
def small(db):
    from programs.models import InterventionModel

    model = {m.code: m for m in InterventionModel.objects.all()}
    hn_legacy, ct_legacy = f.province("01", "legacy"), f.province("92", "legacy")
    st_legacy = f.province("94", "legacy")
    hn = f.SiteFactory(
        code="HN", province=hn_legacy, locality="Hoàng Mai", model=model["peer_groups"]
    )
    old = f.SiteFactory(
        code="OLD",
        province=hn_legacy,
        locality="Ba Đình",
        model=model["community"],
        role="scale_up",
        end_date=D(2019, 1, 1),
    )
    ct = f.SiteFactory(
        code="CT",
        province=ct_legacy,
        locality="Ninh Kiều",
        model=model["worker_rights"],
        start_date=D(2017, 1, 1),
    )
    st = f.SiteFactory(
        code="ST",
        province=st_legacy,
        locality="Sóc Trăng",
        model=model["worker_rights"],
        role="control",
        start_date=D(2019, 3, 31),
    )
    fut = f.SiteFactory(
        code="FUT", province=ct_legacy, locality="Cái Răng", start_date=D(2019, 4, 1)
    )
    g_hn = f.PeerGroupFactory(code="G_HN", site=hn, members=10)
    f.PeerGroupFactory(code="G_CT", site=ct, members=7)
    f.PeerGroupFactory(code="G_FUT", site=fut, members=5)

    a = f.ParticipantFactory(sex="female", birth_year=2002, residence="temporary")
    b = f.ParticipantFactory(
        sex="male", birth_year=1995, residence="none", category="establishment_worker"
    )
    c = f.ParticipantFactory(sex="female", birth_year=1969, residence="permanent")
    d = f.ParticipantFactory()
    e = f.ParticipantFactory()
    f.ContactFactory(
        participant=f.record_in(a, hn), site=hn, date=D(2019, 1, 1), needs=["loan"], peer_group=g_hn
    )
    f.ContactFactory(participant=f.record_in(a, ct), site=ct, date=D(2019, 3, 31))
    f.ReferralFactory(participant=f.record_in(a, ct), site=ct, date=D(2019, 3, 15))
    f.ContactFactory(participant=f.record_in(b, hn), site=hn, date=D(2019, 2, 10))
    f.ReferralFactory(participant=f.record_in(b, hn), site=hn, date=D(2019, 2, 11))
    f.ContactFactory(
        participant=f.record_in(c, ct), site=ct, date=D(2019, 2, 1), needs=["legal_aid"]
    )
    f.ReferralFactory(
        participant=f.record_in(c, ct),
        site=ct,
        date=D(2019, 2, 2),
        status=Referral.Status.COMPLETED,
        completed_on=D(2019, 2, 20),
    )
    f.ContactFactory(participant=f.record_in(d, hn), site=hn, date=D(2018, 12, 31), needs=["loan"])
    f.ReferralFactory(participant=f.record_in(d, hn), site=hn, date=D(2019, 1, 5))
    f.ContactFactory(participant=f.record_in(e, hn), site=hn, date=D(2019, 4, 1), needs=["loan"])

    e1 = f.EstablishmentFactory(code="E1", site=ct)
    e2 = f.EstablishmentFactory(code="E2", site=st)
    e3 = f.EstablishmentFactory(code="E3", site=hn)
    w = [f.ParticipantFactory(category=Participant.Category.ESTABLISHMENT_WORKER) for _ in range(5)]
    ra = f.RightsAssessmentFactory
    ra(participant=f.record_in(w[0], e1.site), establishment=e1, date=D(2019, 2, 1), **_rights())
    ra(
        participant=f.record_in(w[0], e2.site),
        establishment=e2,
        date=D(2019, 2, 1),
        **_rights("wages_paid"),
    )
    ra(
        participant=f.record_in(w[1], e1.site),
        establishment=e1,
        date=D(2019, 1, 15),
        **_rights("labour_contract"),
    )
    ra(participant=f.record_in(w[1], e1.site), establishment=e1, date=D(2019, 3, 1), **_rights())
    ra(participant=f.record_in(w[2], e3.site), establishment=e3, date=D(2019, 3, 31), **_rights())
    ra(
        participant=f.record_in(w[2], e1.site),
        establishment=e1,
        date=D(2019, 4, 2),
        **_rights("wages_paid"),
    )
    ra(
        participant=f.record_in(w[3], e1.site),
        establishment=e1,
        date=D(2019, 2, 1),
        **_rights("health_care"),
    )
    ra(participant=f.record_in(w[3], e2.site), establishment=e2, date=D(2019, 2, 1), **_rights())
    ra(participant=f.record_in(w[4], e3.site), establishment=e3, date=D(2019, 1, 20), **_rights())
    ra(
        participant=f.record_in(w[4], e1.site),
        establishment=e1,
        date=D(2019, 2, 20),
        **_rights("free_to_change_job"),
    )
    ea = f.EstablishmentAssessmentFactory
    ea(establishment=e1, date=D(2019, 1, 5), **_duties())
    ea(establishment=e1, date=D(2019, 3, 5), **_duties("no_violations"))
    ea(establishment=e2, date=D(2019, 2, 1), **_duties("owner_commitment"))
    ea(establishment=e2, date=D(2019, 3, 31), **_duties())
    ea(establishment=e3, date=D(2018, 12, 31), **_duties())

    f.TrainingFactory(site=hn, date=D(2019, 1, 1), trainees=20)
    f.TrainingFactory(site=ct, date=D(2019, 3, 31), trainees=15)
    f.TrainingFactory(site=ct, date=D(2019, 4, 1), trainees=99)
    f.CostFactory(site=hn, date=D(2019, 1, 1), amount_vnd=10_000_000)
    f.CostFactory(site=ct, date=D(2019, 3, 31), amount_vnd=5_000_001)
    f.CostFactory(site=hn, date=D(2018, 12, 31), amount_vnd=999)
    return SimpleNamespace(
        hn=hn, old=old, ct=ct, st=st, fut=fut, g_hn=g_hn, a=a, b=b, c=c, e1=e1, e2=e2, e3=e3
    )
