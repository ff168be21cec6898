import datetime

import pytest

from participants.models import Contact, Enrolment, Participant
from participants.uic import uic_hash
from referrals.models import Referral, ReferralEvent
from sites.models import Cost, Province, Site

from .conftest import (
    HEADERS,
    UIC_A,
    UIC_B,
    UIC_C,
    counts,
    database_text,
    run_import,
    snapshot,
    valid_files,
    write_folder,
)

pytestmark = pytest.mark.django_db


def test_a_valid_folder_imports_every_file(tmp_path, reference):
    ok, out, err = run_import(write_folder(tmp_path, valid_files()))
    assert ok, err
    assert "participants.csv: 4 new, 0 updated, 0 unchanged" in out
    assert "contacts.csv: 3 new" in out

    legacy_hn = Province.objects.get(unit_set="legacy", code="01")
    new_hn = Province.objects.get(unit_set="2025", code="01")
    assert Site.objects.get(code="HN-NEW").province == legacy_hn
    wr = Site.objects.get(code="HN-WR")
    assert (wr.province, wr.end_date, wr.model_id) == (
        new_hn,
        datetime.date(2026, 12, 31),
        "worker_rights",
    )

    # Participants are found by the hash of their UIC; one person enrolled at two sites.
    a = Participant.objects.get(person__uic_hash=uic_hash(UIC_A))
    assert sorted(a.enrolments.values_list("site__code", flat=True)) == ["HN-NEW", "HN-WR"]
    assert a.consent_on == datetime.date(2020, 3, 1)
    b = Participant.objects.get(person__uic_hash=uic_hash(UIC_B))
    assert b.category == "establishment_worker"
    assert Participant.objects.get(person__uic_hash=uic_hash(UIC_C)).sex == "male"
    assert Participant.objects.count() == 3

    contact = Contact.objects.get(participant=a, date=datetime.date(2020, 3, 1))
    assert contact.needs == ["health_check", "loan"]
    assert contact.peer_group.code == "G-NEW"
    referral = Referral.objects.get(participant=a)
    assert (referral.status, referral.provider, referral.completed_on) == (
        "completed",
        reference,
        datetime.date(2020, 3, 20),
    )
    assert list(referral.events.values_list("from_status", "to_status")) == [("", "completed")]
    assert Cost.objects.get(site=wr).amount_vnd == 2_500_000
    for raw in (UIC_A, UIC_B, UIC_C):
        assert raw not in database_text()


def test_importing_the_same_folder_twice_changes_nothing(tmp_path, reference):
    folder = write_folder(tmp_path, valid_files())
    assert run_import(folder)[0]
    before = snapshot()
    ok, out, _err = run_import(folder)
    assert ok
    assert snapshot() == before
    for line in out.splitlines()[:-1]:
        assert " 0 new, 0 updated" in line, line


def test_a_changed_row_is_updated_and_a_status_change_recorded(tmp_path, reference):
    files = valid_files()
    assert run_import(write_folder(tmp_path / "one", files))[0]
    files["referrals"][1] = f"{UIC_C},2020-04-02,HN-NEW,legal_aid,,declined,,yes"
    files["costs"][0] = "HN-NEW,2020-06-30,staff,16000000"
    ok, out, _err = run_import(write_folder(tmp_path / "two", files))
    assert ok
    assert "referrals.csv: 0 new, 1 updated, 1 unchanged" in out
    assert "costs.csv: 0 new, 1 updated, 1 unchanged" in out
    referral = Referral.objects.get(participant__person__uic_hash=uic_hash(UIC_C))
    assert referral.status == "declined"
    assert list(referral.events.values_list("from_status", "to_status")) == [
        ("", "referred"),
        ("referred", "declined"),
    ]
    assert Cost.objects.get(site__code="HN-NEW").version == 1


