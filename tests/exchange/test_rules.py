"""One rule, one message: each rule of the forms refuses the same bad input in an imported row,
with the words the form shows. Each case posts the form, then imports the same thing, and
compares the two messages (written out here by hand)."""

import datetime
import html
import io

import pytest
from django.urls import reverse

from participants import services
from participants.models import Contact, Participant
from referrals.models import Referral
from tests import factories
from tests.clock import tomorrow

pytestmark = pytest.mark.django_db

UIC = "MATU030795F"

FUTURE_CONTACT = "Ngày tiếp cận không được sau ngày hôm nay."
WITHDRAWN = (
    "Người tham gia này đã rút khỏi chương trình: không thể ghi nhận hoạt động sau ngày rút."
)
PEER_GROUP_SITE = "Nhóm đồng đẳng không thuộc địa bàn đã chọn."
CONSENT_AFTER = "Ngày đồng ý tham gia không được sau ngày ghi danh."
AGE = "Năm sinh không hợp lệ: tuổi của người tham gia phải từ 10 đến 90."
FUTURE_REFERRAL = "Ngày chuyển gửi không được sau ngày hôm nay."
NO_CONSENT_TO_SHARE = (
    "Chưa có sự đồng ý của người tham gia cho chia sẻ thông tin với cơ sở dịch vụ: "
    "không thể chuyển gửi."
)

HEADERS = {
    "contacts": "uic,date,site,peer_group,kind,needs",
    "participants": "uic,category,sex,birth_year,residence,enrolled_on,site,consent_on",
    "referrals": "uic,date,site,service,provider,status,completed_on,consent",
}


@pytest.fixture
def person(site_hn):
    participant, _ = services.participant_enrol(
        uic=UIC,
        category="sex_worker",
        sex="female",
        birth_year=1995,
        residence="none",
        consent_on=datetime.date(2024, 1, 2),
        site=site_hn,
        enrolled_on=datetime.date(2024, 1, 2),
    )
    return participant


def import_errors(client, name, row):
    data = io.BytesIO(f"{HEADERS[name]}\n{row}\n".encode())
    data.name = f"{name}.csv"
    response = client.post(reverse("exchange:import"), {"file": data})
    return response.context["errors"]


def contact_form(client, person, site, **overrides):
    data = {
        "participant_code": person.code,
        "date": "2024-05-02",
        "kind": "outreach",
        "site": str(site.pk),
        **overrides,
    }
    return client.post(reverse("participants:contact_new"), data)


def form_errors(response):
    """The page the form answered with, as text: its messages are somewhere in it."""
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_future_contact(client_for, officer_hn, site_hn, person):
    client = client_for(officer_hn)
    assert FUTURE_CONTACT in form_errors(
        contact_form(client, person, site_hn, date=tomorrow().isoformat())
    )
    row = f"{UIC},{tomorrow().isoformat()},{site_hn.code},,outreach,"
    assert import_errors(client, "contacts", row) == [f"contacts.csv:2: date: {FUTURE_CONTACT}"]
    assert Contact.objects.count() == 0


def test_contact_after_withdrawal(client_for, officer_hn, site_hn, person):
    services.participant_withdraw(participant=person, on=datetime.date(2024, 3, 1))
    client = client_for(officer_hn)
    assert WITHDRAWN in form_errors(contact_form(client, person, site_hn))
    row = f"{UIC},2024-05-02,{site_hn.code},,outreach,"
    assert import_errors(client, "contacts", row) == [f"contacts.csv:2: uic: {WITHDRAWN}"]
    # Before the withdrawal, the history can still be entered (late, or by import).
    early = f"{UIC},2024-02-01,{site_hn.code},,outreach,"
    assert import_errors(client, "contacts", early) == []
    assert Contact.objects.count() == 0  # a preview writes nothing


