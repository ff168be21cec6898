"""Hostile uploads (issue 14): each is refused with a clear message, within bounded memory, and
leaves the database, the upload folder and the temporary folder as they were.

The files are built here: a tiny workbook with a cell at XFD1048576 (declared, hidden behind a
lying dimension, or with no dimension), a workbook of three million rows written as a stream of
sheet XML, a zip whose member expands 1,000 times, a zip that lists thousands of members, a zip
whose member does not match its checksum. The heavy ones are read by the real reader in a
forked child whose address space may grow by only CHILD_MEMORY_MB: without the limits, the
first one alone took a worker to 6.8 GB.
"""

import functools
import io
import multiprocessing
import os
import resource
import zipfile

import hypothesis
import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from exchange import uploads, views
from exchange.reader import read_upload
from exchange.workbook import xlsx_bytes
from sites.models import Cost

from .conftest import HEADERS, UIC_A, snapshot

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
CHILD_MEMORY_MB = 200
SHEET = "xl/worksheets/sheet1.xml"
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
HEADER_ROW = (
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>site</t></is></c>'
    b'<c r="B1" t="inlineStr"><is><t>date</t></is></c>'
    b'<c r="C1" t="inlineStr"><is><t>category</t></is></c>'
    b'<c r="D1" t="inlineStr"><is><t>amount_vnd</t></is></c></row>'
)
DATA_ROW = b"<row><c><v>1</v></c></row>"

# The messages, written out here (the English is in the .po fragment).
DECLARED_XFD = (
    "trang tính khai báo vùng dữ liệu A1:XFD1048576 (1048576 dòng, 16384 cột), quá giới hạn "
    "200000 dòng dữ liệu và 50 cột. Hãy xóa các dòng, cột thừa rồi lưu lại."
)
TOO_MANY_ROWS = (
    "có hơn %s dòng dữ liệu, quá giới hạn của một tệp; hãy chia thành nhiều tệp nhỏ hơn."
)
TOO_MANY_CELLS = "dòng có hơn %s ô, quá giới hạn của một dòng."
BOMB = "%s bị nén hơn 100 lần (tệp nén bất thường, có thể là “bom nén”); không giải nén."
DAMAGED_ZIP = "Tệp .zip bị hỏng hoặc không phải tệp .zip."
TOO_BIG = "costs.csv chiếm 201 MB khi giải nén, quá giới hạn 100 MB của một tệp trong tệp nén."


# ---- building hostile files ----------------------------------------------------------------


def workbook_bytes(title="costs", rows=(), cells=None):
    """A workbook made by openpyxl: the header of `title`, `rows`, and `cells` set by address."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(HEADERS[title].split(","))
    for row in rows:
        sheet.append(row)
    for address, value in (cells or {}).items():
        sheet[address] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet(write):
    """A workbook of one sheet, "costs", whose XML is streamed by `write(stream)`."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == SHEET:
                member = zipfile.ZipInfo(SHEET)
                member.compress_type = zipfile.ZIP_DEFLATED
                with target.open(member, "w", force_zip64=True) as stream:
                    write(stream)
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


def sheet_xml(rows, *, dimension=None, repeat=1):
    def write(stream):
        stream.write(HEAD)
        if dimension:
            stream.write(b'<dimension ref="%s"/>' % dimension.encode())
        stream.write(b"<sheetData>" + HEADER_ROW)
        block = b"".join(rows)
        for _ in range(repeat):
            stream.write(block)
        stream.write(b"</sheetData></worksheet>")

    return write


def xfd_declared():
    """5 KB: openpyxl declares the dimension A1:XFD1048576 for a cell at XFD1048576."""
    return workbook_bytes(cells={"XFD1048576": "x"})


def xfd_lying():
    """The same cell behind a dimension that says A1:D1."""
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return with_sheet(sheet_xml([far], dimension="A1:D1"))


def xfd_undeclared():
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return with_sheet(sheet_xml([far]))


def three_million_rows():
    """A workbook of 3,000,001 rows (78 MB of sheet XML), built as a stream: 100 KB zipped."""
    return with_sheet(sheet_xml([DATA_ROW] * 10_000, dimension="A1:D4", repeat=300))


