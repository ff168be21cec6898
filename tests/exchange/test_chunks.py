"""The import reads, checks and writes each file in chunks (EXCHANGE_IMPORT_CHUNK rows): what
holds for a whole file holds across the chunks' boundaries. Chunks of two rows here: lines 2-3
of a file are its first chunk, lines 4-5 its second, line 6 its third."""

import datetime

import pytest

from participants.models import Contact, Enrolment, Participant
from participants.uic import uic_hash
from referrals.models import Referral, ReferralEvent
from tests import factories

from .conftest import UIC_A, UIC_B, UIC_C, run_import, snapshot, valid_files, write_folder

pytestmark = pytest.mark.django_db

PARTICIPANTS = [
    f"{UIC_A},sex_worker,female,1995,temporary,2020-03-01,HN-HM-PG,2020-03-01",
    f"{UIC_B},sex_worker,female,1988,permanent,2020-03-01,HN-HM-PG,2020-03-01",
    f"{UIC_C},other,male,1999,none,2020-03-05,HN-HM-PG,2020-03-05",
]
DUPLICATE = (
    "Lần tiếp cận này (cùng người, ngày, địa bàn và hình thức) đã được ghi nhận trước đó. "
    "(trùng khóa với dòng 2.)"
)


@pytest.fixture(autouse=True)
def chunks_of_two(settings):
    settings.EXCHANGE_IMPORT_CHUNK = 2


def contact(uic, day, kind="outreach"):
    return f"{uic},{day},HN-HM-PG,,{kind},loan"


def error_lines(err):
    return [line for line in err.splitlines() if ".csv:" in line]


def test_a_valid_folder_imports_alike_in_chunks_of_one(tmp_path, reference, settings):
    settings.EXCHANGE_IMPORT_CHUNK = 1
    ok, out, err = run_import(write_folder(tmp_path, valid_files()))
    assert ok, err
    assert "participants.csv: 4 new, 0 updated, 0 unchanged" in out
    assert "contacts.csv: 3 new, 0 updated, 0 unchanged" in out
    assert "referrals.csv: 2 new, 0 updated, 0 unchanged" in out
    a = Participant.objects.get(person__uic_hash=uic_hash(UIC_A))
    assert sorted(a.enrolments.values_list("site__code", flat=True)) == ["HN-NEW", "HN-WR"]
    assert Participant.objects.count() == 3
    ok, out, _err = run_import(write_folder(tmp_path / "again", valid_files()))
    assert ok
    assert "contacts.csv: 0 new, 0 updated, 3 unchanged" in out
    assert "participants.csv: 0 new, 0 updated, 4 unchanged" in out


def test_errors_in_later_chunks_leave_nothing_written(tmp_path, site_hn):
    files = {
        "participants": PARTICIPANTS,
        "contacts": [
            contact(UIC_A, "2020-04-01"),
            contact(UIC_B, "2020-04-01"),
            contact(UIC_C, "2020-04-01"),
            contact(UIC_A, "2020-13-01"),  # line 5, second chunk: a bad cell
            f"{UIC_B},2020-04-02,XX-NONE,,outreach,",  # line 6, third chunk: a rule
        ],
    }
    before = snapshot()
    ok, _out, err = run_import(write_folder(tmp_path, files))
    assert not ok
    assert error_lines(err) == [
        "contacts.csv:5: date: ngày không đúng dạng dd/mm/yyyy hoặc YYYY-MM-DD.",
        "contacts.csv:6: site: không có địa bàn mã này (hoặc địa bàn nằm ngoài phạm vi của bạn).",
    ]
    assert snapshot() == before
    assert (Participant.objects.count(), Contact.objects.count()) == (0, 0)


def test_a_duplicate_across_a_chunk_boundary_is_refused(tmp_path, site_hn):
    files = {
        "participants": PARTICIPANTS,
        "contacts": [
            contact(UIC_A, "2020-04-01"),
            contact(UIC_B, "2020-04-01"),
            contact(UIC_A, "2020-04-01"),  # line 4: line 2 again, in the second chunk
        ],
    }
    ok, _out, err = run_import(write_folder(tmp_path, files))
    assert not ok
    assert error_lines(err) == [f"contacts.csv:4: uic, date, site, kind: {DUPLICATE}"]
    assert Contact.objects.count() == 0


def test_a_stored_key_twice_across_a_chunk_boundary_is_still_a_duplicate(tmp_path, site_hn):
    first = {"participants": PARTICIPANTS, "contacts": [contact(UIC_A, "2020-04-01")]}
    assert run_import(write_folder(tmp_path / "one", first))[0]
    stored = Contact.objects.get()
    again = {
        "contacts": [
            f"{UIC_A},2020-04-01,HN-HM-PG,,outreach,legal_aid",
            contact(UIC_B, "2020-04-01"),
            contact(UIC_A, "2020-04-01"),  # line 4: the stored key again, after line 2 wrote it
        ]
    }
    ok, _out, err = run_import(write_folder(tmp_path / "two", again))
    assert not ok
    assert error_lines(err) == [f"contacts.csv:4: uic, date, site, kind: {DUPLICATE}"]
    stored.refresh_from_db()
    assert (stored.needs, stored.version) == (["loan"], 0)
    assert Contact.objects.count() == 1