def test_peer_group_of_another_site(client_for, officer_hn, site_hn, person):
    other = factories.PeerGroupFactory(code="G-OTHER", site=factories.SiteFactory(code="HN-OT"))
    client = client_for(officer_hn)
    assert PEER_GROUP_SITE in form_errors(
        contact_form(client, person, site_hn, peer_group=str(other.pk))
    )
    row = f"{UIC},2024-05-02,{site_hn.code},G-OTHER,outreach,"
    assert import_errors(client, "contacts", row) == [
        f"contacts.csv:2: peer_group: {PEER_GROUP_SITE}"
    ]


def test_the_same_key_twice_in_one_file(client_for, officer_hn, site_hn, person):
    """The form opens the existing contact on a same-day repeat; a file that holds the same key
    twice is refused with the same rule's message, rather than the last row winning."""
    client = client_for(officer_hn)
    row = f"{UIC},2024-06-02,{site_hn.code},,outreach,"
    assert import_errors(client, "contacts", "\n".join([row, row])) == [
        "contacts.csv:3: uic, date, site, kind: Lần tiếp cận này (cùng người, ngày, địa bàn và "
        "hình thức) đã được ghi nhận trước đó. (trùng khóa với dòng 2.)"
    ]


@pytest.mark.parametrize(
    ("row", "form_overrides", "message", "column"),
    [
        (
            "1995,temporary,2024-05-02,{site},2024-06-01",
            {"consent_on": "2024-06-01"},
            CONSENT_AFTER,
            "consent_on",
        ),
        (
            "2020,temporary,2024-05-02,{site},2024-05-02",
            {"birth_date": "2020-01-01"},
            AGE,
            "birth_year",
        ),
    ],
)
def test_enrolment_rules(client_for, officer_hn, site_hn, row, form_overrides, message, column):
    client = client_for(officer_hn)
    answers = {
        "step": "answers",
        "mother_name": "Mai",
        "father_name": "Tuấn",
        "birth_date": "1995-07-03",
        "sex": "female",
        "category": "sex_worker",
        "residence": "temporary",
        "site": str(site_hn.pk),
        "enrolled_on": "2024-05-02",
        "consent": "on",
        "consent_on": "2024-05-02",
        **form_overrides,
    }
    page = client.post(reverse("participants:enrol"), answers)
    assert message in form_errors(page)
    line = f"{UIC},sex_worker,female," + row.format(site=site_hn.code)
    assert import_errors(client, "participants", line) == [
        f"participants.csv:2: {column}: {message}"
    ]
    assert Participant.objects.count() == 0


def test_referral_rules(client_for, officer_hn, site_hn, person):
    client = client_for(officer_hn)
    referral = {
        "participant": person.code,
        "date": tomorrow().isoformat(),
        "site": str(site_hn.pk),
        "service": "loan",
    }
    page = client.post(reverse("referrals:referral_new"), referral)
    errors = form_errors(page)
    assert FUTURE_REFERRAL in errors
    row = f"{UIC},{tomorrow().isoformat()},{site_hn.code},loan,,referred,,yes"
    assert import_errors(client, "referrals", row) == [f"referrals.csv:2: date: {FUTURE_REFERRAL}"]

    with pytest.raises(Exception) as refused:
        from referrals.services import referral_create

        referral_create(
            participant=person,
            date=datetime.date(2024, 5, 2),
            site=site_hn,
            service="loan",
            consent_to_share=False,
            by=officer_hn,
        )
    assert NO_CONSENT_TO_SHARE in str(refused.value)
    row = f"{UIC},2024-05-02,{site_hn.code},loan,,referred,,no"
    assert import_errors(client, "referrals", row) == [
        f"referrals.csv:2: consent: {NO_CONSENT_TO_SHARE}"
    ]
    completed_early = f"{UIC},2024-05-02,{site_hn.code},loan,,completed,2024-05-01,yes"
    assert import_errors(client, "referrals", completed_early) == [
        "referrals.csv:2: completed_on: ngày hoàn thành trước ngày chuyển gửi."
    ]
    assert Referral.objects.count() == 0


