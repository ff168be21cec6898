"""Live figures are cached per period and scope for a short while, and any write to the scope
invalidates them: the page shows the write at once. A write in another province leaves a
province's cached figures alone, and never shows in them."""

import re
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Contact
from sites.models import Site
from tests import factories as f

from .conftest import D

# The cache's own behaviour, whoever serves the reads: as without a replica in both runs (a
# replica's lag is the routing's subject, tests/replica).
pytestmark = [pytest.mark.django_db, pytest.mark.primary_only]
Q1 = "/reports/?period=quarter&year=2019&quarter=1"


@pytest.fixture(autouse=True)
def live_cache(settings):
    settings.REPORT_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def reached(client):
    """(people reached in the page's headline, queries the page ran)."""
    with CaptureQueriesContext(connection) as queries:
        html = client.get(Q1).content.decode()
    value = re.search(r'<td class="text-end" data-code="reached">(.*?)</td>', html).group(1)
    return int(value.strip()), len(queries.captured_queries)


def enrolled_at(code):
    """A participant of the site's 2025 province, enrolled there (a contact adds no enrolment)."""
    site = Site.objects.select_related("province").get(code=code)
    participant = f.ParticipantFactory(province_id=site.province.current_id)
    f.EnrolmentFactory(participant=participant, site=site, enrolled_on=D(2019, 1, 2))
    return participant, site


def meet(participant, site):
    Contact.objects.create(
        participant=participant, site=site, date=D(2019, 2, 10), kind="outreach", needs=[]
    )


def test_the_same_page_again_is_served_from_the_cache(client_for, officer_hn, small):
    client = client_for(officer_hn)
    first, computed = reached(client)
    again, served = reached(client)
    assert again == first == 2
    # The tables and breakdowns are not computed again (the page's own small reads remain).
    assert served <= computed - 8


def test_a_write_in_the_province_shows_at_once(client_for, officer_hn, small):
    participant, site = enrolled_at("HN")
    client = client_for(officer_hn)
    assert reached(client)[0] == 2
    meet(participant, site)
    assert reached(client)[0] == 3


def test_a_write_in_another_province_neither_invalidates_nor_leaks(
    client_for, officer_hn, officer_ct, small
):
    participant, site = enrolled_at("CT")
    hn_before, computed = reached(client_for(officer_hn))
    ct_before, _queries = reached(client_for(officer_ct))
    meet(participant, site)
    hn_after, served = reached(client_for(officer_hn))
    assert hn_after == hn_before
    assert served <= computed - 8  # still the cached figures of Hà Nội
    assert reached(client_for(officer_ct))[0] == ct_before + 1


def test_a_write_of_unknown_province_invalidates_every_province(client_for, officer_hn, small):
    client = client_for(officer_hn)
    _value, computed = reached(client)
    contact = Contact.objects.filter(site__code="HN").first()
    Contact.objects.get(pk=contact.pk).save()  # its participant not loaded: province unknown
    _value, recomputed = reached(client)
    assert recomputed == computed


def test_the_national_page_sees_a_write_in_any_province(client_for, admin_user, small):
    participant, site = enrolled_at("CT")
    client = client_for(admin_user)
    before, _queries = reached(client)
    meet(participant, site)
    assert reached(client)[0] == before + 1


def test_figures_computed_before_a_write_commits_are_dropped_at_the_commit(
    django_capture_on_commit_callbacks, small
):
    """A page computed between a write and its commit read the data before the write (another
    connection): the commit bumps the scope again, so those figures are never served."""
    from reports import livecache

    participant, site = enrolled_at("HN")
    province_id = participant.province_id
    parts = ("reached", "2019Q1", province_id)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meet(participant, site)
        # Another request, computing from the committed data (without the contact):
        assert livecache.cached(parts, province_id=province_id, compute=lambda: "before") == (
            "before"
        )
    assert livecache.cached(parts, province_id=province_id, compute=lambda: "x") == "before"
    for callback in callbacks:
        callback()  # the commit
    assert livecache.cached(parts, province_id=province_id, compute=lambda: "after") == "after"


# ---------------------------------------------------------------- many requests at once
# What fifty users opening the same page not yet cached do: one computes, the others wait for
# its figures. No database here: the cache alone (each thread its own cache connection).


def test_requests_at_once_for_the_same_page_compute_it_once():
    from reports import livecache

    computed = []
    started = threading.Barrier(8)

    def compute():
        computed.append(1)
        time.sleep(0.3)
        return "national figures"

    def request(results):
        started.wait()
        results.append(livecache.cached(("tables", "2024"), province_id=None, compute=compute))

    results = []
    threads = [threading.Thread(target=request, args=(results,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["national figures"] * 8
    assert len(computed) == 1


def test_a_request_waits_for_the_figures_another_is_computing():
    from reports import livecache

    cache.add("page:computing", True)  # another request is computing the page
    threading.Timer(0.2, lambda: cache.set("page", "theirs", 60)).start()
    assert livecache._computed_once("page", 60, lambda: "mine") == "theirs"


def test_the_wait_for_another_request_is_bounded(monkeypatch):
    from reports import livecache

    monkeypatch.setattr(livecache, "WAIT_SECONDS", 0.2)
    cache.add("page:computing", True)  # held by a request that never finishes
    began = time.monotonic()
    assert livecache._computed_once("page", 60, lambda: "mine") == "mine"
    assert 0.2 <= time.monotonic() - began < 2
    assert cache.get("page") == "mine"


def test_a_failed_computation_leaves_no_lock_behind():
    from reports import livecache

    def failing():
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        livecache._computed_once("page", 60, failing)
    began = time.monotonic()
    assert livecache._computed_once("page", 60, lambda: "again") == "again"
    assert time.monotonic() - began < 1  # computed at once, not after the bounded wait