def zip_of(members, *, name="data.zip"):
    """An upload: a zip of {member name: bytes, or a function writing the member's stream}."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            if callable(content):
                info = zipfile.ZipInfo(member)
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w", force_zip64=True) as stream:
                    content(stream)
            else:
                archive.writestr(member, content)
    return out.getvalue()


def zip_bomb(megabytes=200):
    """A costs.csv of `megabytes` MB of commas, compressed 1,000 times: the 600 KB zip that
    expanded to 200 MB, and a smaller one that only its compression ratio gives away."""

    def write(stream):
        stream.write(HEADERS["costs"].encode() + b"\n")
        block = b"," * MB
        for _ in range(megabytes):
            stream.write(block)

    return zip_of({"costs.csv": write})


def small_zip_bomb():
    return zip_bomb(megabytes=50)


def many_members():
    """A zip that lists 5,000 members: listing them all is what takes the time and memory."""
    return zip_of({f"empty-{n}.txt": b"" for n in range(5_000)})


def bad_checksum():
    """A zip whose costs.csv does not match the checksum its directory gives."""
    data = bytearray(zip_of({"costs.csv": HEADERS["costs"].encode() + b"\nHN,2020-01-01,x,1\n"}))
    data[14:18] = b"\x00\x00\x00\x00"  # the CRC-32 in the member's local header
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 16 : directory + 20] = b"\x00\x00\x00\x00"
    return bytes(data)


@pytest.fixture(scope="module")
def three_million():
    return three_million_rows()


# ---- a child process with a memory limit ---------------------------------------------------


def _status(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(field)


def read_in_child(name, data, memory_mb=CHILD_MEMORY_MB, timeout=300):
    """The errors `read_upload(name, data)` gives in a forked child whose address space may
    grow by `memory_mb` at most, and how much its resident memory grew (bytes)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child():
        limit = _status("VmSize") + memory_mb * MB
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        start = _status("VmRSS")
        try:
            sources, errors = read_upload(name, data)
            result = ([str(error) for error in errors], sorted(sources))
        except MemoryError:
            result = ("MemoryError", [])
        send.send((result, _status("VmHWM") - start))

    process = context.Process(target=child)
    process.start()
    try:
        if not receive.poll(timeout):
            pytest.fail(f"reading {name} took more than {timeout} s")
        (errors, sources), grown = receive.recv()
    except EOFError:
        pytest.fail(f"the child reading {name} died (exit code {process.exitcode})")
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
    return errors, sources, grown


@pytest.mark.parametrize(
    "build, name, expected",
    [
        (xfd_declared, "costs.xlsx", f"costs.xlsx[{SHEET}]: {DECLARED_XFD}"),
        (xfd_lying, "costs.xlsx", f"costs.xlsx[{SHEET}]: {TOO_MANY_ROWS % 200000}"),
        (xfd_undeclared, "costs.xlsx", f"costs.xlsx[{SHEET}]: {TOO_MANY_ROWS % 200000}"),
        (zip_bomb, "data.zip", f"data.zip: {TOO_BIG}"),
        (small_zip_bomb, "data.zip", f"data.zip: {BOMB % 'costs.csv'}"),
        (
            many_members,
            "data.zip",
            "data.zip: tệp nén có quá nhiều tệp bên trong (tối đa 1000).",
        ),
    ],
)
def test_a_hostile_file_is_refused_in_bounded_memory(build, name, expected):
    errors, sources, grown = read_in_child(name, build())
    assert errors == [expected]
    assert sources == []
    assert grown < 50 * MB


def test_three_million_rows_are_refused_in_bounded_memory(three_million, settings):
    # The sheet compresses about 1,000 times, so the zip check refuses it first...
    errors, sources, grown = read_in_child("costs.xlsx", three_million)
    assert errors == [f"costs.xlsx: {BOMB % SHEET}"]
    assert grown < 50 * MB
    # ...and with that check out of the way, the rows are counted as they stream by, whatever
    # the dimension (A1:D4) says.
    settings.EXCHANGE_MAX_ZIP_RATIO = 100_000
    settings.EXCHANGE_MAX_MEMBER_MB = 1_000
    settings.EXCHANGE_MAX_UNZIPPED_MB = 1_000
    errors, sources, grown = read_in_child("costs.xlsx", three_million)
    assert errors == [f"costs.xlsx[{SHEET}]: {TOO_MANY_ROWS % 200000}"]
    assert grown < 50 * MB


def test_a_lying_dimension_hides_no_cell(settings):
    """Column F behind a dimension of A1:D2: refused for its width, not cut off."""
    settings.EXCHANGE_MAX_CELLS_PER_ROW = 5
    wide = b'<row r="2"><c r="F2" t="inlineStr"><is><t>x</t></is></c></row>'
    sources, errors = read_upload("costs.xlsx", with_sheet(sheet_xml([wide], dimension="A1:D2")))
    assert [str(e) for e in errors] == [f"costs.xlsx[{SHEET}]:2: : {TOO_MANY_CELLS % 5}"]
    # Within the limit, the cell the dimension leaves out is read all the same.
    settings.EXCHANGE_MAX_CELLS_PER_ROW = 6
    sources, errors = read_upload("costs.xlsx", with_sheet(sheet_xml([wide], dimension="A1:D2")))
    assert errors == []
    assert list(sources["costs"].rows) == [(2, ["", "", "", "", "", "x"])]