def test_one_bad_row_among_thousands_leaves_the_database_as_it_was(tmp_path, site_hn):
    uics = [f"ABCD{1 + n % 28:02d}{1 + n // 28 % 12:02d}{n // 336:02d}F" for n in range(1000)]
    files = {
        "participants": [
            f"{uic},sex_worker,female,1990,temporary,2019-01-01,HN-HM-PG,2019-01-01" for uic in uics
        ],
        "contacts": [
            f"{uic},2019-0{1 + day}-01,HN-HM-PG,,outreach,loan" for uic in uics for day in range(3)
        ],
    }
    files["contacts"][1999] = f"{uics[666]},2019-13-01,HN-HM-PG,,outreach,loan"
    before = snapshot()
    ok, out, err = run_import(write_folder(tmp_path, files))
    assert not ok
    # Header is line 1, so the 2000th data row is line 2001.
    assert "contacts.csv:2001: date: " in err
    assert err.count("contacts.csv:") == 1
    assert snapshot() == before
    assert Participant.objects.count() == 0


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"costs": ["HN-HM-PG,2020-01-01,staff,10"]},
            "costs.csv:1: colour: cột không có trong định dạng",
        ),
        ({"costs": ["HN-HM-PG,2020-01-01,salaries,10"]}, "costs.csv:2: category: giá trị không"),
        ({"costs": ["HN-HM-PG,2020/02/01,staff,10"]}, "costs.csv:2: date: ngày không đúng dạng"),
        ({"costs": ["HN-HM-PG,2020-02-30,staff,10"]}, "costs.csv:2: date: ngày không đúng dạng"),
        (
            {"costs": ["HN-HM-PG,2020-01-01,staff,-10"]},
            "costs.csv:2: amount_vnd: Số tiền phải là số nguyên không âm (VNĐ).",
        ),
        ({"costs": ["XX-NONE,2020-01-01,staff,10"]}, "costs.csv:2: site: không có địa bàn"),
        (
            {"contacts": [f"{UIC_A},2020-01-01,HN-HM-PG,,outreach,"]},
            "contacts.csv:2: uic: người tham gia chưa ghi danh",
        ),
        (
            {"contacts": [f"{UIC_A},2020-01-01,HN-HM-PG,,outreach,flying"]},
            "contacts.csv:2: needs: có mã dịch vụ không hợp lệ",
        ),
        (
            {"contacts": [f"{UIC_A},2020-01-01,HN-HM-PG,NO-GROUP,outreach,"]},
            "contacts.csv:2: peer_group: không có nhóm",
        ),
        (
            # Hà Giang (02) was merged into Tuyên Quang on 1 July 2025.
            {"sites": ["HG-1,Hà Giang,02,Vị Xuyên,community,pilot,2025-08-01,"]},
            "sites.csv:2: province: không có tỉnh mã này trong 34 tỉnh",
        ),
        (
            # No province had code 99 before 1 July 2025.
            {"sites": ["X-1,X,99,X,community,pilot,2020-08-01,"]},
            "sites.csv:2: province: không có tỉnh mã này trong 63 tỉnh",
        ),
        (
            {"referrals": [f"{UIC_A},2020-01-01,HN-HM-PG,loan,,completed,,yes"]},
            "referrals.csv:2: completed_on: bắt buộc khi trạng thái là completed",
        ),
        (
            {"referrals": [f"{UIC_A},2020-01-01,HN-HM-PG,loan,Không có,referred,,yes"]},
            "referrals.csv:2: provider: không có cơ sở dịch vụ tên này",
        ),
        ({"notes": []}, "notes.csv: tên tệp/trang tính không thuộc định dạng"),
    ],
)
def test_each_kind_of_bad_row_gets_a_clear_message(tmp_path, site_hn, files, expected):
    headers = {"costs": HEADERS["costs"] + (",colour" if "colour" in expected else "")}
    if "notes" in files:
        (tmp_path / "notes.csv").write_text("a,b\n", encoding="utf-8")
        files = {}
    before = counts()
    ok, _out, err = run_import(write_folder(tmp_path, files, headers))
    assert not ok
    assert expected in err, err
    assert counts() == before


def test_a_missing_required_column_is_named(tmp_path, site_hn):
    write_folder(
        tmp_path, {"costs": ["HN-HM-PG,2020-01-01,staff"]}, {"costs": "site,date,category"}
    )
    ok, _out, err = run_import(tmp_path)
    assert not ok
    assert "costs.csv:1: amount_vnd: thiếu cột bắt buộc" in err


def test_a_province_that_did_not_exist_on_the_start_date_is_refused(tmp_path, db):
    # 92 is Cần Thơ in both lists; 17 is Hòa Bình, merged into Phú Thọ on 1 July 2025.
    files = {"sites": ["HB-1,Hòa Bình,17,Hòa Bình,community,pilot,2025-07-01,"]}
    ok, _out, err = run_import(write_folder(tmp_path, files))
    assert not ok
    assert "sites.csv:2: province: " in err
    ok, _out, err = run_import(
        write_folder(tmp_path, {"sites": ["HB-1,Hòa Bình,17,Hòa Bình,community,pilot,2025-06-30,"]})
    )
    assert ok, err
    assert Site.objects.get(code="HB-1").province.unit_set == "legacy"