# The header of a file, line 1: each refusal names its column (the costs file has site, date,
# category, amount_vnd, all required).
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(["site", "date", "category", "amount_vnd"], [], id="the-four-columns"),
        pytest.param(["amount_vnd", "category", "date", "site"], [], id="in-any-order"),
        pytest.param(
            ["site", "date", "category", "amount_vnd", "colour"],
            [(1, "colour", "cột không có trong định dạng của tệp này.")],
            id="an-unknown-column",
        ),
        pytest.param(
            ["site", "date", "", "category", "amount_vnd"],
            [(1, "", "cột không có tên.")],
            id="a-column-without-a-name",
        ),
        pytest.param(
            ["site", "date", "category", "amount_vnd", "date"],
            [(1, "date", "cột bị lặp lại.")],
            id="a-column-twice",
        ),
        pytest.param(
            ["site", "date", "category"],
            [(1, "amount_vnd", "thiếu cột bắt buộc.")],
            id="a-required-column-missing",
        ),
    ],
)
def test_the_header_of_an_exchange_file(header, expected):
    from exchange.reader import Source
    from exchange.services import _header_errors
    from exchange.spec import FILES_BY_NAME

    source = Source(name="costs", label="costs.csv", header=header, rows=None)
    errors = _header_errors(FILES_BY_NAME["costs"], source)
    assert [(e.file, e.line, e.column, str(e.reason)) for e in errors] == [
        ("costs.csv", *row) for row in expected
    ]


# One cell: a code's length up to its column's maximum (30 for a site's code), a date in
# either form, the refusals written out.
@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        pytest.param("code", "S" * 29, "S" * 29, id="code-29-characters"),
        pytest.param("code", "S" * 30, "S" * 30, id="code-30-characters"),
        pytest.param("code", "S" * 31, "dài quá 30 ký tự.", id="code-31-characters"),
        pytest.param("date", "31/03/2019", datetime.date(2019, 3, 31), id="date-dd-mm-yyyy"),
        pytest.param("date", "2019-03-31", datetime.date(2019, 3, 31), id="date-iso"),
        pytest.param(
            "date", "31.03.2019", "ngày không đúng dạng dd/mm/yyyy hoặc YYYY-MM-DD.", id="date-dots"
        ),
        pytest.param(
            "date", "31/02/2019", "ngày không đúng dạng dd/mm/yyyy hoặc YYYY-MM-DD.", id="31-feb"
        ),
    ],
)
def test_one_cell_of_an_exchange_file(kind, raw, expected):
    from exchange.spec import CODE, DATE, Column

    column = Column("code", CODE, "", max_length=30) if kind == "code" else Column("date", DATE, "")
    assert_cell(column, raw, expected)


def assert_cell(column, raw, expected):
    """`raw` in `column` gives `expected`: a refusal in these words when it ends with a full
    stop, else the value."""
    from exchange.services import CellError, _parse_cell

    if isinstance(expected, str) and expected.endswith("."):
        with pytest.raises(CellError) as refused:
            _parse_cell(column, raw)
        assert str(refused.value) == expected
    else:
        assert _parse_cell(column, raw) == expected


# One row: each bad or empty cell reported on its line and column, the row then left out.
@pytest.mark.parametrize(
    ("cells", "expected_values", "expected_errors"),
    [
        pytest.param(
            ["HN-HM-PG", "31/03/2019", "staff", "10"],
            {"date": datetime.date(2019, 3, 31), "amount_vnd": 10},
            [],
            id="a-good-row",
        ),
        pytest.param(
            ["HN-HM-PG", "31/03/2019", "staff", ""],
            None,
            [(7, "amount_vnd", "không được để trống.")],
            id="an-empty-amount",
        ),
        pytest.param(
            ["HN-HM-PG", "2019-13-01", "staff"],
            None,
            [
                (7, "date", "ngày không đúng dạng dd/mm/yyyy hoặc YYYY-MM-DD."),
                (7, "amount_vnd", "không được để trống."),
            ],
            id="a-bad-date-and-a-short-row",
        ),
    ],
)
def test_one_row_of_an_exchange_file(cells, expected_values, expected_errors):
    from exchange.services import ImportContext
    from exchange.spec import FILES_BY_NAME

    spec = FILES_BY_NAME["costs"]
    context = ImportContext(user=None, errors=[])
    columns = [(column, index) for index, column in enumerate(spec.columns)]
    values = context._parse_row("costs.csv", 7, cells, columns)
    assert [(e.file, e.line, e.column, str(e.reason)) for e in context.errors] == [
        ("costs.csv", *row) for row in expected_errors
    ]
    if expected_values is None:
        assert values is None
    else:
        assert {key: values[key] for key in expected_values} == expected_values


