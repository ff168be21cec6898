"""Every sort header and pager link of every list page, followed as each persona who may open
the page (tests/access_table.py), two clicks deep (a header clicked twice sorts descending):
each answers 200, never a 500. Pages hold one row each so the pager has pages to link."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import transaction
from django.test import Client

from accounts import pagination
from tests import factories
from tests.access_table import GET, PAGE
from tests.test_access_sweep import USERS, reporting_cycle  # noqa: F401 (a fixture)
from tests.urlsweep import one_of_each, table_lines, walk

HREF = re.compile(r'href="([^"]*)"')
LIST_PARAMS = {"sort", "page"}
DEPTH = 3


def list_links(content, path):
    """The links of `content` back to the same list (`path`) that sort it or turn its page."""
    found = set()
    for raw in HREF.findall(content):
        url = html.unescape(raw)
        parts = urlsplit(url)
        if parts.path not in ("", path) or not LIST_PARAMS & set(parse_qs(parts.query)):
            continue
        found.add(f"{path}?{parts.query}")
    return found


@pytest.mark.django_db
def test_every_sort_and_pager_link_of_every_list_answers_every_role(
    personas,
    site_hn,
    group_hn,
    provider_hn,
    reporting_cycle,  # noqa: F811
    monkeypatch,
):
    one_of_each(site=site_hn, group=group_hn, provider=provider_hn)
    # A second Hà Nội site with one of each too: two rows a list, two pages of one row.
    other = factories.SiteFactory(code="HN-2", province=site_hn.province)
    one_of_each(
        site=other,
        group=factories.PeerGroupFactory(code="HN-2-G", site=other),
        provider=factories.ProviderFactory(name="Nhà tạm lánh", province=provider_hn.province),
    )
    monkeypatch.setattr(pagination.page_of, "__defaults__", (1,))
    routes = {route.name: route for route in walk()}
    users = {column: personas[name] for column, name in USERS.items()}
    failures, followed, lists = [], 0, set()
    for _key, name, values, kind, record, answers in table_lines():
        if record is not None or values or kind not in (PAGE, GET):
            continue
        path = routes[name].url()
        for persona, answer in answers.items():
            if answer != "ok" or persona not in users:
                continue
            client = Client(raise_request_exception=False)
            client.force_login(users[persona])
            seen, frontier = {path}, [path]
            for _depth in range(DEPTH):
                following = []
                for url in frontier:
                    with transaction.atomic():
                        response = client.get(url)
                        transaction.set_rollback(True)
                    if response.status_code != 200:
                        failures.append(f"{persona} GET {url}: {response.status_code}")
                        continue
                    if response.streaming or "text/html" not in response.get("Content-Type", ""):
                        continue
                    links = list_links(response.content.decode(), path) - seen
                    if links:
                        lists.add(path)
                    seen |= links
                    following += sorted(links)
                followed += len(following)
                frontier = following
    assert not failures, "\n".join(failures)
    # The walk met lists with links (a change that drops every link would pass silently).
    assert followed > 100
    assert {"/referrals/providers/", "/participants/", "/sites/"} <= lists, sorted(lists)