def test_cells_without_a_reference_follow_the_one_before(settings):
    settings.EXCHANGE_MAX_CELLS_PER_ROW = 5
    cell = b'<c t="inlineStr"><is><t>y</t></is></c>'
    named = b'<c r="D2" t="inlineStr"><is><t>x</t></is></c>'
    too_wide = with_sheet(sheet_xml([b'<row r="2">' + named + cell + cell + b"</row>"]))
    assert errors_of("costs.xlsx", too_wide) == [f"costs.xlsx[{SHEET}]:2: : {TOO_MANY_CELLS % 5}"]
    fits = with_sheet(sheet_xml([b'<row r="2">' + named + cell + b"</row>"]))
    sources, errors = read_upload("costs.xlsx", fits)
    assert list(sources["costs"].rows) == [(2, ["", "", "", "x", "y"])]


# ---- through the browser: nothing written, nothing left behind -----------------------------


@pytest.fixture
def folders(settings, tmp_path):
    """The upload folder and Django's temporary folder for uploads, both empty."""
    settings.EXCHANGE_UPLOAD_DIR = str(tmp_path / "uploads")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
    (tmp_path / "uploads").mkdir()
    (tmp_path / "tmp").mkdir()
    return tmp_path / "uploads", tmp_path / "tmp"


def left_behind(folders):
    return sorted(str(path) for folder in folders for path in folder.rglob("*"))


def upload(client, name, data):
    file = io.BytesIO(data)
    file.name = name
    return client.post(reverse("exchange:import"), {"file": file})


@pytest.mark.parametrize(
    "build, name, expected",
    [
        (xfd_declared, "costs.xlsx", f"costs.xlsx[{SHEET}]: {DECLARED_XFD}"),
        (xfd_lying, "costs.xlsx", f"costs.xlsx[{SHEET}]: {TOO_MANY_ROWS % 200000}"),
        (zip_bomb, "data.zip", f"data.zip: {TOO_BIG}"),
        (small_zip_bomb, "data.zip", f"data.zip: {BOMB % 'costs.csv'}"),
        (many_members, "data.zip", "data.zip: tệp nén có quá nhiều tệp bên trong (tối đa 1000)."),
        (bad_checksum, "data.zip", f"costs.csv: {DAMAGED_ZIP}"),
    ],
)
def test_the_import_page_refuses_a_hostile_file_and_keeps_nothing(
    build, name, expected, client_for, officer_hn, site_hn, folders
):
    client = client_for(officer_hn)
    before = snapshot()
    response = upload(client, name, build())
    assert response.status_code == 200
    assert response.context["errors"] == [expected]
    assert expected in response.content.decode()
    assert snapshot() == before
    assert left_behind(folders) == []
    assert uploads.SESSION_KEY not in client.session


def test_three_million_rows_through_the_import_page(
    three_million, client_for, officer_hn, site_hn, folders
):
    client = client_for(officer_hn)
    before = snapshot()
    response = upload(client, "costs.xlsx", three_million)
    assert response.context["errors"] == [f"costs.xlsx: {BOMB % SHEET}"]
    assert snapshot() == before
    assert left_behind(folders) == []


