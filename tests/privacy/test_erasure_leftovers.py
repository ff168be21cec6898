"""Erasure leaves nothing of the person in users' sessions or in pending import previews, and a
pending enrolment of the erased person can no longer be confirmed."""

import io
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from participants.models import Person
from participants.uic import uic_hash
from privacy import services
from privacy.models import ErasureRun
from privacy.selectors import answers_predate_erasure
from tests.participants.helpers import answers, hidden_fields
from tests.privacy.conftest import ANSWERS, UIC

pytestmark = pytest.mark.django_db
ENROL = reverse("participants:enrol")
PENDING_ENROLMENT = "participants.pending_enrolment"
PENDING_CONTACT = "participants.pending_contact"
KEPT_ANSWERS = "participants.kept_answers"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.EXCHANGE_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def signed_in(user):
    """A browser of its own (the `client_for` fixture signs one client in and out)."""
    client = Client()
    client.force_login(user)
    return client


def sessions_text():
    return " ".join(str(session.get_decoded()) for session in Session.objects.all())


def preview(client, site):
    data = (
        "uic,category,sex,birth_year,residence,enrolled_on,site,consent_on\n"
        f"{UIC},sex_worker,female,1995,temporary,2019-01-10,{site.code},2019-01-10\n"
    ).encode()
    file = io.BytesIO(data)
    file.name = "participants.csv"
    response = client.post(reverse("exchange:import"), {"file": file})
    assert response.context["result"].ok, response.context["errors"]


def test_erasure_leaves_no_trace_in_sessions_or_previews(
    client_for, world, admin_user, officer_hn, officer_ct, site_hn, site_ct, upload_dir
):
    digest = uic_hash(UIC)
    # Hà Nội's officer is between the two steps of enrolling the person.
    enrolling = signed_in(officer_hn)
    first = enrolling.post(ENROL, answers(site_hn, **ANSWERS))
    step_two = hidden_fields(first.content.decode())
    assert step_two["step"] == "confirm"
    # Cần Thơ's officer looked the person up on the contact form (another field was wrong, so
    # the answers wait on the server), and another step waits with a new person's contact.
    looking = signed_in(officer_ct)
    looking.post(reverse("participants:contact_new"), {**ANSWERS, "site": str(site_ct.pk)})
    assert KEPT_ANSWERS in looking.session
    session = looking.session
    session[PENDING_CONTACT] = {**session[KEPT_ANSWERS], "kind": "outreach", "site": site_ct.pk}
    session.save()
    # Two import previews wait for confirmation, one with the person's raw UIC.
    importing = enrolling
    preview(importing, site_hn)
    preview(signed_in(officer_ct), site_ct)
    assert len(list(upload_dir.iterdir())) == 2
    assert digest in sessions_text()

    run = services.person_erase(person=world.anna_hn.person, by=admin_user)

    assert digest not in sessions_text()
    assert list(upload_dir.iterdir()) == []
    assert (run.counts["session_entries"], run.counts["import_previews"]) == (3, 2)
    # The sessions themselves go on: the users stay signed in.
    assert PENDING_ENROLMENT not in enrolling.session and "_auth_user_id" in enrolling.session
    assert KEPT_ANSWERS not in looking.session and PENDING_CONTACT not in looking.session

    # The pending enrolment cannot be confirmed: back to the answers, nobody enrolled.
    response = enrolling.post(ENROL, step_two)
    assert response.templates[0].name == "participants/enrol.html"
    assert not Person.objects.filter(uic_hash=digest).exists()
    # The contact's new-person step finds nothing waiting.
    response = looking.get(reverse("participants:contact_enrol"))
    assert response["Location"] == reverse("participants:contact_new")
    # Nor can the preview be confirmed.
    response = importing.post(reverse("exchange:import"), {"action": "confirm"}, follow=True)
    assert "Phiên nhập dữ liệu đã hết hạn" in response.content.decode()
    assert not Person.objects.filter(uic_hash=digest).exists()


def test_answers_written_back_after_an_erasure_are_refused(
    client_for, world, admin_user, officer_hn, site_hn
):
    """A request in flight during the erasure may save its session again, with the hash: the
    answers were typed before the erasure, so they are refused all the same."""
    enrolling = client_for(officer_hn)
    first = enrolling.post(ENROL, answers(site_hn, **ANSWERS))
    step_two = hidden_fields(first.content.decode())
    pending = dict(enrolling.session[PENDING_ENROLMENT])
    assert pending["digest"] == uic_hash(UIC)
    services.person_erase(person=world.anna_hn.person, by=admin_user)
    session = enrolling.session
    session[PENDING_ENROLMENT] = pending
    session.save()
    response = enrolling.post(ENROL, step_two)
    assert response.templates[0].name == "participants/enrol.html"
    assert not Person.objects.filter(uic_hash=uic_hash(UIC)).exists()
    assert PENDING_ENROLMENT not in enrolling.session


def test_answers_predate_erasure_counts_only_runs_that_erased_someone(admin_user):
    typed = {"digest": "0" * 64, "at": time.time() - 60}
    assert not answers_predate_erasure(typed)
    ErasureRun.objects.create(kind=ErasureRun.Kind.RETENTION, by=None, people=0, counts={})
    assert not answers_predate_erasure(typed)
    ErasureRun.objects.create(kind=ErasureRun.Kind.REQUEST, by=admin_user, people=1, counts={})
    assert answers_predate_erasure(typed)
    assert not answers_predate_erasure({**typed, "at": time.time() + 60})
    # Answers kept without a time (before this rule) are asked again.
    assert answers_predate_erasure({"digest": "0" * 64})
