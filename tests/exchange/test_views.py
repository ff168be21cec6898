import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import ActivityEvent
from exchange import uploads
from exchange.reader import read_directory
from exchange.services import import_exchange
from exchange.spec import FILES
from participants.models import Contact, Participant
from participants.uic import uic_hash
from sites.models import Site
from tests import factories

from .conftest import (
    HEADERS,
    UIC_A,
    counts,
    database_text,
    pseudonym,
    read_csv_bytes,
    run_import,
    snapshot,
    valid_files,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.EXCHANGE_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def csv_upload(name, lines):
    data = "\n".join([HEADERS[name], *lines]) + "\n"
    upload = io.BytesIO(data.encode())
    upload.name = f"{name}.csv"
    return upload


def zip_upload(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, lines in files.items():
            archive.writestr(f"export/{name}.csv", "\n".join([HEADERS[name], *lines]) + "\n")
    buffer.seek(0)
    buffer.name = "data.zip"
    return buffer


def test_preview_shows_counts_and_confirm_writes(client_for, officer_hn, provider_hn, upload_dir):
    client = client_for(officer_hn)
    response = client.post(reverse("exchange:import"), {"file": zip_upload(valid_files())})
    assert response.status_code == 200
    assert response.context["result"].ok, response.context["errors"]
    shown = dict(response.context["counts"])
    assert shown["participants.csv"].new == 4
    assert shown["contacts.csv"].new == 3
    assert Participant.objects.count() == 0 and Site.objects.count() == 0
    # Only the random token is in the session; the raw UIC only in the temporary file.
    token = client.session[uploads.SESSION_KEY]
    assert UIC_A not in str(dict(client.session.items()))
    assert UIC_A not in database_text()
    assert any(upload_dir.iterdir())

    response = client.post(reverse("exchange:import"), {"action": "confirm"})
    assert response.status_code == 302
    assert Participant.objects.count() == 3
    assert Site.objects.filter(code__in=["HN-NEW", "HN-WR"]).count() == 2
    assert uploads.SESSION_KEY not in client.session
    assert uploads.folder_for(token) is None
    preview, event = ActivityEvent.objects.filter(kind=ActivityEvent.Kind.IMPORT).order_by("id")
    assert (preview.detail["preview"], event.detail["preview"]) == (True, False)
    assert event.user == officer_hn
    assert event.detail["counts"]["contacts"] == {"new": 3, "updated": 0, "unchanged": 0}
    assert UIC_A not in database_text()


def test_cancel_writes_nothing_and_deletes_the_upload(client_for, officer_hn, provider_hn):
    client = client_for(officer_hn)
    before = snapshot()
    client.post(reverse("exchange:import"), {"file": zip_upload(valid_files())})
    token = client.session[uploads.SESSION_KEY]
    assert uploads.folder_for(token) is not None
    response = client.post(reverse("exchange:import"), {"action": "cancel"})
    assert response.status_code == 302
    assert uploads.folder_for(token) is None
    assert snapshot() == before
    # Confirming after a cancel finds nothing to import.
    client.post(reverse("exchange:import"), {"action": "confirm"})
    assert snapshot() == before
    # The preview is in the activity log; no import is.
    events = ActivityEvent.objects.filter(kind=ActivityEvent.Kind.IMPORT)
    assert [event.detail["preview"] for event in events] == [True]


def test_preview_lists_bad_rows_and_offers_no_confirmation(client_for, officer_hn, site_hn):
    client = client_for(officer_hn)
    upload = csv_upload("costs", ["HN-HM-PG,2020-01-01,staff,10", "HN-HM-PG,2020-13-01,staff,1"])
    response = client.post(reverse("exchange:import"), {"file": upload})
    assert response.context["errors"] == [
        "costs.csv:3: date: ngày không đúng dạng dd/mm/yyyy hoặc YYYY-MM-DD."
    ]
    assert uploads.SESSION_KEY not in client.session
    assert 'name="action" value="confirm"' not in response.content.decode()


def test_an_officer_cannot_import_rows_of_another_province(
    client_for, officer_hn, site_hn, site_ct, tmp_path
):
    files = {
        "sites": ["CT-NEW,Cái Răng,92,Cái Răng,community,pilot,2020-01-01,"],
        "costs": ["HN-HM-PG,2020-01-01,staff,10", "CT-NK-WR,2020-01-01,staff,10"],
    }
    client = client_for(officer_hn)
    before = counts()
    response = client.post(reverse("exchange:import"), {"file": zip_upload(files)})
    assert response.context["errors"] == [
        "sites.csv:2: province: tỉnh này không phải tỉnh của bạn.",
        "costs.csv:3: site: không có địa bàn mã này (hoặc địa bàn nằm ngoài phạm vi của bạn).",
    ]
    assert counts() == before
    # Taking over an existing site of another province by its code is refused too.
    from .conftest import write_folder

    folder = write_folder(
        tmp_path / "x", {"sites": ["CT-NK-WR,Ninh Kiều,01,Ba Đình,community,pilot,2020-01-01,"]}
    )
    sources, errors = read_directory(folder)
    result = import_exchange(sources=sources, user=officer_hn, read_errors=errors)
    assert [str(e) for e in result.errors] == [
        "sites.csv:2: code: mã này đã được dùng ngoài phạm vi của bạn."
    ]
    assert Site.objects.get(code="CT-NK-WR").province.code == "92"


def test_only_officers_and_admins_may_import(client_for, ministry, leader):
    for user in (ministry, leader):
        assert client_for(user).get(reverse("exchange:import")).status_code == 403


def test_template_has_a_sheet_per_file_and_a_column_guide(client_for, officer_hn):
    response = client_for(officer_hn).get(reverse("exchange:template"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["_Hướng dẫn", "_Danh mục", *(spec.name for spec in FILES)]
    for spec in FILES:
        # Vietnamese titles with the column codes beside them: "Ngày tiếp cận (date)".
        header = [c.value for c in book[spec.name][1]]
        assert [cell.rsplit("(", 1)[1].rstrip(")") for cell in header] == list(spec.column_names)
    guide = [[c.value for c in row] for row in book["_Hướng dẫn"].iter_rows()]
    described = {(row[0], row[1]) for row in guide if row[1]}
    for spec in FILES:
        for name in spec.column_names:
            assert (spec.filename, name) in described
    assert any(row[4] and "h:" in row[4] for row in guide)


def test_the_blank_template_imports_as_nothing(tmp_path, client_for, admin_user):
    response = client_for(admin_user).get(reverse("exchange:template"))
    (tmp_path / "mau.xlsx").write_bytes(response.content)
    sources, errors = read_directory(tmp_path)
    result = import_exchange(sources=sources, read_errors=errors)
    assert result.ok, [str(e) for e in result.errors]


def test_export_csv_has_the_exchange_columns_and_logs(client_for, officer_hn, site_hn, site_ct):
    factories.CostFactory(site=site_hn, amount_vnd=1_200_000)
    factories.CostFactory(site=site_ct)
    response = client_for(officer_hn).get(
        reverse("exchange:export", args=["costs"]), {"format": "csv"}
    )
    rows = read_csv_bytes(b"".join(response.streaming_content))
    assert rows == [HEADERS["costs"].split(","), ["HN-HM-PG", "2019-03-01", "staff", "1200000"]]
    event = ActivityEvent.objects.get(kind=ActivityEvent.Kind.EXPORT)
    assert event.user == officer_hn and "costs" in event.what


def test_export_applies_the_list_filters(client_for, admin_user, site_hn, site_ct):
    factories.TrainingFactory(site=site_hn)
    factories.TrainingFactory(site=site_ct)
    response = client_for(admin_user).get(
        reverse("exchange:export", args=["trainings"]), {"format": "xlsx", "site": site_ct.pk}
    )
    sheet = load_workbook(io.BytesIO(response.content))["trainings"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["CT-NK-WR"]


def test_participant_exports_hold_the_provinces_pseudonym_never_the_uic_or_its_hash(
    client_for, officer_hn, site_hn
):
    participant = factories.ParticipantFactory(uic=UIC_A)
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    factories.ContactFactory(participant=participant, site=site_hn, needs=["loan", "shelter"])
    client = client_for(officer_hn)
    rows = read_csv_bytes(
        b"".join(client.get(reverse("exchange:export", args=["contacts"])).streaming_content)
    )
    assert rows[1] == [
        pseudonym(UIC_A, "01"),
        "2019-02-01",
        "HN-HM-PG",
        "",
        "outreach",
        "loan;shelter",
    ]
    rows = read_csv_bytes(
        b"".join(client.get(reverse("exchange:export", args=["participants"])).streaming_content)
    )
    assert rows[1][0] == pseudonym(UIC_A, "01") and rows[1][6] == "HN-HM-PG"
    assert (
        uic_hash(UIC_A)
        not in b"".join(
            client.get(reverse("exchange:export", args=["participants"])).streaming_content
        ).decode()
    )


def test_the_ministry_gets_no_participant_level_export(client_for, ministry, site_hn):
    client = client_for(ministry)
    for kind in ("participants", "contacts", "referrals", "rights_assessments"):
        assert client.get(reverse("exchange:export", args=[kind])).status_code == 403
    assert client.get(reverse("exchange:export", args=["sites"])).status_code == 200
    assert client.get(reverse("exchange:export", args=["nothing"])).status_code == 404


def test_export_links_follow_the_role_and_keep_the_filters(rf, ministry, officer_hn):
    from django.template import Context, Template

    template = Template('{% include "includes/export_links.html" with kind=kind %}')
    request = rf.get("/participants/contacts/", {"site": "3", "page": "2"})
    request.user = officer_hn
    html = template.render(Context({"request": request, "kind": "contacts"}))
    assert reverse("exchange:export", args=["contacts"]) + "?site=3&amp;format=csv" in html
    assert "page=" not in html
    request.user = ministry
    assert "export" not in template.render(Context({"request": request, "kind": "contacts"}))
    assert "format=xlsx" in template.render(Context({"request": request, "kind": "sites"}))


def test_withdrawn_participants_are_exported_with_their_contacts(client_for, officer_hn, site_hn):
    """The list page hides a withdrawn participant, but their contacts are exported (they still
    count), so the participants file must hold them too or it would not import again."""
    participant = factories.ParticipantFactory(uic=UIC_A, withdrawn_on="2019-03-01")
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    factories.ContactFactory(participant=participant, site=site_hn)
    client = client_for(officer_hn)
    list_page = client.get(reverse("participants:participant_list")).content.decode()
    assert participant.code not in list_page
    rows = read_csv_bytes(
        b"".join(client.get(reverse("exchange:export", args=["participants"])).streaming_content)
    )
    assert [row[0] for row in rows[1:]] == [pseudonym(UIC_A, "01")]


def test_a_contact_row_for_a_person_known_only_in_another_province_is_refused(
    tmp_path, officer_hn, officer_ct, site_hn, site_ct
):
    """A participant enrolled in Cần Thơ only, named by a contact row at a Hà Nội site: the row
    is refused (Hà Nội does not know them), even by the server's command, and Cần Thơ's record
    is untouched and stays invisible to Hà Nội."""
    participant = factories.ParticipantFactory(uic=UIC_A, province=site_ct.province.current)
    factories.EnrolmentFactory(participant=participant, site=site_ct)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "contacts.csv").write_text(
        f"uic,date,site,peer_group,kind,needs\n{UIC_A},2019-02-01,{site_hn.code},,outreach,loan\n",
        encoding="utf-8",
    )
    ok, _out, err = run_import(folder)
    assert not ok
    assert "contacts.csv:2: uic: người tham gia chưa ghi danh" in err
    assert Contact.objects.count() == 0
    assert participant not in Participant.objects.visible_to(officer_hn)
    assert list(Participant.objects.visible_to(officer_ct)) == [participant]