# Every other kind of cell, through the column of a real file: the value it gives, or its
# refusal written out (the words a province's officer reads beside the line and column).
SERVICE_CODES = (
    "health_check, hiv_sti, reproductive_health, legal_aid, vocational_training, loan, "
    "job_placement, health_insurance, social_insurance, counselling, gbv_support, shelter, other"
)


@pytest.mark.parametrize(
    ("file", "column", "raw", "expected"),
    [
        # a number bounded by a rule of the services (a number of people: 0 to 100,000)
        pytest.param("peer_groups", "members", "12", 12, id="people-12"),
        pytest.param("peer_groups", "members", "12.00", 12, id="people-12.00-from-excel"),
        pytest.param("peer_groups", "members", "0", 0, id="people-0"),
        pytest.param("peer_groups", "members", "100000", 100_000, id="people-the-maximum"),
        pytest.param(
            "peer_groups", "members", "100001", "Không được quá 100000 người.", id="people-one-more"
        ),
        pytest.param(
            "peer_groups", "members", "-1", "Số lượng không được âm.", id="people-minus-1"
        ),
        pytest.param(
            "peer_groups", "members", "1.5", "không phải số nguyên.", id="people-a-fraction"
        ),
        pytest.param("peer_groups", "members", "mười", "không phải số nguyên.", id="people-words"),
        # a number bounded by its model field only (a birth year)
        pytest.param("participants", "birth_year", "1995", 1995, id="year"),
        pytest.param("participants", "birth_year", "1995.0", 1995, id="year-from-excel"),
        pytest.param(
            "participants", "birth_year", "-1995", "không được là số âm.", id="year-negative"
        ),
        pytest.param(
            "participants", "birth_year", "199 5", "không phải số nguyên.", id="year-with-a-space"
        ),
        # a choice: its code, or its label in Vietnamese or English (any case)
        pytest.param("peer_groups", "kind", "club", "club", id="choice-code"),
        pytest.param("peer_groups", "kind", "Nhóm tự lực", "self_help_group", id="choice-label-vi"),
        pytest.param("peer_groups", "kind", "self-help group", "self_help_group", id="choice-en"),
        pytest.param(
            "peer_groups",
            "kind",
            "hội",
            "giá trị không hợp lệ; dùng một trong: peer_group, self_help_group, club.",
            id="choice-unknown",
        ),
        # yes or no, any case
        pytest.param("referrals", "consent", "yes", True, id="yes"),
        pytest.param("referrals", "consent", "YES", True, id="yes-capitals"),
        pytest.param("referrals", "consent", "No", False, id="no"),
        pytest.param("referrals", "consent", "có", "chỉ nhận yes hoặc no.", id="yes-in-vietnamese"),
        # services: codes or labels, separated by ";", stored in the catalogue's order
        pytest.param(
            "providers",
            "services",
            "legal_aid; health_check",
            ["health_check", "legal_aid"],
            id="services-codes",
        ),
        pytest.param(
            "providers",
            "services",
            "Khám sức khỏe;HIV/STI",
            ["health_check", "hiv_sti"],
            id="services-labels",
        ),
        pytest.param(
            "providers",
            "services",
            "health_check;massage",
            f"có mã dịch vụ không hợp lệ; dùng các mã: {SERVICE_CODES}.",
            id="services-one-unknown",
        ),
    ],
)
def test_each_kind_of_cell_of_an_exchange_file(file, column, raw, expected):
    from exchange.spec import FILES_BY_NAME

    (spec,) = [c for c in FILES_BY_NAME[file].columns if c.name == column]
    assert_cell(spec, raw, expected)


