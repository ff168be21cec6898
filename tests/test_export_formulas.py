"""No formulas in anything exported (issue 14): a site, peer group, establishment or provider
named like a formula comes out of every CSV and XLSX the system writes as text a spreadsheet
does not run, numbers stay numbers, and an exported file imports again unchanged.

Every file is checked cell by cell: a CSV cell never starts with = + - @ tab or carriage
return (an escaped one starts with an apostrophe); an XLSX has no formula element in any sheet
and every text cell is a string cell."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.spreadsheets import safe_cell, unescape
from exchange.reader import read_upload
from exchange.services import import_exchange
from exchange.spec import FILES
from reports.exports import to_csv, to_xlsx
from sites.models import PeerGroup, Site
from tests import factories

pytestmark = pytest.mark.django_db

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LINK = '=HYPERLINK("http://x","y")'
HOSTILE = [LINK, "+1", "-1+1", "@SUM(A1)", "\t=1+1", "'=1+1"]
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def test_the_escape_is_undone_exactly():
    for text in [*HOSTILE, "''=1", "'plain", "plain", "", "1-2", "h:ab"]:
        escaped = safe_cell(text)
        assert not escaped.startswith(FORMULA_STARTS)
        assert unescape(escaped) == text
    assert safe_cell(LINK) == "'" + LINK
    assert safe_cell("'=1+1") == "''=1+1"
    assert safe_cell("'plain") == "'plain"
    assert safe_cell(-5) == -5


@pytest.fixture
def hostile(site_hn, provider_hn):
    """Records named like formulas, with one of everything that is exported."""
    site_hn.name, site_hn.locality = LINK, "@SUM(A1)"
    site_hn.save()
    groups = [
        factories.PeerGroupFactory(code=f"G-{n}", site=site_hn, name=name, members=15)
        for n, name in enumerate(HOSTILE)
    ]
    provider_hn.name = "-1+1"
    provider_hn.save()
    establishment = factories.EstablishmentFactory(code="+1", site=site_hn, workers=7)
    participant = factories.ParticipantFactory()
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    factories.ContactFactory(participant=participant, site=site_hn, peer_group=groups[0])
    factories.ReferralFactory(participant=participant, site=site_hn, provider=provider_hn)
    factories.SupportFactory(participant=participant, site=site_hn)
    factories.RightsAssessmentFactory(participant=participant, establishment=establishment)
    factories.EstablishmentAssessmentFactory(establishment=establishment)
    factories.CostFactory(site=site_hn, amount_vnd=1_500_000)
    factories.TrainingFactory(site=site_hn, trainees=12)
    return groups


def csv_cells(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def assert_csv_is_safe(data):
    """Only a number (say -3) may start with one of those characters."""
    rows = csv_cells(data)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or NUMBER.match(cell), (cell, row)
    return rows


def assert_xlsx_is_safe(data):
    """No formula in any sheet's XML, no formula cell, text cells are strings; returns
    {sheet title: [rows of values]}."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[\s>/]", archive.read(name)), name
    book = load_workbook(io.BytesIO(data))
    sheets = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    assert not cell.value.startswith(FORMULA_STARTS), (cell.coordinate, cell.value)
            rows.append([cell.value for cell in row])
        sheets[sheet.title] = rows
    return sheets


def export(client, kind, fmt):
    response = client.get(reverse("exchange:export", args=[kind]), {"format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_list_export_is_safe(client_for, admin_user, hostile, fmt):
    client = client_for(admin_user)
    files = {spec.name: export(client, spec.name, fmt) for spec in FILES}
    if fmt == "csv":
        tables = {kind: assert_csv_is_safe(data) for kind, data in files.items()}
    else:
        tables = {kind: assert_xlsx_is_safe(data)[kind] for kind, data in files.items()}
    assert [kind for kind, table in tables.items() if len(table) < 2] == []
    cells = {str(cell) for table in tables.values() for row in table for cell in row}
    for text in HOSTILE:
        assert "'" + text in cells
    # Numbers stay numbers: members and the amount as integers in XLSX, digits in CSV.
    members = {row[0]: row[5] for row in tables["peer_groups"][1:]}
    amounts = [row[3] for row in tables["costs"][1:]]
    if fmt == "csv":
        assert set(members.values()) == {"15"} and amounts == ["1500000"]
    else:
        assert set(members.values()) == {15} and amounts == [1_500_000]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_escaped_export_imports_again_unchanged(client_for, admin_user, hostile, fmt):
    data = export(client_for(admin_user), "peer_groups", fmt)
    sources, errors = read_upload(f"peer_groups.{fmt}", data)
    result = import_exchange(sources=sources, user=admin_user, read_errors=errors)
    assert result.ok, [str(error) for error in result.errors]
    counts = result.counts["peer_groups"]
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, len(HOSTILE))
    assert sorted(PeerGroup.objects.values_list("name", flat=True)) == sorted(HOSTILE)
    assert Site.objects.get(code="HN-HM-PG").name == LINK


def test_the_template_is_safe(client_for, officer_hn):
    response = client_for(officer_hn).get(reverse("exchange:template"))
    sheets = assert_xlsx_is_safe(response.content)
    assert {spec.name for spec in FILES} <= set(sheets)


def test_the_national_summary_is_safe():
    """The two writers of the national summary, with a province label like a formula next to
    numbers, suppressed cells and empty ones."""
    header = ["province_code", "province", "reached", "referred_pct"]
    body = [
        ["01", LINK, 120, Decimal("35.5")],
        ["79", "-1+1", "<5", None],
        ["VN", "Toàn quốc", -3, 0],
    ]
    rows = assert_csv_is_safe(to_csv(header, body))
    assert rows == [
        header,
        ["01", "'" + LINK, "120", "35.5"],
        ["79", "'-1+1", "<5", ""],
        ["VN", "Toàn quốc", "-3", "0"],
    ]
    # A release as reports.exports reads it: its period, version and stored markers.
    period = SimpleNamespace(
        label="Quý 1/2019", start=datetime.date(2019, 1, 1), end=datetime.date(2019, 3, 31)
    )
    release = SimpleNamespace(
        period=period,
        published_at=timezone.now(),
        version=1,
        provinces=["01", "79"],
        reason="",
        tables={"markers": {}},
    )
    sheets = assert_xlsx_is_safe(to_xlsx(header, body, release=release))
    summary = next(iter(sheets.values()))
    assert ["01", "'" + LINK, 120, 0.355] in summary
    assert ["79", "'-1+1", "<5", None] in summary
    assert ["VN", "Toàn quốc", -3, 0] in summary


def test_the_audit_log_export_is_safe(client_for, admin_user, hostile):
    response = client_for(admin_user).get(reverse("audit_export"))
    rows = assert_csv_is_safe(response.content)
    assert any(cell.startswith("'" + LINK) for row in rows for cell in row)