def test_an_upload_over_the_size_limit_is_refused_and_never_stored(
    settings, client_for, officer_hn, site_hn, folders
):
    settings.EXCHANGE_MAX_UPLOAD_MB = 1
    line = b"HN-HM-PG,2020-01-01,staff,1\n"
    data = HEADERS["costs"].encode() + b"\n" + line * (2 * MB // len(line))
    response = upload(client_for(officer_hn), "costs.csv", data)
    assert response.context["form"].errors == {"file": ["Tệp quá lớn (tối đa 1 MB)."]}
    assert Cost.objects.count() == 0
    assert left_behind(folders) == []


def test_a_crash_in_the_preview_leaves_no_file(monkeypatch, client, officer_hn, site_hn, folders):
    """A worker that dies half-way leaves no upload anywhere: it was only ever in memory.
    Django's default handlers would have put this 3 MB upload in a temporary file, there while
    the worker dies (a killed worker never deletes it)."""
    on_disk_while_working = []

    def crash(**kwargs):
        on_disk_while_working.extend(left_behind(folders))
        raise RuntimeError("the worker fails")

    monkeypatch.setattr(views, "import_exchange", crash)
    client.force_login(officer_hn)
    client.raise_request_exception = False
    line = f"{UIC_A},sex_worker,female,1995,temporary,2020-03-01,HN-HM-PG,2020-03-01\n".encode()
    data = HEADERS["participants"].encode() + b"\n" + line * (3 * MB // len(line))
    assert upload(client, "participants.csv", data).status_code == 500
    assert on_disk_while_working == []
    assert left_behind(folders) == []


def test_a_crash_in_the_confirmation_leaves_no_file(
    monkeypatch, client_for, officer_hn, site_hn, folders
):
    client = client_for(officer_hn)
    data = (HEADERS["costs"] + "\nHN-HM-PG,2020-01-01,staff,10\n").encode()
    response = upload(client, "costs.csv", data)
    assert response.context["result"].ok
    assert left_behind(folders) != []

    def crash(**kwargs):
        raise RuntimeError("the worker fails")

    monkeypatch.setattr(views, "import_exchange", crash)
    client.raise_request_exception = False
    assert client.post(reverse("exchange:import"), {"action": "confirm"}).status_code == 500
    assert left_behind(folders) == []
    assert Cost.objects.count() == 0


def test_a_kept_upload_is_encrypted_and_needs_the_session(client_for, officer_hn, site_hn, folders):
    client = client_for(officer_hn)
    data = (
        HEADERS["participants"] + f"\n{UIC_A},sex_worker,female,1995,temporary,2020-03-01,"
        f"{site_hn.code},2020-03-01\n"
    ).encode()
    response = upload(client, "participants.csv", data)
    assert response.context["result"].ok, response.context["errors"]
    stored = [path.read_bytes() for path in folders[0].rglob("*") if path.is_file()]
    assert len(stored) == 1
    assert UIC_A.encode() not in stored[0] and b"sex_worker" not in stored[0]
    assert UIC_A not in str(dict(client.session.items()))

    # Without the key the session holds, the file is useless: the confirmation finds nothing
    # and deletes it.
    session = client.session
    session.pop(uploads.CIPHER_SESSION_KEY)
    session.save()
    before = snapshot()
    response = client.post(reverse("exchange:import"), {"action": "confirm"})
    assert response.status_code == 302
    assert snapshot() == before
    assert left_behind(folders) == []


def test_the_kept_upload_is_confirmed_across_two_requests(client_for, officer_hn, site_hn, folders):
    client = client_for(officer_hn)
    data = csv_of(
        "costs", [f"{site_hn.code},2020-01-01,staff,10", f"{site_hn.code},2020-01-02,staff,7"]
    )
    response = upload(client, "costs.csv", data)
    assert response.context["result"].ok
    assert Cost.objects.count() == 0
    response = client.post(reverse("exchange:import"), {"action": "confirm"})
    assert response.status_code == 302
    assert sorted(Cost.objects.values_list("amount_vnd", flat=True)) == [7, 10]
    assert left_behind(folders) == []
    assert uploads.SESSION_KEY not in client.session
    assert uploads.CIPHER_SESSION_KEY not in client.session


@pytest.mark.django_db(transaction=True)
def test_the_preview_reads_the_upload_outside_any_transaction(
    monkeypatch, client_for, officer_hn, site_hn, folders
):
    """On SQLite a transaction holds the write lock every other user's request waits for; the
    import page reads and checks an upload before the import opens its own."""
    seen = []

    def reading(name, data):
        seen.append(connection.in_atomic_block)
        return read_upload(name, data)

    monkeypatch.setattr(views, "read_upload", reading)
    upload(client_for(officer_hn), "costs.csv", csv_of("costs", ["HN-HM-PG,2020-01-01,staff,1"]))
    assert seen == [False]


# ---- damaged files: a message, never a crash -----------------------------------------------

DAMAGE = hypothesis.settings(
    max_examples=40,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)


@functools.cache
def valid_file(name):
    rows = [["HN-HM-PG", f"2020-01-{day:02d}", "staff", day] for day in range(1, 29)]
    workbook = workbook_bytes(rows=rows)
    return {
        "costs.xlsx": workbook,
        "data.zip": zip_of({"costs.xlsx": workbook, "trainings.csv": csv_of("trainings", [])}),
        "costs.csv": csv_of("costs", [",".join(map(str, row)) for row in rows]),
    }[name]


@DAMAGE
@given(name=st.sampled_from(["costs.csv", "costs.xlsx", "data.zip"]), rng=st.randoms())
def test_a_damaged_file_gets_a_message_not_a_crash(name, rng):
    """A few bytes overwritten anywhere, and sometimes the file cut short: the reader answers
    with sources or messages, and whatever it accepted reads through to the end."""
    data = bytearray(valid_file(name))
    for _ in range(rng.randrange(1, 5)):
        position = rng.randrange(len(data))
        data[position : position + rng.randrange(1, 9)] = rng.randbytes(rng.randrange(1, 9))
    if rng.random() < 0.2:
        data = data[: rng.randrange(len(data))]
    sources, errors = read_upload(name, bytes(data))
    assert all(str(error) for error in errors)
    for source in sources.values():
        assert sum(1 for _row in source.rows) == len(source.rows)


# ---- the limits, one by one ----------------------------------------------------------------


def csv_of(name, lines):
    return ("\n".join([HEADERS[name], *lines]) + "\n").encode()


def errors_of(name, data):
    return [str(error) for error in read_upload(name, data)[1]]


def test_rows_per_file(settings):
    settings.EXCHANGE_MAX_ROWS_PER_FILE = 3
    rows = [f"HN-HM-PG,2020-01-0{day},staff,1" for day in range(1, 5)]
    assert errors_of("costs.csv", csv_of("costs", rows[:3])) == []
    assert errors_of("costs.csv", csv_of("costs", rows)) == [f"costs.csv: {TOO_MANY_ROWS % 3}"]
    wide = [["HN-HM-PG", "2020-01-01", "staff", 1]] * 4
    assert errors_of("costs.xlsx", workbook_bytes(rows=wide)) == [
        f"costs.xlsx[{SHEET}]: trang tính khai báo vùng dữ liệu A1:D5 (5 dòng, 4 cột), quá giới "
        "hạn 3 dòng dữ liệu và 50 cột. Hãy xóa các dòng, cột thừa rồi lưu lại."
    ]


def test_rows_per_upload(settings):
    settings.EXCHANGE_MAX_ROWS_PER_UPLOAD = 4
    rows = [f"HN-HM-PG,2020-01-0{day},staff,1" for day in range(1, 4)]
    trainings = [f"HN-HM-PG,2020-01-0{day},officials,1" for day in range(1, 4)]
    data = zip_of(
        {"costs.csv": csv_of("costs", rows), "trainings.csv": csv_of("trainings", trainings)}
    )
    assert errors_of("data.zip", data) == [
        "data.zip: các tệp có hơn 4 dòng dữ liệu cộng lại, quá giới hạn của một lần nhập; hãy "
        "nhập thành nhiều lần."
    ]


def test_cells_per_row_and_line_length(settings):
    settings.EXCHANGE_MAX_CELLS_PER_ROW = 5
    assert errors_of("costs.csv", csv_of("costs", ["a,b,c,d,e,f"])) == [
        f"costs.csv:2: : {TOO_MANY_CELLS % 5}"
    ]
    # A line may be as long as its cells may be, together: 5 × (32,767 + 3) characters.
    long_line = "x" * (5 * 32_770 + 1)
    assert errors_of("costs.csv", csv_of("costs", ["a,b,c,d", long_line])) == [
        "costs.csv:3: : dòng dài quá 163850 ký tự."
    ]


def test_member_size_and_total(settings):
    settings.EXCHANGE_MAX_MEMBER_MB = 1
    big = csv_of("costs", [f"HN-HM-PG,2020-01-01,staff,{n}" for n in range(60_000)])
    assert len(big) > MB
    assert errors_of("data.zip", zip_of({"costs.csv": big})) == [
        "data.zip: costs.csv chiếm 2 MB khi giải nén, quá giới hạn 1 MB của một tệp trong tệp nén."
    ]
    settings.EXCHANGE_MAX_MEMBER_MB = 2
    settings.EXCHANGE_MAX_UNZIPPED_MB = 2
    assert errors_of("data.zip", zip_of({"costs.csv": big, "trainings.csv": big})) == [
        "data.zip: Dữ liệu quá lớn khi giải nén (tối đa 2 MB cho một lần nhập)."
    ]


def test_an_export_of_this_application_passes_every_check():
    rows = [["HN-HM-PG", f"2020-01-{1 + n % 28:02d}", "staff", n] for n in range(5_000)]
    data = xlsx_bytes([("costs", [HEADERS["costs"].split(","), *rows])])
    sources, errors = read_upload("costs.xlsx", data)
    assert errors == []
    assert len(sources["costs"].rows) == 5_000
    first, *_rest, last = sources["costs"].rows
    assert first == (2, ["HN-HM-PG", "2020-01-01", "staff", "0"])
    assert last == (5_001, ["HN-HM-PG", "2020-01-16", "staff", "4999"])
