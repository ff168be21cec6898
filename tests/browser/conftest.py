"""Browser suite: Playwright drives Debian's Chromium (/usr/bin/chromium) against a live server
started by pytest-django. Skipped, with the reason printed, where Chromium is absent.

Screenshots of the pages a journey visits go to test-artifacts/screenshots/ (ignored by git)."""

import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
# Chromium as the machines here need it: no sandbox as root, and no background connections
# (the network is closed; they would only slow every start down).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Marks for every browser test module (`pytestmark = BROWSER`): the live server needs
# transactional tests (tests/conftest.py puts the reference data back after each flush).
BROWSER = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set up
# data are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


_UNGROUPED = pytest.StashKey[bool]()


# Before pytest-xdist's own hook reads the groups (`make test` runs `--dist loadgroup`): every
# browser test in one group, so that one worker drives Chromium while the other runs the rest.
# After it, a check that the group held: pytest-xdist marks a grouped test by its node id, which
# pytest 9.2 ignores (pytest-xdist issue #1386), and then the browser tests ran in both workers.
@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    browser = [item for item in items if "browser" in item.keywords]
    for item in browser:
        item.add_marker(pytest.mark.xdist_group("browser"))
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason=f"browser suite skipped: no Chromium at {CHROMIUM}")
        for item in browser:
            item.add_marker(skip)
    result = yield
    if getattr(config.option, "loadgroup", False):
        for item in browser:
            if not item.nodeid.endswith("@browser"):
                item.stash[_UNGROUPED] = True
    return result


@pytest.fixture(autouse=True)
def _in_the_browser_group(request):
    if request.node.stash.get(_UNGROUPED, False):
        pytest.fail(
            "--dist loadgroup did not put this browser test in the browser group: this pytest "
            "and pytest-xdist do not keep groups (pytest-xdist issue #1386), and the browser "
            "tests would run in every worker; install the versions pyproject.toml allows"
        )


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class _OneAtATime:
    """The live server's application with SQLite in memory: its request threads all use the
    test's one database connection, so two requests at once (a page, and what its service worker
    fetches in the background) would run two transactions on it ("database table is locked").
    Requests are served one at a time, each holding the lock until its response is closed
    (Django closes the connection's transaction then); between tests the gate is shut, and a
    request that arrives late from a closed page gets a 503 without touching the database,
    which the test's teardown is emptying.

    Static files never touch the database and pass beside the gate: a signed-in page's service
    worker fetches about twenty of them as it installs, and queued with the pages they held a
    click's page back for more than the tests' 15 s on a loaded machine."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.open = False

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(settings.STATIC_URL):
            return self.app(environ, start_response)
        self.lock.acquire()
        if not self.open:
            self.lock.release()
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"between tests"]
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self.lock.release()
            raise
        return _ReleasedOnClose(result, self.lock.release)

    def shut(self):
        """Wait for the request being served (its response closed), then refuse the rest."""
        with self.lock:
            self.open = False


class _ReleasedOnClose:
    def __init__(self, result, release):
        self.result, self.release = result, release

    def __iter__(self):
        return iter(self.result)

    def close(self):
        release, self.release = self.release, None
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            if release is not None:
                release()


@pytest.fixture(autouse=True)
def _one_request_at_a_time(request):
    """SQLite in memory: one request at a time, none between tests (_OneAtATime); on PostgreSQL
    each request thread has its own connection."""
    if "live_server" not in request.fixturenames or connection.vendor != "sqlite":
        yield
        return
    server = request.getfixturevalue("live_server").thread.httpd
    app = server.get_app()
    if not isinstance(app, _OneAtATime):
        app = _OneAtATime(app)
        server.set_app(app)
    app.open = True
    yield
    app.shut()


# What the browser asked of the server during the test, printed with a failure ("browser
# requests" in pytest's report): a page that did not load in time shows which request it waited
# for, in CI as here.
_requests = []


def new_context(chromium, **options):
    """A browser context with the tests' 15 s time-out, whose requests are logged (_requests)."""
    context = chromium.new_context(**options)
    context.set_default_timeout(15_000)
    start = time.monotonic()

    def log(event):
        def record(request):
            seconds = time.monotonic() - start
            failure = f" ({request.failure})" if event == "failed" else ""
            _requests.append(f"{seconds:7.2f} s  {event:8} {request.method} {request.url}{failure}")

        return record

    for event in ("request", "finished", "failed"):
        context.on(event if event == "request" else f"request{event}", log(event))
    return context


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when in ("setup", "call") and report.failed and _requests:
        report.sections.append(("browser requests", "\n".join(_requests[-60:])))
    if report.when == "teardown":
        _requests.clear()


def _new_page(chromium, viewport, language="vi-VN"):
    context = new_context(chromium, viewport=viewport, locale=language)
    return context, context.new_page()


@pytest.fixture
def phone_page(chromium):
    context, page = _new_page(chromium, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop_page(chromium):
    context, page = _new_page(chromium, DESKTOP)
    yield page
    context.close()


def bounded(page, script, arg=None, *, seconds=30):
    """`page.evaluate(script, arg)`, bounded: page.evaluate has no timeout, so a promise that
    never settles (a service worker that never becomes ready, IndexedDB that never answers)
    would hold the whole run; here it fails the test after `seconds`. `script` is an expression
    or a function, as page.evaluate takes them."""
    return page.evaluate(
        f"""async (arg) => {{
            const work = (async () => {{
                const it = ({script});
                return typeof it === "function" ? await it(arg) : await it;
            }})();
            const late = new Promise((_resolve, reject) => setTimeout(
                () => reject(new Error("no answer in {seconds} s")), {seconds * 1000}));
            return Promise.race([work, late]);
        }}""",
        arg,
    )


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"]
    # A picture for people to look at, not a check: on a loaded machine a long page can take
    # more than a tour's 5 s to draw in full, and that must not fail the journey.
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}px.png"), full_page=True, timeout=60_000)


def sign_in(page, live_server, username, password="Mat-khau-thu-nghiem-2025"):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label(re.compile("Tên đăng nhập|Username")).fill(username)
    page.get_by_label(re.compile("Mật khẩu|Password")).fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    worker_installed(page)


def open_menu(page):
    """Open the phone's menu and wait until it is fully open: clicked while it still unfolds
    (Bootstrap's collapse, 0.35 s), a button in it may be hidden under the page below."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Mở menu").click()
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))


def worker_installed(page):
    """Wait until the service worker that the page registers (the field pages of officers,
    leaders and administrators) has installed and is active, as a phone has it a few seconds
    after signing in. Its install fetches files and pages; a test that clicked on meanwhile
    raced it, and on a loaded machine with SQLite a page after a click then waited past the
    tests' 15 s. True if a worker is active; False for a page without one, or in a browser
    context that blocks service workers (registering resolves there, but nothing is kept)."""
    return bounded(
        page,
        """async (url) => {
            const field = document.querySelector('script[src*="js/offline/ui"]');
            if (!navigator.serviceWorker || !field) { return false; }
            await navigator.serviceWorker.register(url, { scope: "/" });  // the page's own call
            if (!(await navigator.serviceWorker.getRegistration())) { return false; }
            const worker = (await navigator.serviceWorker.ready).active;
            if (worker.state !== "activated") {
                await new Promise((resolve) => worker.addEventListener("statechange", () => {
                    if (worker.state === "activated") { resolve(); }
                }));
            }
            return true;
        }""",
        reverse("offline:service_worker"),
    )


def serious_accessibility_violations(page):
    """axe-core's serious and critical violations on the current page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
