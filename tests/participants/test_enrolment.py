"""Enrolment by UIC: one participant per UIC across the country, only the hash stored, and the
raw UIC and the parents' names nowhere: not in the database, a log line or a page after
confirmation or on an error."""

import datetime
import logging

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.views.debug import ExceptionReporter

from participants import services
from participants.models import Enrolment, Participant, Person
from participants.uic import uic_hash
from tests import factories
from tests.clock import TOMORROW, resolved

from .helpers import (
    FATHER,
    MOTHER,
    SECRETS,
    UIC,
    answers,
    assert_no_secret,
    enrol,
    hidden_fields,
)

pytestmark = pytest.mark.django_db


def test_uic_is_shown_for_confirmation_and_only_its_hash_is_stored(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    confirm, final = enrol(client, answers(site_hn))
    page = confirm.content.decode()
    assert UIC in page  # shown back for confirmation
    assert MOTHER not in page and "Khôi" not in page  # the names are not carried on
    assert set(hidden_fields(page)) >= {"category", "residence", "site", "consent_on"}
    # What identifies the person stays on the server between the two steps.
    assert not {"uic", "birth_year", "sex", "mother_name", "father_name", "birth_date"} & set(
        hidden_fields(page)
    )

    participant = Participant.objects.get()
    assert participant.person.uic_hash == uic_hash(UIC)
    assert participant.province == site_hn.province.current
    assert (participant.birth_year, participant.sex, participant.residence) == (
        1995,
        "female",
        "temporary",
    )
    assert participant.consent_on == datetime.date(2024, 5, 2)
    enrolment = participant.enrolments.get()
    assert (enrolment.site, enrolment.enrolled_by) == (site_hn, officer_hn)
    body = final.content.decode()
    assert f"Đã ghi danh: {participant.code}" in body
    assert_no_secret(body)


def test_same_answers_in_two_provinces_give_one_person_and_a_record_per_province(
    client, officer_hn, officer_ct, site_hn, site_ct
):
    client.force_login(officer_hn)
    _, first = enrol(client, answers(site_hn))
    client.force_login(officer_ct)
    _, second = enrol(client, answers(site_ct, category="establishment_worker"))
    hn = Participant.objects.get(province__code="01")
    ct = Participant.objects.get(province__code="92")
    # One person nationally, two records: each province keeps what it recorded.
    assert Person.objects.count() == 1 and hn.person_id == ct.person_id
    assert (hn.category, ct.category) == ("sex_worker", "establishment_worker")
    assert hn.code != ct.code
    assert list(hn.enrolments.values_list("site__code", flat=True)) == [site_hn.code]
    assert list(ct.enrolments.values_list("site__code", flat=True)) == [site_ct.code]
    assert f"Đã ghi danh: {hn.code}" in first.content.decode()
    assert f"Đã ghi danh: {ct.code}" in second.content.decode()
    assert hn.code not in second.content.decode() and site_hn.code not in second.content.decode()
    assert list(Participant.objects.visible_to(officer_ct)) == [ct]
    assert list(Participant.objects.visible_to(officer_hn)) == [hn]


def test_different_answers_give_two_participants(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    enrol(client, answers(site_hn))
    enrol(client, answers(site_hn, father_name="Lê Văn Hùng"))
    enrol(client, answers(site_hn, birth_date="1995-07-04"))
    assert Participant.objects.count() == 3
    assert Enrolment.objects.count() == 3


def test_enrolling_twice_at_one_site_adds_nothing(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    enrol(client, answers(site_hn))
    enrol(client, answers(site_hn))
    assert Participant.objects.count() == 1 and Enrolment.objects.count() == 1


def test_leader_enrols_at_their_group_site_with_the_group(client_for, leader, group_hn):
    client = client_for(leader)
    page = client.get(reverse("participants:enrol")).content.decode()
    assert 'name="site"' not in page
    enrol(client, answers())
    enrolment = Enrolment.objects.get()
    assert (enrolment.site, enrolment.peer_group) == (group_hn.site, group_hn)
    assert Participant.objects.visible_to(leader).count() == 1


def test_unknown_parent_gives_xx(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    confirm, _ = enrol(
        client, answers(site_hn, mother_name="", mother_unknown="on", father_name="không biết")
    )
    assert "XXXX030795F" in confirm.content.decode()
    assert Participant.objects.get().person.uic_hash == uic_hash("XXXX030795F")


def _scan_database(secrets):
    """Every text value of every column of every table, and every decoded session."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names from the db
            columns = [col[0] for col in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = str(value)
                    for secret in secrets:
                        if secret.upper() in text.upper():
                            found.append((table, column, secret))
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        found.extend(("session", "data", s) for s in secrets if s.upper() in decoded.upper())
    return found


def test_raw_uic_and_names_are_in_no_table_column(client_for, officer_hn, leader, site_hn):
    enrol(client_for(officer_hn), answers(site_hn))
    client = client_for(leader)
    enrol(client, answers())
    # Also a contact found by the UIC answers.
    client.post(
        reverse("participants:contact_new"),
        {
            "mother_name": MOTHER,
            "father_name": "Trần Văn Khôi",
            "birth_date": "1995-07-03",
            "sex": "female",
            "date": "2024-05-03",
            "kind": "outreach",
        },
    )
    assert Participant.objects.count() == 1
    assert Participant.objects.get().contacts.count() == 1
    assert _scan_database(SECRETS) == []


def test_no_log_line_holds_the_uic_or_names(client_for, officer_hn, site_hn, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(officer_hn)
    enrol(client, answers(site_hn))
    client.post(reverse("participants:enrol"), answers(site_hn, birth_date="2030-01-01"))
    assert Participant.objects.count() == 1
    assert_no_secret(caplog.text)


def test_error_page_of_step_one_does_not_echo_the_answers(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    response = client.post(reverse("participants:enrol"), answers(site_hn, birth_date="2099-01-01"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ngày sinh không được sau ngày hôm nay." in body
    assert_no_secret(body)
    # Non-identifying input is kept.
    assert 'value="2024-05-02"' in body
    assert Participant.objects.count() == 0


def test_failed_confirmation_shows_the_fields_to_put_right_without_the_uic(
    client_for, officer_hn, site_hn, site_ct
):
    client = client_for(officer_hn)
    confirm = client.post(reverse("participants:enrol"), answers(site_hn))
    fields = hidden_fields(confirm.content.decode())
    fields["site"] = str(site_ct.pk)  # out of scope
    response = client.post(reverse("participants:enrol"), fields)
    body = response.content.decode()
    assert "Địa bàn này không thuộc phạm vi của bạn." in body
    assert 'data-testid="fix-errors"' in body
    assert_no_secret(body)
    assert Participant.objects.count() == 0
    fields["site"] = str(site_hn.pk)
    client.post(reverse("participants:enrol"), fields)
    assert Participant.objects.get().person.uic_hash == uic_hash(UIC)


def test_confirmation_takes_no_uic_from_the_browser(client_for, officer_hn, site_hn):
    """What identifies the person is computed from the answers and kept on the server: a UIC,
    sex or birth year posted to the confirmation step is ignored, and a confirmation without
    the answers step creates nothing."""
    client = client_for(officer_hn)
    forged = {
        "step": "confirm",
        "uic": "ZZZZ010190M",
        "sex": "male",
        "birth_year": "1990",
        "category": "sex_worker",
        "residence": "none",
        "site": str(site_hn.pk),
        "enrolled_on": "2024-05-02",
        "consent": "on",
        "consent_on": "2024-05-02",
    }
    body = client.post(reverse("participants:enrol"), forged).content.decode()
    assert "Phiên ghi danh đã hết hạn" in body
    assert Participant.objects.count() == 0 and Person.objects.count() == 0

    confirm = client.post(reverse("participants:enrol"), answers(site_hn))
    fields = {**hidden_fields(confirm.content.decode()), **forged}
    client.post(reverse("participants:enrol"), fields)
    participant = Participant.objects.get()
    assert participant.person.uic_hash == uic_hash(UIC)
    assert (participant.sex, participant.birth_year) == ("female", 1995)
    assert not Person.objects.filter(uic_hash=uic_hash("ZZZZ010190M")).exists()


def test_a_crash_during_enrolment_leaks_nothing(client, officer_hn, site_hn, monkeypatch, caplog):
    client.force_login(officer_hn)
    confirm = client.post(reverse("participants:enrol"), answers(site_hn))
    fields = hidden_fields(confirm.content.decode())

    def boom(peer_group, site):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "check_peer_group", boom)
    client.raise_request_exception = False
    caplog.set_level(logging.DEBUG)
    response = client.post(reverse("participants:enrol"), fields)
    assert response.status_code == 500
    assert_no_secret(response.content.decode())
    assert_no_secret(caplog.text)
    record = next(r for r in caplog.records if r.exc_info)
    report = ExceptionReporter(record.request, *record.exc_info).get_traceback_text()
    assert "database went away" in report
    assert_no_secret(report)
    assert Participant.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_date": "2020-01-01"}, "tuổi của người tham gia phải từ 10 đến 90"),
        ({"birth_date": "1920-01-01"}, "tuổi của người tham gia phải từ 10 đến 90"),
        ({"mother_name": ""}, "Nhập tên của mẹ hoặc đánh dấu"),
        ({"father_name": "123"}, "Tên chỉ được gồm chữ cái."),
        ({"birth_date": "03/07/1995x"}, "Ngày sinh không hợp lệ."),
    ],
)
def test_bad_enrolment_input_is_refused_with_a_message(
    client_for, officer_hn, site_hn, overrides, message
):
    response = client_for(officer_hn).post(
        reverse("participants:enrol"), answers(site_hn, **overrides)
    )
    body = response.content.decode()
    assert message in body
    assert 'name="step" value="confirm"' not in body
    assert Participant.objects.count() == 0
    assert_no_secret(body)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            # Tomorrow: in the future, yet near enough for a plausible age.
            {"enrolled_on": TOMORROW},
            "enrolled_on",
            "Ngày ghi danh không được sau ngày hôm nay.",
        ),
        (
            {"consent_on": "2099-01-01"},
            "consent_on",
            "Ngày đồng ý tham gia không được sau ngày hôm nay.",
        ),
        ({"consent": None}, "consent", "Cần có sự đồng ý của người tham gia trước khi ghi danh."),
        (
            {"consent_on": "2024-06-01"},
            "consent_on",
            "Ngày đồng ý tham gia không được sau ngày ghi danh.",
        ),
    ],
)
def test_an_error_beside_right_answers_is_put_right_without_typing_them_again(
    client_for, officer_hn, site_hn, overrides, field, message
):
    """The answers found a UIC but another field is wrong: the page shows that field with its
    error and what was typed; the names are neither sent back nor asked again."""
    client = client_for(officer_hn)
    response = client.post(reverse("participants:enrol"), answers(site_hn, **resolved(overrides)))
    body = response.content.decode()
    assert message in body
    assert 'data-testid="fix-errors"' in body
    assert f'name="{field}"' in body and "is-invalid" in body
    assert 'value="temporary"' in body or 'value="temporary" selected' in body
    assert_no_secret(body, (MOTHER, FATHER, "Quyên", "Khôi"))
    assert Participant.objects.count() == 0
    fixed = {
        "step": "confirm",
        "category": "sex_worker",
        "residence": "temporary",
        "site": str(site_hn.pk),
        "enrolled_on": "2024-05-02",
        "consent": "on",
        "consent_on": "2024-05-02",
    }
    client.post(reverse("participants:enrol"), fixed)
    participant = Participant.objects.get()
    assert participant.person.uic_hash == uic_hash(UIC)
    assert (participant.sex, participant.birth_year, participant.residence) == (
        "female",
        1995,
        "temporary",
    )


def test_site_outside_scope_is_refused(client_for, officer_hn, site_ct):
    body = (
        client_for(officer_hn)
        .post(reverse("participants:enrol"), answers(site_ct))
        .content.decode()
    )
    assert "Địa bàn này không thuộc phạm vi của bạn." in body
    assert Participant.objects.count() == 0


def test_service_refuses_bad_input(site_hn):
    good = {
        "uic": UIC,
        "category": "sex_worker",
        "sex": "female",
        "birth_year": 1995,
        "residence": "none",
        "consent_on": datetime.date(2024, 1, 1),
        "site": site_hn,
        "enrolled_on": datetime.date(2024, 1, 1),
    }
    for bad in (
        {"uic": "QUKH0307F"},
        {"birth_year": 2020},
        {"birth_year": 1930},
        {"enrolled_on": datetime.date(2999, 1, 1)},
        {"consent_on": None},
        {"peer_group": factories.PeerGroupFactory()},
    ):
        with pytest.raises(ValidationError) as error:
            services.participant_enrol(**{**good, **bad})
        assert UIC not in str(error.value)
    assert Participant.objects.count() == 0
    participant, created = services.participant_enrol(**good)
    assert created
    again, created = services.participant_enrol(**good)
    assert again == participant and not created


def test_withdrawn_participant_who_enrols_again_is_active_again(site_hn, site_ct):
    kwargs = {
        "uic": UIC,
        "category": "sex_worker",
        "sex": "female",
        "birth_year": 1995,
        "residence": "none",
        "consent_on": datetime.date(2024, 1, 1),
        "enrolled_on": datetime.date(2024, 1, 1),
    }
    participant, _ = services.participant_enrol(site=site_hn, **kwargs)
    services.participant_withdraw(participant=participant, on=datetime.date(2024, 2, 1))
    kwargs["consent_on"] = kwargs["enrolled_on"] = datetime.date(2024, 3, 1)

    # Another province enrolling the same person gets its own record; Hà Nội's stays withdrawn.
    elsewhere, created = services.participant_enrol(site=site_ct, **kwargs)
    participant.refresh_from_db()
    assert created and elsewhere != participant and elsewhere.withdrawn_on is None
    assert participant.withdrawn_on == datetime.date(2024, 2, 1)

    # The province that withdrew them enrolling them again makes its own record active again.
    again, created = services.participant_enrol(site=site_hn, **kwargs)
    again.refresh_from_db()
    assert again == participant and not created
    assert again.withdrawn_on is None and again.consent_on == datetime.date(2024, 3, 1)
