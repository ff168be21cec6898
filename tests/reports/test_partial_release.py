"""A release holds the figures of the approved provinces only: with Hà Nội alone approved, every
download shows Hà Nội's figures, "chưa phê duyệt" for every other province (never a number) and
a national row over Hà Nội only that says so. Publishing again once Cần Thơ is approved is a new
version, whose differences are shown."""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from periods.models import ReportingPeriod
from reports import cycle, releases
from reports.indicators import CODES
from reports.models import Release
from tests.reports.test_release_exports import EXPORT, Q1, Q1_QUERY, people, publish

pytestmark = pytest.mark.django_db

NOT_APPROVED = "chưa phê duyệt"
PARTIAL = "1/34 tỉnh đã phê duyệt"

# Hà Nội in Q1 2019 (worked out from `people`: 12 people met at one pilot peer-group site, all
# with a need, the first 6 referred and their referral completed, 12,000,000 VND).
HANOI = {
    "sites_active": 1,
    "sites_active_pilot": 1,
    "sites_active_control": 0,
    "sites_active_scale_up": 0,
    "reached": 12,
    "reached_by_peer_groups": 0,
    "reached_with_need": 12,
    "referred": 6,
    "referred_pct": "50.0",
    "referrals_made": 6,
    "referrals_completed": 6,
    "referral_completion_pct": "100.0",
    "workers_assessed": 0,
    "workers_rights_ensured": 0,
    "workers_rights_ensured_pct": None,
    "establishments_assessed": 0,
    "establishments_compliant": 0,
    "establishments_compliant_pct": None,
    "peer_group_members": 0,
    "trainings": 0,
    "trainees": 0,
    "total_cost_vnd": 12_000_000,
    "cost_per_reached_vnd": 1_000_000,
}
# The same in the workbook: percentages as fractions.
HANOI_XLSX = {**HANOI, "referred_pct": 0.5, "referral_completion_pct": 1.0}


@pytest.fixture
def sites(db):
    from tests import factories as f

    return {
        "01": f.SiteFactory(code="HN", province=f.province("01", "legacy")),
        "92": f.SiteFactory(code="CT", province=f.province("92", "legacy"), locality="Ninh Kiều"),
        "79": f.SiteFactory(code="HCM", province=f.province("79", "legacy"), locality="Quận 1"),
    }


@pytest.fixture
def hanoi_alone(client, sites, officer_hn, ministry, hanoi):
    """Q1 2019: 12 people in Hà Nội (approved), 12 in Cần Thơ and 3 in Hồ Chí Minh (neither
    submitted); published for Hà Nội."""
    people(sites["01"], 12)
    people(sites["92"], 12)
    people(sites["79"], 3)
    q1 = ReportingPeriod.objects.get(code=Q1)
    submission = cycle.submission_submit(period=q1, province=hanoi, by=officer_hn)
    cycle.submission_approve(submission=submission, by=ministry)
    client.force_login(ministry)
    assert publish(client, provinces=("01",)).status_code == 302
    return Release.objects.get()


def _number(value):
    return "" if value is None else str(value)


