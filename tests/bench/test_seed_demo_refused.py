"""The demo data set goes through the importer: a row it refuses stops `seed_demo` with the
importer's messages, and nothing is written."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from referrals.models import Provider
from sites.models import PeerGroup, Site
from tooling import demo


def test_a_refused_row_stops_the_demo_with_the_importers_messages(db, monkeypatch):
    # The accounts' site given a province that does not exist: the importer refuses the row,
    # the command fails with the importer's message and writes nothing, not even the accounts.
    sites = [
        (*row[:2], "99", *row[3:]) if row[0] == demo.ACCOUNTS_SITE else row for row in demo.SITES
    ]
    monkeypatch.setattr(demo, "SITES", sites)
    err = StringIO()
    with pytest.raises(CommandError, match="bad row"):
        call_command("seed_demo", "--no-data", stdout=StringIO(), stderr=err)
    assert "sites.csv:2: province: không có tỉnh mã này" in err.getvalue()
    # …and the rows that depended on it, with their own reason.
    assert "peer_groups.csv:2: site: không có địa bàn mã này" in err.getvalue()
    assert not Site.objects.exists()
    assert not PeerGroup.objects.exists()
    assert not Provider.objects.exists()
    assert not User.objects.exists()
