"""Import previews expire, go at sign-out, and their key never rests on the server
(exchange.uploads, README "Import previews")."""

import io
import os
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse

from exchange import uploads
from participants.models import Participant
from sites.models import Cost

from .conftest import HEADERS, UIC_A, database_text, snapshot

pytestmark = pytest.mark.django_db
EXPIRED = "Phiên nhập dữ liệu đã hết hạn; hãy tải tệp lên lại."


@pytest.fixture(autouse=True)
def folder(settings, tmp_path):
    settings.EXCHANGE_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def upload(client, site_code):
    data = (
        HEADERS["participants"]
        + f"\n{UIC_A},sex_worker,female,1995,temporary,2020-03-01,{site_code},2020-03-01\n"
    ).encode()
    file = io.BytesIO(data)
    file.name = "participants.csv"
    response = client.post(reverse("exchange:import"), {"file": file})
    assert response.context["result"].ok, response.context["errors"]
    return response


def kept(folder):
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def age(folder, minutes):
    """Make every kept preview `minutes` old."""
    then = time.time() - minutes * 60
    for path in folder.iterdir():
        os.utime(path, (then, then))


def confirm(client):
    return client.post(reverse("exchange:import"), {"action": "confirm"}, follow=True)


def test_the_key_is_only_in_the_browsers_cookie(client_for, officer_hn, site_hn, folder):
    client = client_for(officer_hn)
    response = upload(client, site_hn.code)
    cookie = response.cookies[uploads.KEY_COOKIE]
    assert len(cookie.value) == 64
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == reverse("exchange:import")
    assert cookie["max-age"] == 30 * 60
    # Neither the session row nor any other table holds the key.
    assert cookie.value not in database_text()
    stored = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    assert cookie.value not in stored and uploads.SESSION_KEY in stored
    # Without the cookie, the session and the file decrypt nothing; the file is deleted.
    del client.cookies[uploads.KEY_COOKIE]
    before = snapshot()
    assert EXPIRED in confirm(client).content.decode()
    assert snapshot() == before and kept(folder) == []


def test_a_preview_is_confirmed_within_its_lifetime(client_for, officer_hn, site_hn, folder):
    client = client_for(officer_hn)
    upload(client, site_hn.code)
    age(folder, 29)
    response = confirm(client)
    assert EXPIRED not in response.content.decode()
    assert Participant.objects.count() == 1
    assert kept(folder) == []
    assert client.cookies[uploads.KEY_COOKIE].value == ""


def test_an_abandoned_preview_is_unreadable_after_its_expiry(
    settings, client_for, officer_hn, site_hn, folder, monkeypatch
):
    client = client_for(officer_hn)
    upload(client, site_hn.code)
    assert len(kept(folder)) == 1
    # 31 minutes later, with the browser's key still at hand: refused, and deleted.
    later = time.time() + 31 * 60
    monkeypatch.setattr(uploads.time, "time", lambda: later)
    before = snapshot()
    assert EXPIRED in confirm(client).content.decode()
    assert snapshot() == before
    assert kept(folder) == []


def test_the_scheduled_command_deletes_expired_previews_only(
    settings, client_for, officer_hn, officer_ct, site_hn, site_ct, folder
):
    old = client_for(officer_hn)
    upload(old, site_hn.code)
    abandoned = kept(folder)
    fresh = client_for(officer_ct)
    upload(fresh, site_ct.code)
    assert len(kept(folder)) == 2
    then = time.time() - 31 * 60
    os.utime(folder / abandoned[0], (then, then))
    out = io.StringIO()
    call_command("clearpreviews", stdout=out)
    assert out.getvalue() == "1 expired import preview(s) deleted.\n"
    assert len(kept(folder)) == 1 and kept(folder) != abandoned
    assert EXPIRED not in confirm(fresh).content.decode()
    assert Participant.objects.count() == 1


def test_the_lifetime_is_a_setting(settings, client_for, officer_hn, site_hn, folder):
    settings.EXCHANGE_PREVIEW_MINUTES = 5
    client = client_for(officer_hn)
    response = upload(client, site_hn.code)
    assert response.cookies[uploads.KEY_COOKIE]["max-age"] == 5 * 60
    age(folder, 6)
    assert EXPIRED in confirm(client).content.decode()
    assert Participant.objects.count() == 0


def test_signing_out_destroys_the_preview_and_its_key(client_for, officer_hn, site_hn, folder):
    client = client_for(officer_hn)
    upload(client, site_hn.code)
    assert len(kept(folder)) == 1
    response = client.post(reverse("logout"))
    assert kept(folder) == []
    assert response.cookies[uploads.KEY_COOKIE].value == ""
    assert response.cookies[uploads.KEY_COOKIE]["path"] == reverse("exchange:import")


def test_cancel_and_a_failed_preview_forget_the_key(client_for, officer_hn, site_hn, folder):
    client = client_for(officer_hn)
    upload(client, site_hn.code)
    response = client.post(reverse("exchange:import"), {"action": "cancel"})
    assert response.cookies[uploads.KEY_COOKIE].value == ""
    assert kept(folder) == [] and Cost.objects.count() == 0