def test_hanoi_alone_in_every_download_cell_by_cell(client, hanoi_alone):
    assert hanoi_alone.provinces == ["01"]

    response = client.get(EXPORT.format(fmt="csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["province_code", "province", *CODES]
    body = rows[1:]
    assert len(body) == 34 + 1
    by_code = {row[0]: row for row in body}
    assert by_code["01"] == ["01", "Hà Nội", *(_number(HANOI[c]) for c in CODES)]
    assert by_code["VN"] == [
        "VN",
        "Toàn quốc (1/34 tỉnh đã phê duyệt)",
        *(_number(HANOI[c]) for c in CODES),
    ]
    others = [row for row in body if row[0] not in ("01", "VN")]
    assert len(others) == 33
    assert {row[0] for row in others} >= {"92", "79"}
    for row in others:
        assert row[2:] == [NOT_APPROVED] * len(CODES), row[0]

    response = client.get(EXPORT.format(fmt="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert "1 tỉnh đã phê duyệt" in sheet["A3"].value
    assert "Số liệu toàn quốc và theo vùng chỉ tính 1/34 tỉnh đã phê duyệt" in sheet["A3"].value
    assert f"{NOT_APPROVED}: Tỉnh chưa được phê duyệt" in sheet["A4"].value
    table = {row[0]: row for row in sheet.iter_rows(min_row=8, values_only=True)}
    assert len(table) == 34 + 1
    assert table["01"] == ("01", "Hà Nội", *(HANOI_XLSX[c] for c in CODES))
    assert table["VN"] == (
        "VN",
        "Toàn quốc (1/34 tỉnh đã phê duyệt)",
        *(HANOI_XLSX[c] for c in CODES),
    )
    for code, row in table.items():
        if code not in ("01", "VN"):
            assert row[2:] == (NOT_APPROVED,) * len(CODES), code

    response = client.get(EXPORT.format(fmt="dhis2"))
    document = json.loads(response.content)
    assert document["period"] == Q1
    sent = {(v["orgUnit"], v["dataElement"]): v["value"] for v in document["dataValues"]}
    assert sent == {
        ("01", "sites_active"): "1",
        ("01", "sites_active_pilot"): "1",
        ("01", "sites_active_control"): "0",
        ("01", "sites_active_scale_up"): "0",
        ("01", "reached"): "12",
        ("01", "reached_by_peer_groups"): "0",
        ("01", "reached_with_need"): "12",
        ("01", "referred"): "6",
        ("01", "referred_pct"): "50.0",
        ("01", "referrals_made"): "6",
        ("01", "referrals_completed"): "6",
        ("01", "referral_completion_pct"): "100.0",
        ("01", "workers_assessed"): "0",
        ("01", "workers_rights_ensured"): "0",
        ("01", "establishments_assessed"): "0",
        ("01", "establishments_compliant"): "0",
        ("01", "peer_group_members"): "0",
        ("01", "trainings"): "0",
        ("01", "trainees"): "0",
        ("01", "total_cost_vnd"): "12000000",
        ("01", "cost_per_reached_vnd"): "1000000",
    }
    assert {v["comment"] for v in document["dataValues"]} == {PARTIAL}

    # The 63-province table: Hà Nội's own rows, every other province not approved.
    response = client.get(EXPORT.format(fmt="csv") + "&units=legacy")
    rows = {row[0]: row for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["01"][2 + CODES.index("reached")] == "12"
    assert rows["92"][2:] == [NOT_APPROVED] * len(CODES)
    assert rows["94"][2:] == [NOT_APPROVED] * len(CODES)  # Sóc Trăng, now part of Cần Thơ
    assert rows["VN"][1] == "Toàn quốc (1/34 tỉnh đã phê duyệt)"
    assert rows["VN"][2 + CODES.index("reached")] == "12"

    # Every other table counts Hà Nội only: models, breakdowns, costs, the scale-up extras.
    stored = hanoi_alone.tables["tables"]
    assert stored["model"]["total"]["reached"] == 12
    assert stored["model"]["rows"]["peer_groups"]["reached"] == 12
    assert stored["breakdown_sex"]["total"]["reached"] == 12
    assert stored["breakdown_sex"]["rows"]["female"]["reached"] == 12
    assert stored["costs"]["total"]["total_cost_vnd"] == 12_000_000
    assert stored["costs"]["rows"]["92"]["total_cost_vnd"] == NOT_APPROVED
    assert hanoi_alone.tables["approved"] == {"provinces": ["01"], "count": 1, "of": 34}


def test_the_page_marks_the_release_partial(client, hanoi_alone):
    html = client.get("/reports/?" + Q1_QUERY).content.decode()
    assert 'data-testid="partial-note"' in html and "chỉ tính 1/34 tỉnh đã phê duyệt" in html
    assert "Toàn quốc (1/34 tỉnh đã phê duyệt)" in html
    page = client.get(reverse("reports:release_detail", kwargs={"period": Q1})).content.decode()
    assert "chỉ tính 1/34 tỉnh đã phê duyệt" in page
    # Hà Nội's 12 people, 6 referred: no count from 1 to 4 anywhere, nothing hidden.
    loss = page.split('data-testid="information-loss">')[1].split("</p>")[0]
    assert "Ô ẩn để bảo vệ người tham gia: 0 ô số nhỏ" in loss
    assert "và 0 ô ẩn thêm" in loss


def test_more_provinces_later_is_a_new_version_with_its_differences(
    client, hanoi_alone, officer_ct, ministry, cantho
):
    submission = cycle.submission_submit(period=hanoi_alone.period, province=cantho, by=officer_ct)
    cycle.submission_approve(submission=submission, by=ministry)
    response = publish(client, provinces=("01", "92"), reason="Cần Thơ đã được phê duyệt.")
    assert response.status_code == 302
    latest = Release.objects.get(version=2)
    assert latest.provinces == ["01", "92"]
    national = latest.tables["tables"]["province_2025"]["total"]
    assert national["reached"] == 24 and national["total_cost_vnd"] == 24_000_000
    assert latest.tables["tables"]["province_2025"]["rows"]["79"]["reached"] == NOT_APPROVED
    assert Release.objects.get(version=1).tables == hanoi_alone.tables

    page = client.get(response["Location"]).content.decode()
    assert "chỉ tính 2/34 tỉnh đã phê duyệt" in page
    row = page.split('<tr data-code="province_2025:92:reached">')[1].split("</tr>")[0]
    assert f">{NOT_APPROVED}</td>" in row and ">12</td>" in row
    row = page.split('<tr data-code="province_2025:total:reached">')[1].split("</tr>")[0]
    assert ">12</td>" in row and ">24</td>" in row


def test_a_year_over_more_provinces_publishes_after_a_partial_quarter(
    hanoi_alone, officer_hn, officer_ct, ministry, hanoi, cantho
):
    """The quarter (Hà Nội alone) and the year (Hà Nội and Cần Thơ) count different provinces:
    their national figures are not a part and its whole, Hà Nội's own figures are."""
    year = ReportingPeriod.objects.get(code="2019")
    for officer, province in ((officer_hn, hanoi), (officer_ct, cantho)):
        submission = cycle.submission_submit(period=year, province=province, by=officer)
        cycle.submission_approve(submission=submission, by=ministry)
    release = releases.release_publish(period=year, provinces=[hanoi, cantho], by=ministry)
    national = release.tables["tables"]["province_2025"]["total"]
    assert national["reached"] == 24
    assert release.tables["tables"]["province_2025"]["rows"]["01"]["reached"] == 12


# --------------------------------------------------------------------------- confirmation


def test_submit_approve_and_publish_wait_for_a_confirmation(
    client_for, sites, officer_hn, ministry, hanoi
):
    """Each step says what will happen, to which province(s), what it locks, and does nothing
    until confirmed."""
    people(sites["01"], 12)
    officer = client_for(officer_hn)
    review = reverse("reports:cycle_province", kwargs={"period": Q1, "province": "01"})
    page = officer.get(review).content.decode()
    assert "Tôi xác nhận trình Bộ kỳ Quý 1/2019 của Hà Nội" in page
    assert "mọi dữ liệu của tỉnh có ngày từ 01/01/2019 đến 31/03/2019 bị khoá" in page
    submit_url = reverse("reports:cycle_submit", kwargs={"period": Q1})
    response = officer.post(submit_url, {"comment": ""}, follow=True)
    assert "hãy đọc điều sẽ xảy ra và đánh dấu ô xác nhận" in response.content.decode()
    assert not hanoi.submissions.exists()
    officer.post(submit_url, {"comment": "", "confirm": "on"})
    assert hanoi.submissions.get().status == "submitted"

    ministry_client = client_for(ministry)
    page = ministry_client.get(review).content.decode()
    assert "Khi phê duyệt: tôi xác nhận số liệu kỳ Quý 1/2019 của Hà Nội" in page
    decide = reverse("reports:cycle_decide", kwargs={"period": Q1, "province": "01"})
    ministry_client.post(decide, {"action": "approve", "comment": ""})
    assert hanoi.submissions.get().status == "submitted"
    ministry_client.post(decide, {"action": "approve", "comment": "", "confirm": "on"})
    assert hanoi.submissions.get().status == "approved"

    period_page = reverse("reports:cycle_period", kwargs={"period": Q1})
    page = ministry_client.get(period_page).content.decode()
    assert "Tôi xác nhận công bố kỳ Quý 1/2019 cho các tỉnh đã chọn ở trên" in page
    assert "tỉnh không chọn hiện “chưa phê duyệt”" in page
    publish_url = reverse("reports:cycle_publish", kwargs={"period": Q1})
    ministry_client.post(publish_url, {"provinces": ["01"], "reason": ""})
    assert not Release.objects.exists()
    ministry_client.post(publish_url, {"provinces": ["01"], "reason": "", "confirm": "on"})
    assert Release.objects.get().provinces == ["01"]
