"""The national summary download: a published release only (tests/reports/
test_release_exports.py checks its files cell by cell); ministry and administrators only; bad
input explained, nothing downloaded or logged."""

import datetime

import pytest

from accounts.models import ActivityEvent
from reports.forms import iso_period

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/reports/export/?format={fmt}&start=2019-01-01&end=2019-03-31"


def test_dhis2_periods():
    assert iso_period(D(2019, 1, 1), D(2019, 12, 31)) == "2019"
    assert iso_period(D(2019, 4, 1), D(2019, 6, 30)) == "2019Q2"
    assert iso_period(D(2019, 2, 1), D(2019, 2, 28)) == "201902"
    assert iso_period(D(2019, 1, 15), D(2019, 3, 20)) == "2019-01-15/2019-03-20"


def test_officers_and_leaders_may_not_export(client_for, officer_hn, leader, small):
    for user in (officer_hn, leader):
        assert client_for(user).get(URL.format(fmt="csv")).status_code == 403
    assert not ActivityEvent.objects.filter(kind=ActivityEvent.Kind.EXPORT).exists()


def test_bad_input_is_explained_and_nothing_exported(client_for, ministry, small):
    client = client_for(ministry)
    response = client.get("/reports/export/?format=pdf", follow=True)
    assert "Định dạng xuất không hợp lệ" in response.content.decode()
    response = client.get(
        "/reports/export/?format=csv&start=2019-03-01&end=2019-01-01", follow=True
    )
    assert "Ngày kết thúc không được trước ngày bắt đầu" in response.content.decode()
    # Any range that is not a reporting period, or a period not published: nothing to download.
    response = client.get(
        "/reports/export/?format=csv&start=2019-01-15&end=2019-03-20", follow=True
    )
    assert "Kỳ 15/01/2019 – 20/03/2019 chưa được công bố" in response.content.decode()
    response = client.get(URL.format(fmt="xlsx"), follow=True)
    assert "Kỳ Quý 1/2019 chưa được công bố" in response.content.decode()
    assert not ActivityEvent.objects.filter(kind=ActivityEvent.Kind.EXPORT).exists()