@pytest.mark.parametrize(
    ("encoding", "name"), [("latin-1", "sites"), ("utf-16", "trainings"), ("utf-16-le", "costs")]
)
def test_a_file_not_in_utf8_is_named(tmp_path, site_hn, encoding, name):
    rows = {
        "sites": "X,Café Ba Đình,01,Ba Đình,community,pilot,2020-01-01,",
        "trainings": "HN-HM-PG,2020-01-01,officials,12",
        "costs": "HN-HM-PG,2020-01-01,staff,12",
    }
    text = f"{HEADERS[name]}\n{rows[name]}\n"
    (tmp_path / f"{name}.csv").write_bytes(text.encode(encoding, "replace"))
    ok, _out, err = run_import(tmp_path)
    assert not ok
    assert f"{name}.csv: tệp không được mã hóa UTF-8" in err


def test_a_byte_order_mark_is_tolerated(tmp_path, site_hn):
    text = HEADERS["trainings"] + "\nHN-HM-PG,2020-01-01,officials,12\n"
    (tmp_path / "trainings.csv").write_bytes(text.encode("utf-8-sig"))
    ok, _out, err = run_import(tmp_path)
    assert ok, err


def test_dry_run_validates_counts_and_writes_nothing(tmp_path, reference):
    before = snapshot()
    ok, out, err = run_import(write_folder(tmp_path, valid_files()), "--dry-run")
    assert ok, err
    assert "participants.csv: 4 new" in out
    assert "Dry run" in out
    assert snapshot() == before


def test_the_raw_uic_is_never_echoed_in_messages(tmp_path, site_hn, caplog):
    bad = "ABCD999999X"
    files = {
        "participants": [
            f"{bad},sex_worker,female,1990,temporary,2019-01-01,HN-HM-PG,2019-01-01",
            f"{UIC_A},sex_worker,female,1990,temporary,2019-01-01,NOWHERE,2019-01-01",
        ],
        "contacts": [f"{UIC_B},2019-01-01,HN-HM-PG,,outreach,"],
    }
    ok, out, err = run_import(write_folder(tmp_path, files))
    assert not ok
    assert "participants.csv:2: uic: UIC không hợp lệ" in err
    assert "contacts.csv:2: uic: " in err
    for raw in (bad, UIC_A, UIC_B):
        assert raw not in out + err + caplog.text


def test_an_exported_hash_imports_as_the_same_participant(tmp_path, site_hn):
    digest = uic_hash(UIC_A)
    files = {
        "participants": [
            f"h:{digest},sex_worker,female,1995,temporary,2019-01-01,HN-HM-PG,2019-01-01"
        ],
        "contacts": [f"{UIC_A},2019-01-02,HN-HM-PG,,outreach,"],
    }
    ok, _out, err = run_import(write_folder(tmp_path, files))
    assert ok, err
    participant = Participant.objects.get()
    assert participant.person.uic_hash == digest
    assert participant.contacts.count() == 1
    assert Enrolment.objects.count() == 1


def test_xlsx_workbook_with_sheets_named_like_the_files(tmp_path, reference):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "_notes"
    for name, lines in valid_files().items():
        sheet = book.create_sheet(name)
        sheet.append(HEADERS[name].split(","))
        for line in lines:
            cells = line.split(",")
            if name == "costs":
                cells[-1] = int(cells[-1])
            if name == "trainings":
                cells[1] = datetime.date.fromisoformat(cells[1])
            sheet.append(cells)
    book.save(tmp_path / "data.xlsx")
    ok, out, err = run_import(tmp_path)
    assert ok, err
    assert "costs.csv: 2 new" in out
    assert Participant.objects.count() == 3
    assert ReferralEvent.objects.count() == 2
    ok, out, err = run_import(tmp_path)
    assert ok and "trainings.csv: 0 new, 0 updated, 1 unchanged" in out


def test_an_error_in_an_xlsx_sheet_names_the_sheet_and_row(tmp_path, site_hn):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "trainings"
    sheet.append(HEADERS["trainings"].split(","))
    sheet.append(["HN-HM-PG", "2020-01-01", "officials", 3])
    sheet.append(["HN-HM-PG", "2020-01-02", "officials", -3])
    book.save(tmp_path / "book.xlsx")
    ok, _out, err = run_import(tmp_path)
    assert not ok
    assert "book.xlsx[trainings]:3: trainees: Số lượng không được âm." in err
