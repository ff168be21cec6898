"""The live pages' people statement (reports.indicators.Pass with its breakdowns) on the cases
it treats apart from the rest: a person met at two sites, in three provinces as three records,
referred at another site or province than where she was met, a person whose unmet record
elsewhere must not count, and an enrolment re-done later at another site. Expected values worked
out by hand below (period: 2024).

People (all met in 2024):
- P: three records, Hà Nội (female, 1990, sex worker, temporary resident), Cần Thơ (female,
  2001, sex worker, temporary), Đà Nẵng (female, 1990, establishment worker, no residence);
  met at HN1 with a need, at CT and at DN; referred at CT. Enrolled HN1 10 Jan, CT 10 Feb,
  DN 10 Mar: her latest enrolment nationally is Đà Nẵng's.
- Q: two records, Hà Nội (male, 1980, other, permanent) and Cần Thơ (male, 2010, establishment
  worker, none; never met, enrolled CT 1 Mar); met at HN1, and at HN2 with a need; referred at
  CT. Enrolled HN1 5 Jan and again at HN2 on 1 Jun: that later enrolment makes Hà Nội's record
  his latest (without it Cần Thơ's 1 Mar would be).
- R: one record in Hà Nội (female, 2008, sex worker, temporary); met at HN1 by a peer group;
  enrolled HN1 1 May 2023.
- S: one record in Hà Nội (female, 1995, sex worker, temporary); met at HN1 with a need,
  referred at HN2 (same province, another site). Enrolled HN1 1 Feb.
- T: two records, Hà Nội (female, 1985, sex worker, temporary) and Cần Thơ (female, 2000,
  other, none), both met at HN1 (one site, two records: the statement assumes no record per
  site). Enrolled HN1 3 Jan (Hà Nội's record), CT 4 Jan (Cần Thơ's): the latest nationally.
  A third record of hers, in Đà Nẵng (female, 1970), enrolled DN 1 Mar 2023, was not met.
"""

import datetime

import pytest

from participants.models import Enrolment
from reports.indicators import Pass
from sites.models import Province
from tests import factories

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD = {"start": D(2024, 1, 1), "end": D(2024, 12, 31)}
WANTED = [(None, None), ("province", None), ("site", None)]
COUNTS = ("reached", "reached_by_peer_groups", "reached_with_need", "referred")


@pytest.fixture
def people(site_hn, site_ct, group_hn):
    hn2 = factories.SiteFactory(code="HN-2", name="Hai Bà Trưng", locality="Hai Bà Trưng")
    dn = factories.SiteFactory(
        code="DN-1",
        name="Hải Châu",
        locality="Hải Châu",
        province=factories.province("48", "legacy"),
    )

    def record(person=None, *, site, **fields):
        extra = {"person": person} if person is not None else {}
        return factories.ParticipantFactory(province=site.province.current, **extra, **fields)

    def met(participant, site, day, **fields):
        factories.ContactFactory(
            participant=participant, site=site, date=day, enrolled=False, **fields
        )

    def enrol(participant, site, day):
        Enrolment.objects.create(participant=participant, site=site, enrolled_on=day)

    p_hn = record(site=site_hn, birth_year=1990)
    p_ct = record(p_hn.person, site=site_ct, birth_year=2001)
    p_dn = record(
        p_hn.person, site=dn, birth_year=1990, category="establishment_worker", residence="none"
    )
    met(p_hn, site_hn, D(2024, 1, 10), needs=["loan"])
    met(p_ct, site_ct, D(2024, 2, 10))
    met(p_dn, dn, D(2024, 3, 10))
    enrol(p_hn, site_hn, D(2024, 1, 10))
    enrol(p_ct, site_ct, D(2024, 2, 10))
    enrol(p_dn, dn, D(2024, 3, 10))
    factories.ReferralFactory(participant=p_ct, site=site_ct, date=D(2024, 2, 11), service="loan")

    male = {"sex": "male", "category": "other", "residence": "permanent"}
    q_hn = record(site=site_hn, birth_year=1980, **male)
    q_ct = record(
        q_hn.person,
        site=site_ct,
        sex="male",
        birth_year=2010,
        category="establishment_worker",
        residence="none",
    )
    met(q_hn, site_hn, D(2024, 1, 5))
    met(q_hn, hn2, D(2024, 6, 1), needs=["legal_aid"])
    enrol(q_hn, site_hn, D(2024, 1, 5))
    enrol(q_ct, site_ct, D(2024, 3, 1))
    enrol(q_hn, hn2, D(2024, 6, 1))
    factories.ReferralFactory(participant=q_ct, site=site_ct, date=D(2024, 6, 2))

    r = record(site=site_hn, birth_year=2008)
    met(r, site_hn, D(2024, 4, 1), peer_group=group_hn)
    enrol(r, site_hn, D(2023, 5, 1))

    s = record(site=site_hn, birth_year=1995)
    met(s, site_hn, D(2024, 2, 1), needs=["health_check"])
    enrol(s, site_hn, D(2024, 2, 1))
    factories.ReferralFactory(participant=s, site=hn2, date=D(2024, 2, 2))

    t_hn = record(site=site_hn, birth_year=1985)
    t_ct = record(t_hn.person, site=site_ct, birth_year=2000, category="other", residence="none")
    met(t_hn, site_hn, D(2024, 1, 3))
    met(t_ct, site_hn, D(2024, 1, 4))
    enrol(t_hn, site_hn, D(2024, 1, 3))
    enrol(t_ct, site_ct, D(2024, 1, 4))
    t_dn = record(t_hn.person, site=dn, birth_year=1970)
    enrol(t_dn, dn, D(2023, 3, 1))
    return {"HN1": site_hn, "HN2": hn2, "CT": site_ct, "DN": dn}