def test_contacts_in_many_chunks_carry_their_person(tmp_path, site_hn):
    days = ["2020-04-01", "2020-04-02", "2020-04-03"]
    files = {
        "participants": PARTICIPANTS,
        "contacts": [contact(uic, day) for day in days for uic in (UIC_A, UIC_B, UIC_C)],
    }
    ok, out, err = run_import(write_folder(tmp_path, files))
    assert ok, err
    assert "contacts.csv: 9 new, 0 updated, 0 unchanged" in out
    assert Contact.objects.count() == 9
    for row in Contact.objects.values("person_id", "participant__person_id"):
        assert row["person_id"] == row["participant__person_id"]
    assert Contact.objects.filter(person__uic_hash=uic_hash(UIC_B)).count() == 3


def test_a_record_takes_its_consent_from_rows_in_any_chunk(tmp_path, site_hn):
    factories.SiteFactory(code="HN-BD")
    files = {
        "participants": [
            *PARTICIPANTS[:2],
            # Line 4, second chunk: the same person at another site of the province, with an
            # earlier consent: one record, consent the earliest, written once.
            f"{UIC_A},sex_worker,female,1995,temporary,2020-03-02,HN-BD,2020-02-01",
        ]
    }
    ok, out, err = run_import(write_folder(tmp_path, files))
    assert ok, err
    assert "participants.csv: 3 new, 0 updated, 0 unchanged" in out
    a = Participant.objects.get(person__uic_hash=uic_hash(UIC_A))
    assert (a.consent_on, a.version) == (datetime.date(2020, 2, 1), 0)
    assert sorted(Enrolment.objects.filter(participant=a).values_list("site__code", flat=True)) == [
        "HN-BD",
        "HN-HM-PG",
    ]


def test_a_later_chunk_must_describe_the_person_as_the_first_row(tmp_path, site_hn):
    factories.SiteFactory(code="HN-BD")
    files = {
        "participants": [
            *PARTICIPANTS[:2],
            f"{UIC_A},sex_worker,male,1995,temporary,2020-03-02,HN-BD,2020-03-01",
        ]
    }
    ok, _out, err = run_import(write_folder(tmp_path, files))
    assert not ok
    assert error_lines(err) == ["participants.csv:4: sex: khác với dòng 2 của cùng người tham gia."]
    assert Participant.objects.count() == 0


def _stored_then_moved_twice(tmp_path, *, stored, move):
    """UIC_A's referral stored with status `stored`; then a file (2-row chunks) whose line 2
    moves it (`move`: status and completion day), line 3 is another person's and line 4 names
    it again as "referred". The import fails; returns its error output."""
    first = {
        "participants": PARTICIPANTS,
        "referrals": [f"{UIC_A},2020-04-01,HN-HM-PG,loan,,{stored},,yes"],
    }
    assert run_import(write_folder(tmp_path / "one", first))[0]
    again = {
        "referrals": [
            f"{UIC_A},2020-04-01,HN-HM-PG,loan,,{move},yes",
            f"{UIC_B},2020-04-01,HN-HM-PG,loan,,referred,,yes",
            f"{UIC_A},2020-04-01,HN-HM-PG,loan,,referred,,yes",
        ]
    }
    ok, _out, err = run_import(write_folder(tmp_path / "two", again))
    assert not ok
    return err


def test_a_referral_twice_across_chunks_is_held_to_its_stored_status(tmp_path, site_hn):
    """Line 2 moves a stored referral forward; line 4 (second chunk) names it again with its
    stored status: refused as the same key twice, as in one chunk, not as a move back from
    what line 2 wrote."""
    err = _stored_then_moved_twice(tmp_path, stored="referred", move="received,")
    assert error_lines(err) == [
        "referrals.csv:4: uic, date, site, service: Người tham gia này đã được chuyển gửi dịch "
        "vụ này tại địa bàn này trong ngày đã chọn. (trùng khóa với dòng 2.)"
    ]
    assert list(Referral.objects.values_list("status", flat=True)) == ["referred"]
    assert ReferralEvent.objects.count() == 1


def test_a_referral_twice_across_chunks_moving_back_from_its_stored_status(tmp_path, site_hn):
    """Line 4 (second chunk) moves the stored referral back from its stored status: refused for
    that, as in one chunk (where both rows are held to the stored referral)."""
    err = _stored_then_moved_twice(tmp_path, stored="received", move="completed,2020-04-10")
    assert error_lines(err) == [
        "referrals.csv:4: status: Không thể chuyển chuyển gửi từ trạng thái “Đã tiếp nhận” "
        "sang “Đã chuyển gửi”. Trạng thái được giữ nguyên."
    ]
    assert list(Referral.objects.values_list("status", flat=True)) == ["received"]
