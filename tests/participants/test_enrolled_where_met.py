"""Met at a site => enrolled there: `contact_log` writes the enrolment itself (no signal), so a
write that does not go through it adds none, and the importer calls `enrol_where_met`."""

import datetime

import pytest

from participants.models import Contact, Enrolment
from participants.services import contact_log, enrol_where_met
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_contact_at_a_new_site_enrols_there_once(site_hn, group_hn):
    participant = f.ParticipantFactory()
    assert not Enrolment.objects.filter(participant=participant).exists()
    contact_log(
        participant=participant,
        date=D(2019, 2, 3),
        site=site_hn,
        kind=Contact.Kind.OUTREACH,
        needs=[],
        peer_group=group_hn,
    )
    contact_log(
        participant=participant,
        date=D(2019, 3, 4),
        site=site_hn,
        kind=Contact.Kind.OUTREACH,
        needs=[],
    )
    enrolments = list(Enrolment.objects.filter(participant=participant))
    assert [(e.site_id, e.enrolled_on, e.peer_group_id) for e in enrolments] == [
        (site_hn.pk, D(2019, 2, 3), group_hn.pk)
    ]


def test_a_contact_written_around_the_service_adds_no_enrolment_until_asked(site_hn):
    participant = f.ParticipantFactory()
    Contact.objects.create(
        participant=participant, site=site_hn, date=D(2019, 2, 3), kind="outreach", needs=[]
    )
    assert not Enrolment.objects.filter(participant=participant).exists()
    assert enrol_where_met(contacts=Contact.objects.filter(participant=participant)) == 1
    assert Enrolment.objects.get(participant=participant).enrolled_on == D(2019, 2, 3)