@pytest.mark.parametrize(
    ("raw", "refused"),
    [
        pytest.param("MATU030795F", False, id="a-uic"),
        pytest.param("matu030795f", False, id="in-small-letters"),
        pytest.param("MATU030795X", True, id="sex-not-F-M-O"),
        pytest.param("MATU0307F", True, id="a-digit-short"),
        pytest.param("MAT1030795F", True, id="a-digit-for-a-letter"),
    ],
)
def test_the_uic_cell_of_an_exchange_file(raw, refused):
    from exchange.services import CellError, _raw_uic
    from participants.uic import uic_hash

    if not refused:
        assert _raw_uic(raw) == uic_hash("MATU030795F")
        return
    with pytest.raises(CellError) as wrong:
        _raw_uic(raw)
    assert str(wrong.value) == (
        "UIC không hợp lệ: cần 4 chữ cái, 6 chữ số ngày sinh (ddmmyy) và F/M/O."
    )


# The national hash in a uic cell (h: and 64 hex digits): only the server's command may use it.
HASH = "h:" + "0123456789abcdef" * 4
NATIONAL_ONLY = (
    "mã băm quốc gia (h:) chỉ được nhận qua lệnh import_exchange trên máy chủ; hãy dùng UIC 11 "
    "ký tự hoặc mã bí danh (p:) trong tệp do tỉnh/thành phố của bạn xuất ra."
)
BAD_HASH = "mã băm UIC không hợp lệ (h: và 64 ký tự hex)."


@pytest.mark.parametrize(
    ("who", "raw", "expected"),
    [
        pytest.param("command", HASH, HASH[2:], id="the-command-a-hash"),
        pytest.param("command", HASH[:-1], BAD_HASH, id="the-command-63-digits"),
        pytest.param("command", HASH + "0", BAD_HASH, id="the-command-65-digits"),
        pytest.param("command", HASH.upper().replace("H:", "h:"), BAD_HASH, id="capital-hex"),
        pytest.param("officer", HASH, NATIONAL_ONLY, id="an-officer-a-hash"),
    ],
)
def test_a_national_hash_in_a_uic_cell(officer_hn, who, raw, expected):
    from exchange.services import CellError, ImportContext

    context = ImportContext(user=officer_hn if who == "officer" else None, errors=[])
    if expected in (BAD_HASH, NATIONAL_ONLY):
        with pytest.raises(CellError) as refused:
            context.uic_digest(raw)
        assert str(refused.value) == expected
    else:
        assert context.uic_digest(raw) == expected


def test_a_row_with_more_cells_than_its_header():
    """A cell beyond the header is refused on its line, the row left out; an empty cell there
    (a spreadsheet's trailing comma) is not."""
    from exchange.reader import Source
    from exchange.services import ImportContext
    from exchange.spec import FILES_BY_NAME

    header = ["site", "date", "category", "amount_vnd"]
    rows = [
        (2, ["HN-HM-PG", "31/03/2019", "staff", "10", "thừa"]),
        (3, ["HN-HM-PG", "31/03/2019", "staff", "20", ""]),
    ]
    context = ImportContext(user=None, errors=[])
    source = Source(name="costs", label="costs.csv", header=header, rows=rows)
    parsed = [row for chunk in context.parse(FILES_BY_NAME["costs"], source, 100) for row in chunk]
    assert [(e.line, e.column, str(e.reason)) for e in context.errors] == [
        (2, "", "dòng có nhiều ô hơn dòng tiêu đề.")
    ]
    assert [(line, values["amount_vnd"]) for line, values in parsed] == [(3, 20)]
