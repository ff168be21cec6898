"""Per-province pseudonyms in the `uic` column of exports (README "Exchange files")."""

import datetime

import pytest
from django.urls import reverse

from exchange.reader import read_directory
from exchange.services import import_exchange
from participants.models import Contact, Participant, Person
from privacy.services import person_erase
from tests import factories

from .conftest import HEADERS, UIC_A, UIC_B, pseudonym, read_csv_bytes, run_import, write_folder

pytestmark = pytest.mark.django_db

CASE_FILES = ("participants", "contacts", "referrals", "supports", "rights_assessments")
UNKNOWN = (
    "uic: mã bí danh không có trong danh sách của bạn: chỉ tỉnh/thành phố đã xuất tệp mới nhập "
    "lại được mã này."
)


@pytest.fixture
def both(site_hn, site_ct):
    """One person (UIC_A) enrolled in Hà Nội and in Cần Thơ, with a contact, a referral, a
    support and a rights assessment in each."""
    records = {}
    for site in (site_hn, site_ct):
        record = factories.ParticipantFactory(uic=UIC_A, province=site.province.current)
        factories.EnrolmentFactory(participant=record, site=site)
        factories.ContactFactory(participant=record, site=site)
        factories.ReferralFactory(participant=record, site=site)
        factories.SupportFactory(participant=record, site=site)
        establishment = factories.EstablishmentFactory(site=site, code=f"E-{site.code}")
        factories.RightsAssessmentFactory(participant=record, establishment=establishment)
        records[site.code] = record
    assert Person.objects.count() == 1
    return records


def export(client, kind):
    response = client.get(reverse("exchange:export", args=[kind]), {"format": "csv"})
    assert response.status_code == 200
    return read_csv_bytes(b"".join(response.streaming_content))


def exports_of(client):
    return {kind: export(client, kind) for kind in CASE_FILES}


def cells(files):
    return {cell for rows in files.values() for row in rows[1:] for cell in row}


def uic_cells(files):
    return {row[0] for rows in files.values() for row in rows[1:]}


def import_as(user, folder, dry_run=False):
    sources, read_errors = read_directory(folder)
    return import_exchange(sources=sources, user=user, dry_run=dry_run, read_errors=read_errors)


def save(folder, files):
    folder.mkdir()
    for kind, rows in files.items():
        (folder / f"{kind}.csv").write_text(
            "\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8"
        )
    return folder


def test_two_provinces_exports_of_one_person_have_no_identifier_in_common(
    tmp_path, client_for, officer_hn, officer_ct, both
):
    hanoi = exports_of(client_for(officer_hn))
    cantho = exports_of(client_for(officer_ct))
    for files in (hanoi, cantho):
        assert all(len(rows) == 2 for rows in files.values()), files
    # Each file names the person by the province's pseudonym, the same in all its files.
    assert uic_cells(hanoi) == {pseudonym(UIC_A, "01")}
    assert uic_cells(cantho) == {pseudonym(UIC_A, "92")}
    # Nothing that names the person in one province's files appears in the other's.
    assert not uic_cells(hanoi) & cells(cantho)
    assert not uic_cells(cantho) & cells(hanoi)
    # Each officer's own export imports again unchanged.
    for user, files, name in ((officer_hn, hanoi, "hn"), (officer_ct, cantho, "ct")):
        result = import_as(user, save(tmp_path / name, files))
        assert result.ok, [str(error) for error in result.errors]
        for kind in CASE_FILES:
            counts = result.counts[kind]
            assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1), kind
    assert Participant.objects.count() == 2 and Contact.objects.count() == 2


