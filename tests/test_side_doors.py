"""The side doors of issue 13, each tried by a Hà Nội officer with two people: one known only in
Cần Thơ ("elsewhere"), one known nowhere. For the Hà Nội officer the two must look exactly alike
— the same pages, messages, counts, status codes and kinds of redirect — and nothing of Cần Thơ's
record may show or change: its code, category, residence, consent date, history or staff.

The expectations are written by hand: "not found", "1 new", the same normalised page."""

import datetime
import io
import re

import pytest
from django.urls import reverse

from accounts.models import ActivityEvent
from participants import services
from participants.models import Contact, Participant, Person
from referrals.models import Referral
from tests import factories

pytestmark = pytest.mark.django_db

# Same birth date and sex, different parents: two UICs that differ only in their letters.
ELSEWHERE = {"mother_name": "Lan", "father_name": "Hùng"}  # LAHU030795F
NOWHERE = {"mother_name": "Mai", "father_name": "Tuấn"}  # MATU030795F
UICS = {"elsewhere": "LAHU030795F", "nowhere": "MATU030795F"}
CT_CONSENT = datetime.date(2023, 11, 17)


@pytest.fixture
def known_in_cantho(site_ct, officer_ct):
    """Cần Thơ's record of the person behind ELSEWHERE, with a history and distinctive values."""
    participant, _ = services.participant_enrol(
        uic=UICS["elsewhere"],
        category="establishment_owner",
        sex="female",
        birth_year=1995,
        residence="none",
        consent_on=CT_CONSENT,
        site=site_ct,
        enrolled_on=CT_CONSENT,
        by=officer_ct,
    )
    services.contact_log(
        participant=participant,
        date=datetime.date(2024, 1, 5),
        site=site_ct,
        kind="outreach",
        needs=["loan"],
        by=officer_ct,
    )
    return participant


def cantho_traces(record, *, values=True):
    """Strings that would betray Cần Thơ's record on a Hà Nội page: its code, consent date and
    staff, and (on a page that shows no choice lists) its recorded category and residence."""
    traces = [record.code, "17/11/2023", "2023-11-17", "officer_ct"]
    return traces + ["Chủ cơ sở", "Không đăng ký cư trú"] if values else traces


