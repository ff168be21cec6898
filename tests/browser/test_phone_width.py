"""Every page each role can reach fits a 360-px phone: nothing is wider than the screen, no word
or number is squeezed to fewer than three letters a line, and every button, field, check box and
page link is a tap target of at least 44 × 44 px.

The pages are the access table's (tests/access_table.py): each line a persona may open ("ok"),
with the Hà Nội records of tests/urlsweep.py, visited signed in as that persona. Files (exports,
the template) and the page scripts' endpoints are left out: only HTML pages are measured."""

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import HarvestAlert
from tests import factories
from tests.access_table import GET, PAGE
from tests.browser.conftest import BROWSER, PHONE, new_context, screenshot, sign_in
from tests.test_access_sweep import USERS, reporting_cycle  # noqa: F401 - a fixture
from tests.urlsweep import one_of_each, table_lines, walk

pytestmark = BROWSER

PERSONAS = ("anon", "min", "o_hn", "o_ct", "lead", "prov", "adm")
MIN_TARGET = 44
MIN_LETTERS = 3

# What is wider than the screen, and which elements make it so (the deepest ones).
WIDTH = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 1) {
            const inner = [...el.children].some(c => c.getBoundingClientRect().right > width + 1);
            const name = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
            if (!inner) wide.push(`${name} → ${Math.round(box.right)}px`);
        }
    }
    return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 4)};
}"""

# Tap targets smaller than 44 px: a check box or radio button counts with its label.
SMALL_TARGETS = """(least) => {
    const small = [];
    const seen = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
    const selector = 'button, a.btn, .page-link, input:not([type=hidden]), select, textarea';
    for (const el of document.querySelectorAll(selector)) {
        let boxes = [el];
        if (el.matches('input[type=checkbox], input[type=radio]')) boxes = [el, ...el.labels];
        boxes = boxes.filter(seen);
        if (!boxes.length) continue;
        const rects = boxes.map(b => b.getBoundingClientRect());
        const height = Math.max(...rects.map(r => r.height));
        const wide = Math.max(...rects.map(r => r.width));
        if (height < least - 0.5 || wide < least - 0.5) {
            const name = (el.innerText || el.name || el.id || '').trim().slice(0, 30);
            const size = `${Math.round(wide)}×${Math.round(height)}`;
            small.push(`${el.tagName.toLowerCase()} "${name}" ${size}`);
        }
    }
    return small.slice(0, 5);
}"""


# Words and numbers broken across lines, fewer than three letters a line on average ("C ầ n
# T h ơ" one letter a line in a crushed column): each word of the visible text, with the lines
# it spans.
SQUEEZED = r"""(least) => {
    const squeezed = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || !parent.getClientRects().length) continue;
        if (getComputedStyle(parent).visibility === 'hidden') continue;
        for (const match of node.data.matchAll(/\S{2,}/g)) {
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const tops = new Set([...range.getClientRects()]
                .filter(r => r.width > 0).map(r => Math.round(r.top)));
            if (tops.size > 1 && match[0].length / tops.size < least) {
                const name = `${parent.tagName.toLowerCase()}.${[...parent.classList].join('.')}`;
                squeezed.push(`"${match[0].slice(0, 20)}" on ${tops.size} lines in ${name}`);
            }
        }
    }
    return squeezed.slice(0, 4);
}"""


def reachable_pages(records):
    """{persona: [(key, url)]}: the HTML pages of the access table each persona may open."""
    routes = {route.name: route for route in walk()}
    pages = {persona: [] for persona in PERSONAS}
    for key, name, values, kind, record, answers in table_lines():
        if kind not in (PAGE, GET):
            continue
        route = routes[name]
        url = route.url(**values, **({"pk": records[record].pk} if record else {}))
        for persona, answer in answers.items():
            if persona in pages and answer == "ok":
                pages[persona].append((key, url))
    return pages


@pytest.fixture
def pages(personas, site_hn, group_hn, provider_hn, reporting_cycle):  # noqa: F811
    records = one_of_each(site=site_hn, group=group_hn, provider=provider_hn)
    # A received referral too: lists then offer "completed" with its date and outcome fields.
    factories.ReferralFactory(
        participant=records["participant"],
        site=site_hn,
        peer_group=group_hn,
        provider=provider_hn,
        service="vocational_training",
        status="received",
    )
    # An open harvesting alert: the administrator's alert list then offers its check box.
    HarvestAlert.objects.create(
        user=personas["officer_hn"],
        rule=HarvestAlert.Rule.PAGE_VIEWS,
        first_at=timezone.now(),
        last_at=timezone.now(),
        observed=120,
        threshold=100,
    )
    return reachable_pages(records)


def test_every_page_of_every_role_fits_a_phone(live_server, chromium, personas, pages):
    assert len(pages["o_hn"]) > 40 and len(pages["lead"]) > 15 and pages["prov"]
    too_wide, squeezed, too_small, measured = [], [], [], 0
    for persona in PERSONAS:
        context = new_context(chromium, viewport=PHONE, locale="vi-VN", service_workers="block")
        page = context.new_page()
        if persona != "anon":
            sign_in(page, live_server, personas[USERS[persona]].username)
        for key, url in pages[persona]:
            head = page.request.get(live_server.url + url, max_redirects=0)
            if head.status != 200 or "text/html" not in head.headers.get("content-type", ""):
                continue
            page.goto(live_server.url + url)
            page.wait_for_load_state()
            measured += 1
            width = page.evaluate(WIDTH)
            if width["scroll"] > PHONE["width"]:
                too_wide.append(f"{persona} {url} ({key}): {width['scroll']} px; {width['wide']}")
                screenshot(page, f"too-wide-{persona}-{key.replace(':', '-').replace(' ', '-')}")
            crushed = page.evaluate(SQUEEZED, MIN_LETTERS)
            if crushed:
                squeezed.append(f"{persona} {url} ({key}): {crushed}")
                screenshot(page, f"squeezed-{persona}-{key.replace(':', '-').replace(' ', '-')}")
            small = page.evaluate(SMALL_TARGETS, MIN_TARGET)
            if small:
                too_small.append(f"{persona} {url} ({key}): {small}")
        context.close()
    print(f"\n{measured} pages measured at {PHONE['width']} px")
    assert not too_wide, "pages wider than the phone:\n" + "\n".join(too_wide)
    assert not squeezed, "text squeezed below three letters a line:\n" + "\n".join(squeezed)
    assert not too_small, "tap targets under 44 px:\n" + "\n".join(too_small)


def test_long_badges_fit_a_phone(live_server, phone_page, officer_hn, site_hn, hanoi):
    """ "Chuyển gửi" with the badge "⚠ Không nhận người không có hộ khẩu thường trú" and the
    provider directory with every service of a provider as a badge."""
    from programs.services_catalog import Service

    provider = factories.ProviderFactory(
        name="Trung tâm Dịch vụ việc làm và Hỗ trợ phòng, chống bạo lực giới Hà Nội",
        province=hanoi,
        services=list(Service.values),
        accepts_without_residence=False,
    )
    participant = factories.ParticipantFactory(province=hanoi, residence="none")
    factories.EnrolmentFactory(participant=participant, site=site_hn)
    referral = factories.ReferralFactory(
        participant=participant, site=site_hn, provider=provider, service="health_check"
    )
    page = phone_page
    sign_in(page, live_server, "officer_hn")
    for url in (
        reverse("referrals:referral_list"),
        reverse("referrals:referral_detail", args=[referral.pk]),
        reverse("referrals:provider_list"),
        reverse("referrals:provider_detail", args=[provider.pk]),
    ):
        page.goto(live_server.url + url)
        width = page.evaluate(WIDTH)
        assert width["scroll"] <= PHONE["width"], f"{url}: {width}"
        assert page.evaluate(SQUEEZED, MIN_LETTERS) == [], url
