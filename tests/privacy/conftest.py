"""A programme with people in Hà Nội and Cần Thơ, whose first quarter of 2019 is approved and
published, for the data-protection tests. Today is 30/11/2026 in these tests' retention runs.

People (retention 5 years: the cut-off on 30/11/2026 is 30/11/2021):
  ANNA   the person who asks to be erased (UIC answers `ANSWERS`: QUKH030795F). Hà Nội record:
         enrolled at HN-HM-PG by the officer with the group Sao đêm 10/01/2019; contacts there
         01/02/2019 (need: loan, by the group) and 05/03/2019 (counselling); a completed referral
         02/02/2019; a support 01/03/2019; a rights assessment 20/03/2019 at a Hà Nội
         establishment. Cần Thơ record: enrolled at CT-NK-WR 15/02/2019, a contact there that day
         (need: legal aid), an open referral 10/03/2019. Last activity 2019: expired.
  BAO    Hà Nội, contacts 01/02/2019 (need) and 01/06/2026: kept.
  CUC    Hà Nội, contact 15/01/2019 only: expired.
  DUNG   Hà Nội, contact 01/02/2019, withdrawn 01/03/2022: kept (the withdrawal is recent).
  and 12 more people met at each of the two sites on 01/02/2019 with a need, half of them
  referred (so the quarter can be published): expired.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import models

from participants.models import Participant
from periods.models import ReportingPeriod
from referrals.models import Referral
from reports import cycle, releases
from tests import factories as f

D = datetime.date
TODAY = D(2026, 11, 30)
Q1 = "2019Q1"

# The erased person's UIC answers, as the forms take them.
ANSWERS = {
    "mother_name": "Nguyễn Thị Quyên",
    "father_name": "Trần Văn Khôi",
    "birth_date": "1995-07-03",
    "sex": "female",
}
UIC = "QUKH030795F"
SECRETS = (UIC, "Nguyễn Thị Quyên", "Trần Văn Khôi", "Quyên", "Khôi")


@pytest.fixture(autouse=True)
def own_upload_dir(settings, tmp_path):
    """Erasure deletes every pending import preview: each test counts only its own."""
    settings.EXCHANGE_UPLOAD_DIR = str(tmp_path / "pcmd-imports")


def met(site, n):
    """n people met at `site` on 01/02/2019 with a need, the first half referred and served."""
    day = D(2019, 2, 1)
    for index in range(n):
        contact = f.ContactFactory(
            site=site,
            date=day,
            needs=["loan"],
            participant=f.ParticipantFactory(province=site.province.current),
        )
        if index < n // 2:
            f.ReferralFactory(
                participant=contact.participant,
                site=site,
                date=day,
                status=Referral.Status.COMPLETED,
                completed_on=day,
            )


@pytest.fixture
def world(
    site_hn,
    site_ct,
    group_hn,
    provider_hn,
    officer_hn,
    officer_ct,
    ministry,
    hanoi,
    cantho,
):
    anna_hn = f.ParticipantFactory(uic=UIC, province=hanoi, birth_year=1995)
    f.EnrolmentFactory(
        participant=anna_hn,
        site=site_hn,
        peer_group=group_hn,
        enrolled_on=D(2019, 1, 10),
        enrolled_by=officer_hn,
    )
    f.ContactFactory(
        participant=anna_hn,
        site=site_hn,
        peer_group=group_hn,
        date=D(2019, 2, 1),
        needs=["loan"],
        recorded_by=officer_hn,
    )
    f.ContactFactory(participant=anna_hn, site=site_hn, date=D(2019, 3, 5), kind="counselling")
    f.ReferralFactory(
        participant=anna_hn,
        site=site_hn,
        date=D(2019, 2, 2),
        provider=provider_hn,
        status=Referral.Status.COMPLETED,
        completed_on=D(2019, 2, 20),
        made_by=officer_hn,
    )
    f.SupportFactory(participant=anna_hn, site=site_hn, date=D(2019, 3, 1), amount_vnd=2_000_000)
    establishment = f.EstablishmentFactory(code="E-HN")
    f.RightsAssessmentFactory(participant=anna_hn, establishment=establishment, date=D(2019, 3, 20))
    anna_ct = f.ParticipantFactory(
        person=anna_hn.person, province=cantho, birth_year=1995, consent_on=D(2019, 2, 15)
    )
    f.EnrolmentFactory(participant=anna_ct, site=site_ct, enrolled_on=D(2019, 2, 15))
    f.ContactFactory(participant=anna_ct, site=site_ct, date=D(2019, 2, 15), needs=["legal_aid"])
    f.ReferralFactory(participant=anna_ct, site=site_ct, date=D(2019, 3, 10), service="legal_aid")

    def person(contacts, **attributes):
        record = f.ParticipantFactory(province=hanoi, **attributes)
        f.EnrolmentFactory(participant=record, site=site_hn, enrolled_on=contacts[0])
        for day in contacts:
            f.ContactFactory(participant=record, site=site_hn, date=day, needs=["loan"])
        return record

    bao = person([D(2019, 2, 1), D(2026, 6, 1)], sex="male", birth_year=1990)
    cuc = person([D(2019, 1, 15)], birth_year=1980, residence="none")
    dung = person([D(2019, 2, 1)], category="establishment_worker")
    dung.withdrawn_on = D(2022, 3, 1)
    dung.save()
    met(site_hn, 12)
    met(site_ct, 12)
    q1 = ReportingPeriod.objects.get(code=Q1)
    return SimpleNamespace(
        anna_hn=anna_hn, anna_ct=anna_ct, bao=bao, cuc=cuc, dung=dung, q1=q1, estab=establishment
    )


@pytest.fixture
def published(world, officer_hn, officer_ct, ministry, hanoi, cantho):
    """The first quarter of 2019 submitted by both provinces, approved and published."""
    for officer, province in ((officer_hn, hanoi), (officer_ct, cantho)):
        submission = cycle.submission_submit(period=world.q1, province=province, by=officer)
        cycle.submission_approve(submission=submission, by=ministry)
    return releases.release_publish(period=world.q1, provinces=[hanoi, cantho], by=ministry)


# Periods whose indicators must not move when people are erased: the published quarter, its
# year, everything up to today, this year, and a single day.
PERIODS = (
    (D(2019, 1, 1), D(2019, 3, 31)),
    (D(2019, 1, 1), D(2019, 12, 31)),
    (D(2016, 1, 1), TODAY),
    (D(2026, 1, 1), TODAY),
    (D(2019, 2, 1), D(2019, 2, 1)),
)
SCOPES = (
    {},
    {"province": "01"},
    {"province": "92"},
    {"model": "peer_groups"},
    {"site": "HN-HM-PG"},
)


def indicator_snapshot(group_hn):
    """Everything the reports compute from participant-level rows, for every period of PERIODS:
    every indicator code in five scopes and grouped six ways, every breakdown of people reached,
    the costs per result, the peer group's own figures, and the linked tables a release would
    publish (unsuppressed)."""
    from reports import disclosure
    from reports.indicators import (
        BREAKDOWNS,
        GROUPINGS,
        compute_indicators,
        cost_results,
        indicators_by,
        reached_breakdown,
    )
    from reports.selectors import group_figures

    units = disclosure.Units.load()
    snapshot = {}
    for start, end in PERIODS:
        for scope in SCOPES:
            key = (start, end, tuple(scope.items()))
            snapshot[key] = compute_indicators(start=start, end=end, **scope)
        for by in (*BREAKDOWNS, "province_legacy", "site"):
            snapshot[(start, end, "breakdown", by)] = reached_breakdown(by, start=start, end=end)
        for group in GROUPINGS:
            snapshot[(start, end, "by", group)] = indicators_by(group, start=start, end=end)
        snapshot[(start, end, "costs")] = cost_results(start=start, end=end, group="province")
        snapshot[(start, end, "group")] = group_figures(start=start, end=end, peer_group=group_hn)
        snapshot[(start, end, "tables")] = disclosure.raw_tables(start=start, end=end, units=units)
    return snapshot


def text_columns(model):
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def database_text():
    """Every text and JSON value of every table, as one string (to look for what must be
    gone)."""
    values = []
    for model in apps.get_models():
        columns = text_columns(model)
        if columns:
            for row in model.objects.values_list(*columns):
                values.extend(str(value) for value in row)
    return "\n".join(values)


def visible_codes(user):
    return set(Participant.objects.visible_to(user).values_list("code", flat=True))