def test_another_provinces_pseudonym_is_refused_like_an_unknown_one(
    tmp_path, officer_hn, officer_ct, site_hn, site_ct, both
):
    """Hà Nội knows UIC_A; UIC_B is known only in Cần Thơ. A Cần Thơ pseudonym of either, a
    Hà Nội-style pseudonym of UIC_B (whom Hà Nội does not know) and a made-up one all get the
    same message on a Hà Nội officer's import; nothing is written."""
    only_ct = factories.ParticipantFactory(uic=UIC_B, province=site_ct.province.current)
    factories.EnrolmentFactory(participant=only_ct, site=site_ct)
    made_up = "p:01:" + "ab" * 48
    tried = [pseudonym(UIC_A, "92"), pseudonym(UIC_B, "92"), pseudonym(UIC_B, "01"), made_up]
    lines = [f"{value},2019-03-01,{site_hn.code},,outreach," for value in tried]
    folder = write_folder(tmp_path / "in", {"contacts": lines})
    result = import_as(officer_hn, folder)
    messages = [str(error) for error in result.errors]
    assert messages == [f"contacts.csv:{line}: {UNKNOWN}" for line in (2, 3, 4, 5)]
    assert Contact.objects.count() == 2
    # Hà Nội's own pseudonym of the person it knows is read.
    folder = write_folder(
        tmp_path / "own", {"contacts": [f"{pseudonym(UIC_A, '01')},2019-03-01,HN-HM-PG,,outreach,"]}
    )
    result = import_as(officer_hn, folder)
    assert result.ok, [str(error) for error in result.errors]
    assert result.counts["contacts"].new == 1
    # Cần Thơ's officer cannot use Hà Nội's pseudonym of the same person either.
    folder = write_folder(
        tmp_path / "ct", {"contacts": [f"{pseudonym(UIC_A, '01')},2019-03-02,CT-NK-WR,,outreach,"]}
    )
    assert [str(e) for e in import_as(officer_ct, folder).errors] == [f"contacts.csv:2: {UNKNOWN}"]


def test_a_pseudonym_of_an_erased_person_is_unknown(tmp_path, officer_hn, admin_user, both):
    value = pseudonym(UIC_A, "01")
    person_erase(person=Person.objects.get(), by=admin_user)
    folder = write_folder(
        tmp_path / "in", {"contacts": [f"{value},2019-03-01,HN-HM-PG,,outreach,"]}
    )
    assert [str(e) for e in import_as(officer_hn, folder).errors] == [f"contacts.csv:2: {UNKNOWN}"]


def test_a_users_import_refuses_the_national_hash_the_servers_command_takes_it(
    tmp_path, officer_hn, admin_user, both
):
    from participants.uic import uic_hash

    line = f"h:{uic_hash(UIC_A)},2019-03-01,HN-HM-PG,,outreach,"
    folder = write_folder(tmp_path / "in", {"contacts": [line]})
    for user in (officer_hn, admin_user):
        messages = [str(e) for e in import_as(user, folder).errors]
        assert messages == [
            "contacts.csv:2: uic: mã băm quốc gia (h:) chỉ được nhận qua lệnh import_exchange "
            "trên máy chủ; hãy dùng UIC 11 ký tự hoặc mã bí danh (p:) trong tệp do tỉnh/thành "
            "phố của bạn xuất ra."
        ]
    ok, out, err = run_import(folder)
    assert ok, err
    assert "contacts.csv: 1 new" in out


def test_a_malformed_pseudonym_is_a_format_error(tmp_path, officer_hn, both):
    folder = write_folder(
        tmp_path / "in", {"contacts": ["p:01:xyz,2019-03-01,HN-HM-PG,,outreach,"]}
    )
    assert [str(e) for e in import_as(officer_hn, folder).errors] == [
        "contacts.csv:2: uic: mã bí danh không hợp lệ (p:, mã tỉnh, : và 96 ký tự hex)."
    ]


def test_the_servers_command_reads_any_provinces_pseudonym_into_an_empty_database(
    tmp_path, site_hn, site_ct
):
    """The command runs with the server's keys: a national export loads into a new database
    with the same UIC_SECRET, each pseudonym read under the province it names."""
    lines = [
        f"{pseudonym(UIC_A, '01')},sex_worker,female,1995,temporary,2019-01-10,HN-HM-PG,2019-01-10",
        f"{pseudonym(UIC_A, '92')},sex_worker,female,1995,temporary,2019-01-10,CT-NK-WR,2019-01-10",
    ]
    assert HEADERS["participants"].startswith("uic,")
    ok, out, err = run_import(write_folder(tmp_path / "in", {"participants": lines}))
    assert ok, err
    person = Person.objects.get()
    assert sorted(person.participants.values_list("province__code", flat=True)) == ["01", "92"]
    assert person.participants.first().consent_on == datetime.date(2019, 1, 10)
