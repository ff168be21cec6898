"""The import template as a person fills it in: Vietnamese column titles with their codes, an
example row that is never imported, drop-downs for every list of values, and dates typed as
dd/mm/yyyy as well as YYYY-MM-DD."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from exchange.reader import read_directory
from exchange.services import import_exchange
from exchange.spec import FILES_BY_NAME, header_code, parse_date
from participants.models import Contact
from tests import factories

pytestmark = pytest.mark.django_db


def template(client):
    return load_workbook(io.BytesIO(client.get(reverse("exchange:template")).content))


def test_titles_examples_and_drop_downs(client_for, officer_hn):
    book = template(client_for(officer_hn))
    contacts = book["contacts"]
    assert [c.value for c in contacts[1]] == [
        "Mã UIC 11 ký tự của người tham gia (uic)",
        "Ngày tiếp cận (date)",
        "Mã địa bàn (site)",
        "Mã nhóm đồng đẳng của địa bàn (peer_group)",
        "Hình thức tiếp cận (kind)",
        "Nhu cầu (needs)",
    ]
    assert [c.value for c in contacts[2]] == [
        "LAHU030795F",
        "15/03/2025",
        "HN-HM-01",
        None,
        "Tiếp cận cộng đồng",
        "Khám sức khỏe; HIV/STI",
    ]
    # A drop-down under each column with a list of values, fed from the hidden list sheet.
    lists = book["_Danh mục"]
    assert lists.sheet_state == "hidden"
    by_column = {}
    for validation in contacts.data_validations.dataValidation:
        sheet_range = validation.formula1.split("!")[1].replace("$", "")
        column, first, last = (
            sheet_range[0],
            sheet_range[1:].split(":")[0],
            sheet_range.split(":")[1][1:],
        )
        values = [lists[f"{column}{row}"].value for row in range(int(first), int(last) + 1)]
        by_column[str(validation.sqref).split(":")[0][0]] = (values, validation.showErrorMessage)
    # The drop-downs offer the Vietnamese labels (a code typed instead only warns).
    assert by_column["E"] == (["Tiếp cận cộng đồng", "Tư vấn", "Sinh hoạt nhóm", "Theo dõi"], True)
    needs, strict = by_column["F"]
    assert "Khám sức khỏe" in needs and "Vay vốn" in needs and strict is False
    assert {v.errorStyle for v in contacts.data_validations.dataValidation} == {"warning"}
    # The guide says what the example shows: dates as dd/mm/yyyy; labels with their codes.
    guide = {
        (row[0].value, row[1].value): row for row in book["_Hướng dẫn"].iter_rows() if row[1].value
    }
    assert guide[("contacts.csv", "date")][4].value == "Ngày tiếp cận (dd/mm/yyyy)."
    assert guide[("contacts.csv", "kind")][3].value.startswith(
        "Tiếp cận cộng đồng (outreach) | Tư vấn (counselling)"
    )
    assert not any("YYYY-MM-DD)" in str(row[4].value) for row in guide.values())
    referrals = {str(v.sqref)[0] for v in book["referrals"].data_validations.dataValidation}
    header = [header_code(c.value) for c in book["referrals"][1]]
    assert {header[ord(letter) - 65] for letter in referrals} == {"service", "status", "consent"}


def test_a_filled_in_template_imports_its_rows_but_not_the_example(
    tmp_path, client_for, admin_user, site_hn
):
    participant = factories.ParticipantFactory(uic="QUKH030795F")
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    book = template(client_for(admin_user))
    contacts = book["contacts"]
    contacts.append(["QUKH030795F", "5/3/2024", site_hn.code, None, "counselling", "loan"])
    contacts.append(["QUKH030795F", "2024-03-06", site_hn.code, None, "outreach", None])
    # What the drop-downs offer, in Vietnamese or in English, any case.
    contacts.append(
        ["QUKH030795F", "07/03/2024", site_hn.code, None, "Theo dõi", "Vay vốn; legal aid"]
    )
    contacts.append(["QUKH030795F", "08/03/2024", site_hn.code, None, "GROUP SESSION", None])
    book.save(tmp_path / "mau.xlsx")
    sources, errors = read_directory(tmp_path)
    result = import_exchange(sources=sources, read_errors=errors)
    assert result.ok, [str(e) for e in result.errors]
    assert sorted(Contact.objects.values_list("date", "kind")) == [
        (datetime.date(2024, 3, 5), "counselling"),
        (datetime.date(2024, 3, 6), "outreach"),
        (datetime.date(2024, 3, 7), "follow_up"),
        (datetime.date(2024, 3, 8), "group_session"),
    ]
    assert Contact.objects.get(date=datetime.date(2024, 3, 7)).needs == ["legal_aid", "loan"]


def test_a_label_that_is_not_in_the_list_is_refused(tmp_path, site_hn):
    spec = FILES_BY_NAME["costs"]
    (tmp_path / "costs.csv").write_text(
        ",".join(spec.column_names) + f"\n{site_hn.code},01/02/2024,Nhân sự lạ,100\n",
        encoding="utf-8",
    )
    sources, errors = read_directory(tmp_path)
    result = import_exchange(sources=sources, read_errors=errors)
    assert [str(e) for e in result.errors][0].startswith(
        "costs.csv:2: category: giá trị không hợp lệ; dùng một trong:"
    )


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("2025-03-15", datetime.date(2025, 3, 15)),
        ("15/03/2025", datetime.date(2025, 3, 15)),
        ("5/3/2025", datetime.date(2025, 3, 5)),
        (" 01/12/2024 ", datetime.date(2024, 12, 1)),
    ],
)
def test_dates_iso_and_vietnamese(raw, day):
    assert parse_date(raw) == day


@pytest.mark.parametrize("raw", ["31/02/2025", "2025/03/15", "15-03-2025", "03/15", "15.03.2025"])
def test_other_dates_are_refused(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


def test_a_bad_date_names_both_forms(tmp_path, admin_user, site_hn):
    spec = FILES_BY_NAME["costs"]
    (tmp_path / "costs.csv").write_text(
        ",".join(spec.column_names) + f"\n{site_hn.code},31/02/2024,staff,100\n", encoding="utf-8"
    )
    sources, errors = read_directory(tmp_path)
    result = import_exchange(sources=sources, read_errors=errors)
    assert [str(e) for e in result.errors] == [
        "costs.csv:2: date: ngày không đúng dạng dd/mm/yyyy hoặc YYYY-MM-DD."
    ]