def normalise(html, uic):
    """A page with what legitimately differs between two people taken out: the UIC shown back
    for confirmation, display codes, record ids in links, CSRF tokens and clock times."""
    html = html.replace(uic, "UIC")
    html = re.sub(r"P-[0-9A-Z]{7}", "P-CODE", html)
    html = re.sub(r"/participants/\d+/", "/participants/ID/", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    html = re.sub(r"participant=\d+", "participant=ID", html)
    return re.sub(r"\d\d:\d\d", "HH:MM", html)


def enrol_answers(site, parents):
    return {
        "step": "answers",
        **parents,
        "birth_date": "1995-07-03",
        "sex": "female",
        "category": "sex_worker",
        "residence": "temporary",
        "site": str(site.pk),
        "enrolled_on": "2024-05-02",
        "consent": "on",
        "consent_on": "2024-05-02",
    }


def enrol_flow(client, site, parents):
    """Both steps of the enrolment form, then the page it leads to."""
    url = reverse("participants:enrol")
    step_one = client.post(url, enrol_answers(site, parents))
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', step_one.text))
    step_two = client.post(url, hidden)
    landing = client.get(step_two["Location"]) if step_two.status_code == 302 else None
    return step_one, step_two, landing


def test_enrolment_looks_the_same_for_a_person_known_elsewhere_and_one_known_nowhere(
    client_for, officer_hn, site_hn, known_in_cantho
):
    client = client_for(officer_hn)
    flows = {
        name: enrol_flow(client, site_hn, parents)
        for name, parents in (("elsewhere", ELSEWHERE), ("nowhere", NOWHERE))
    }
    for name, (step_one, step_two, landing) in flows.items():
        assert step_one.status_code == 200
        assert step_two.status_code == 302
        assert re.fullmatch(r"/participants/\d+/", step_two["Location"])
        assert landing.status_code == 200
        for trace in cantho_traces(known_in_cantho):
            assert trace not in landing.text, (name, trace)
    pages = {
        name: [normalise(r.text, UICS[name]) for r in (step_one, landing)]
        for name, (step_one, _two, landing) in flows.items()
    }
    for one, other in zip(pages["elsewhere"], pages["nowhere"], strict=True):
        assert one.splitlines() == other.splitlines()

    # Each now has a fresh Hà Nội record; Cần Thơ's is exactly as it was.
    hn = Participant.objects.get(person=known_in_cantho.person, province__code="01")
    assert hn.code != known_in_cantho.code and hn.category == "sex_worker"
    known_in_cantho.refresh_from_db()
    assert (known_in_cantho.category, known_in_cantho.consent_on) == (
        "establishment_owner",
        CT_CONSENT,
    )
    assert Person.objects.count() == 2  # national de-duplication still holds


def test_contact_lookup_by_answers_looks_the_same(client_for, officer_hn, site_hn, known_in_cantho):
    """Looking a person up by their answers on the contact form: not in Hà Nội's list either
    way, so both lead to the same next step (enrolling a new person), with the same pages."""
    client = client_for(officer_hn)
    url = reverse("participants:contact_new")
    answers = {}
    for name, parents in (("elsewhere", ELSEWHERE), ("nowhere", NOWHERE)):
        response = client.post(
            url,
            {
                **parents,
                "birth_date": "1995-07-03",
                "sex": "female",
                "date": "2024-05-02",
                "kind": "outreach",
                "site": str(site_hn.pk),
            },
            follow=True,
        )
        assert response.status_code == 200
        for trace in cantho_traces(known_in_cantho, values=False):
            assert trace not in response.text
        answers[name] = (
            [(url, status) for url, status in response.redirect_chain],
            normalise(response.text, UICS[name]).splitlines(),
        )
    assert answers["elsewhere"] == answers["nowhere"]
    assert Contact.objects.filter(site=site_hn).count() == 0


def upload(name, header, rows):
    data = io.BytesIO(("\n".join([header, *rows]) + "\n").encode())
    data.name = f"{name}.csv"
    return data


CONTACT_HEADER = "uic,date,site,peer_group,kind,needs"
PARTICIPANT_HEADER = "uic,category,sex,birth_year,residence,enrolled_on,site,consent_on"
REFERRAL_HEADER = "uic,date,site,service,provider,status,completed_on,consent"


def preview(client, name, header, rows):
    response = client.post(reverse("exchange:import"), {"file": upload(name, header, rows)})
    assert response.status_code == 200
    return response


def test_import_preview_of_contacts_answers_the_same(
    client_for, officer_hn, site_hn, known_in_cantho
):
    client = client_for(officer_hn)
    answers = {
        name: preview(
            client, "contacts", CONTACT_HEADER, [f"{uic},2024-05-02,{site_hn.code},,outreach,"]
        )
        for name, uic in UICS.items()
    }
    for response in answers.values():
        assert response.context["errors"] == [
            "contacts.csv:2: uic: người tham gia chưa ghi danh ở tỉnh/thành phố của địa bàn: "
            "UIC không có trong danh sách của bạn hay trong participants.csv."
        ]
    assert normalise(answers["elsewhere"].text, UICS["elsewhere"]) == normalise(
        answers["nowhere"].text, UICS["nowhere"]
    )
    assert Contact.objects.filter(site=site_hn).count() == 0


def test_import_of_participants_counts_and_writes_the_same(
    client_for, officer_hn, site_hn, known_in_cantho
):
    client = client_for(officer_hn)
    for name, uic in UICS.items():
        row = f"{uic},sex_worker,female,1995,temporary,2024-05-02,{site_hn.code},2024-05-02"
        response = preview(client, "participants", PARTICIPANT_HEADER, [row])
        assert response.context["errors"] == []
        counts = dict(response.context["counts"])["participants.csv"]
        assert (counts.new, counts.updated, counts.unchanged) == (1, 0, 0), name
        for trace in cantho_traces(known_in_cantho, values=False):
            assert trace not in response.text
        confirmed = client.post(reverse("exchange:import"), {"action": "confirm"}, follow=True)
        assert "1 dòng mới" in confirmed.text
    # Two new Hà Nội records; Cần Thơ's record untouched.
    assert Participant.objects.filter(province__code="01").count() == 2
    known_in_cantho.refresh_from_db()
    assert (known_in_cantho.category, known_in_cantho.residence, known_in_cantho.version) == (
        "establishment_owner",
        "none",
        0,
    )


def test_imported_referral_for_a_person_known_only_elsewhere_is_refused(
    client_for, officer_hn, site_hn, known_in_cantho
):
    client = client_for(officer_hn)
    for uic in UICS.values():
        row = f"{uic},2024-05-02,{site_hn.code},loan,,referred,,yes"
        response = preview(client, "referrals", REFERRAL_HEADER, [row])
        assert response.context["errors"] == [
            "referrals.csv:2: uic: người tham gia chưa ghi danh ở tỉnh/thành phố của địa bàn: "
            "UIC không có trong danh sách của bạn hay trong participants.csv."
        ]
    assert Referral.objects.count() == 0
    assert known_in_cantho not in Participant.objects.visible_to(officer_hn)


def test_imported_referral_needs_consent(client_for, officer_hn, site_hn):
    participant = factories.ParticipantFactory(uic="MATU030795F")
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    client = client_for(officer_hn)
    for consent, message in (
        ("no", "referrals.csv:2: consent: Chưa có sự đồng ý của người tham gia"),
        ("", "referrals.csv:2: consent: không được để trống."),
    ):
        row = f"MATU030795F,2024-05-02,{site_hn.code},loan,,referred,,{consent}"
        errors = preview(client, "referrals", REFERRAL_HEADER, [row]).context["errors"]
        assert len(errors) == 1 and errors[0].startswith(message), errors
    assert Referral.objects.count() == 0


def test_a_province_cannot_withdraw_or_reactivate_another_provinces_record(
    client_for, officer_hn, officer_ct, site_hn, site_ct, known_in_cantho
):
    client = client_for(officer_hn)
    withdraw = reverse("participants:participant_withdraw", args=[known_in_cantho.pk])
    assert client.get(withdraw).status_code == 404
    assert client.post(withdraw, {"withdrawn_on": "2024-06-01"}).status_code == 404
    detail = reverse("participants:participant_detail", args=[known_in_cantho.pk])
    assert client.get(detail).status_code == 404

    # Hà Nội enrols the same person and withdraws its own record: Cần Thơ's stays active.
    enrol_flow(client, site_hn, ELSEWHERE)
    hn = Participant.objects.get(person=known_in_cantho.person, province__code="01")
    withdraw_hn = reverse("participants:participant_withdraw", args=[hn.pk])
    assert client.post(withdraw_hn, {"withdrawn_on": "2024-06-01"}).status_code == 302
    known_in_cantho.refresh_from_db()
    assert known_in_cantho.withdrawn_on is None
    ct_list = client_for(officer_ct).get(reverse("participants:participant_list"))
    assert known_in_cantho.code in ct_list.text

    # Cần Thơ withdraws; Hà Nội enrolling again reactivates only Hà Nội's record.
    services.participant_withdraw(participant=known_in_cantho, on=datetime.date(2024, 6, 2))
    enrol_flow(client_for(officer_hn), site_hn, ELSEWHERE)
    known_in_cantho.refresh_from_db()
    hn.refresh_from_db()
    assert known_in_cantho.withdrawn_on == datetime.date(2024, 6, 2)
    assert hn.withdrawn_on is None


def test_every_import_preview_and_confirm_is_in_the_activity_log(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    row = f"MATU030795F,sex_worker,female,1995,temporary,2024-05-02,{site_hn.code},2024-05-02"
    preview(client, "participants", PARTICIPANT_HEADER, [row])
    client.post(reverse("exchange:import"), {"action": "confirm"})
    events = list(ActivityEvent.objects.filter(kind=ActivityEvent.Kind.IMPORT).order_by("at"))
    assert [event.detail.get("preview", False) for event in events] == [True, False]
    for event in events:
        assert event.user == officer_hn
        assert "participants.csv" in event.what
        assert "MATU030795F" not in str(event.detail) and "MATU030795F" not in event.what
    assert events[0].detail["rows"] == {"participants.csv": 1}