def _counts(table):
    return {key: tuple(row[code] for code in COUNTS) for key, row in table.items()}


def test_national_tables(people):
    figures = Pass(**PERIOD, wanted=WANTED, breakdowns=True)
    # P, Q, R, S, T once each; R by a peer group; P, Q, S with a need, each referred somewhere.
    assert _counts(figures.get()) == {None: (5, 1, 3, 3)}
    province = {p.code: p.pk for p in Province.objects.filter(unit_set="2025")}
    # Hà Nội: P's and Q's referrals were made in Cần Thơ; S's at HN2, in Hà Nội.
    assert _counts(figures.get("province")) == {
        province["01"]: (5, 1, 3, 1),
        province["92"]: (1, 0, 0, 0),  # P, with no need in Cần Thơ
        province["48"]: (1, 0, 0, 0),  # P
    }
    site = {code: s.pk for code, s in people.items()}
    # HN1: P (need), Q (no need there), R (peer group), S (need, referred at HN2: not here), T.
    assert _counts(figures.get("site")) == {
        site["HN1"]: (5, 1, 2, 0),
        site["HN2"]: (1, 0, 1, 0),  # Q with a need; S was only referred there
        site["CT"]: (1, 0, 0, 0),
        site["DN"]: (1, 0, 0, 0),
    }


def test_national_breakdowns(people):
    figures = Pass(**PERIOD, wanted=WANTED, breakdowns=True)
    assert figures.breakdowns["sex"] == {"female": 4, "male": 1}
    # P and T in two groups each (their records met say 1990 and 2001, 1985 and 2000); Q's
    # unmet record (2010) counts not, nor T's (1970).
    assert figures.breakdowns["age_group"] == {"25-34": 2, "18-24": 2, "35-49": 2, "<18": 1}
    # P: Đà Nẵng's record (latest, 10 Mar); Q: Hà Nội's (re-enrolled 1 Jun, after CT's 1 Mar);
    # T: Cần Thơ's (4 Jan).
    assert figures.breakdowns["category"] == {
        "establishment_worker": 1,
        "other": 2,
        "sex_worker": 2,
    }
    assert figures.breakdowns["residence"] == {"none": 2, "permanent": 1, "temporary": 2}


def test_one_province(people):
    figures = Pass(**PERIOD, province="01", wanted=WANTED, breakdowns=True)
    assert _counts(figures.get()) == {None: (5, 1, 3, 1)}  # S's referral only is in scope
    assert figures.breakdowns["sex"] == {"female": 4, "male": 1}
    # T's two records were both met in Hà Nội.
    assert figures.breakdowns["age_group"] == {"25-34": 2, "35-49": 2, "18-24": 1, "<18": 1}
    # Only Hà Nội's enrolments are in scope: P and T are Hà Nội's sex workers.
    assert figures.breakdowns["category"] == {"sex_worker": 4, "other": 1}
    assert figures.breakdowns["residence"] == {"temporary": 4, "permanent": 1}
