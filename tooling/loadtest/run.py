"""Load test on loopback: gunicorn serving the app, many simulated users signing in and
walking their role's main pages for a bounded time. Reports throughput and latency
percentiles; exits 1 if any request got a server error (5xx) or failed to connect.

    .venv/bin/python tooling/loadtest/run.py               # 30 users, 60 s, fresh SQLite demo
    .venv/bin/python tooling/loadtest/run.py --users 50 --duration 120 --workers 3
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/pcmd_load \
        .venv/bin/python tooling/loadtest/run.py

Without DATABASE_URL a throwaway SQLite database is created in a temporary folder, migrated and
filled with `manage.py seed_demo`. With DATABASE_URL that database is migrated and seeded (the
seed is idempotent) - never point it at production. Everything listens on 127.0.0.1 only.
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"

# Prints, as JSON, the demo accounts (password included) and each one's main pages: the
# navigation bar of their role, i.e. what a real user of that role clicks.
PREPARE = """
import json, django
django.setup()
from django.urls import reverse
from accounts.models import User
from accounts.navigation import items_for
from tooling.demo import DEMO_PASSWORD, ensure_demo_accounts
users = []
for username, _role, _scope in ensure_demo_accounts():
    user = User.objects.get(username=username)
    pages = [reverse(item.url_name) for item in items_for(user)]
    users.append({"username": username, "role": user.role, "pages": pages})
print(json.dumps({"password": DEMO_PASSWORD, "users": users}))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_env(database_url):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        # Production settings plus the `tooling` app, for `seed_demo`.
        DEV_TOOLS="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        UIC_SECRET=os.environ.get("UIC_SECRET", "loadtest-uic-secret"),
        ALLOWED_HOSTS=HOST,
        # Plain HTTP on loopback: no HTTPS redirect, cookies not marked Secure.
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    env.setdefault("STATIC_ROOT", str(Path(tempfile.gettempdir()) / "pcmd-load-static"))
    if not env.get("OFFLINE_PRIVATE_KEY"):
        # A throwaway key of the phones' offline queue, like the secret key above.
        new_key = [sys.executable, "-m", "offline.keys"]
        env["OFFLINE_PRIVATE_KEY"] = subprocess.run(  # noqa: S603
            new_key, cwd=BASE_DIR, capture_output=True, text=True, check=True
        ).stdout
    return env


def run(args, env, **kwargs):
    return subprocess.run(args, cwd=BASE_DIR, env=env, check=True, **kwargs)  # noqa: S603


class SimulatedUser(threading.Thread):
    def __init__(self, base, account, password, stop_at, results, think, delay=0.0):
        super().__init__(daemon=True)
        self.delay = delay
        self.base, self.account, self.password = base, account, password
        self.stop_at, self.results, self.think = stop_at, results, think
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, label, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)  # noqa: S310 (http://127.0.0.1)
        if data is not None:
            req.add_header("Referer", self.base + path)
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=60) as response:
                content = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            content, status = error.read(), error.code
        except OSError as error:
            content, status = str(error).encode(), 0
        self.results.append((label, status, time.perf_counter() - started))
        return status, content.decode("utf-8", "replace")

    def login(self):
        _status, page = self.request("login (GET)", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        status, _page = self.request(
            "login (POST)",
            "/login/",
            {
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": self.account["username"],
                "password": self.password,
                "next": "/",
            },
        )
        return status == 200

    def run(self):
        time.sleep(self.delay)  # users arrive over the ramp-up, not all in the same second
        if not self.login():
            return
        pages = self.account["pages"]
        n = 0
        while time.monotonic() < self.stop_at:
            path = pages[n % len(pages)]
            self.request(path, path)
            n += 1
            if self.think:
                time.sleep(self.think)


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=30, help="simulated users (max 200)")
    parser.add_argument("--duration", type=int, default=60, help="seconds (max 600)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--think", type=float, default=0.0, help="pause between pages (s)")
    parser.add_argument("--ramp", type=float, default=10.0, help="users arrive over (s)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--accounts-only",
        action="store_true",
        help="only the demo accounts, not the demo data set (a database `manage.py bench` "
        "filled: national scale, its periods approved and locked)",
    )
    options = parser.parse_args()
    users = max(1, min(options.users, 200))
    duration = max(5, min(options.duration, 600))

    workdir = Path(tempfile.mkdtemp(prefix="pcmd-load-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'load.sqlite3'}"
    env = server_env(database_url)
    python = sys.executable
    print(f"database: {database_url.split('@')[-1]}", flush=True)
    run([python, "manage.py", "migrate", "--noinput"], env, stdout=subprocess.DEVNULL)
    # As in production: hashed, compressed static files served by WhiteNoise.
    run([python, "manage.py", "collectstatic", "--noinput"], env, stdout=subprocess.DEVNULL)
    seed_started = time.perf_counter()
    seed = ["--no-data"] if options.accounts_only else []
    run([python, "manage.py", "seed_demo", *seed], env, stdout=subprocess.DEVNULL)
    print(f"demo data ready ({time.perf_counter() - seed_started:.0f} s)", flush=True)
    prepared = json.loads(
        run([python, "-c", PREPARE], env, capture_output=True, text=True).stdout.splitlines()[-1]
    )
    accounts = [a for a in prepared["users"] if a["pages"] and a["role"]]

    port = free_port()
    server_log = (workdir / "server.log").open("w")
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603
        [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(options.workers),
            "--threads",
            str(options.threads),
            "--access-logfile",
            "-" if os.environ.get("LOADTEST_ACCESS_LOG") else "/dev/null",
            "--error-logfile",
            str(workdir / "gunicorn.log"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://{HOST}:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login/", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        results = []
        stop_at = time.monotonic() + duration
        threads = [
            SimulatedUser(
                base,
                accounts[i % len(accounts)],
                prepared["password"],
                stop_at,
                results,
                options.think,
                delay=options.ramp * i / users,
            )
            for i in range(users)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(duration + 60)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)

    statuses = Counter(status for _label, status, _t in results)
    pages = [t for label, _status, t in results if not label.startswith("login")]
    logins = [t for label, _status, t in results if label == "login (POST)"]
    by_page = defaultdict(list)
    for label, _status, t in results:
        by_page[label].append(t)
    errors = sum(count for status, count in statuses.items() if status >= 500 or status == 0)
    # Server errors and requests that got no answer (timeout, refused connection), per page.
    failed_by_page = Counter(label for label, status, _t in results if status >= 500 or status == 0)
    figures = {
        "users": users,
        "duration_s": round(elapsed, 1),
        "gunicorn": f"{options.workers} workers x {options.threads} threads",
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "requests": len(results),
        "throughput_rps": round(len(results) / elapsed, 1),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": errors,
        "page_p50_ms": round(statistics.median(pages) * 1000, 1) if pages else 0,
        "page_p95_ms": round(percentile(pages, 0.95) * 1000, 1),
        "page_p99_ms": round(percentile(pages, 0.99) * 1000, 1),
        "login_p95_ms": round(percentile(logins, 0.95) * 1000, 1),
        "pages": {
            label: {
                "requests": len(times),
                "p50_ms": round(statistics.median(times) * 1000, 1),
                "p95_ms": round(percentile(times, 0.95) * 1000, 1),
                "p99_ms": round(percentile(times, 0.99) * 1000, 1),
                "errors": failed_by_page[label],
            }
            for label, times in sorted(by_page.items())
        },
    }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    if errors:
        print(f"FAILED: {errors} server errors; see {workdir / 'server.log'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
