"""Where modules may reach: the floors of docs/architecture.md (nothing below `reports` imports
it; the ground floor imports nothing above it), domain modules take their helpers from plain
modules, never from a forms module; the developer tooling is not installed by the production
settings. Imports are read with `ast` from every module of an app, at any depth of its packages
and inside functions too (an import written inside a function to dodge a loop still counts)."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = (
    "accounts",
    "programs",
    "periods",
    "sites",
    "participants",
    "referrals",
    "reports",
    "exchange",
    "offline",
    "privacy",
)
# Modules whose job is the request and its input: they may use forms.
FORM_USERS = {"forms.py", "views.py", "admin.py", "security_forms.py", "security_views.py"}
# Written exceptions, each for a reason: the phones' queue replays the very form of the page it
# was filled in on; the list exports parse a list page's filters with that page's filter form.
REASONED = {"offline/services.py", "exchange/selectors.py"}


def _imported_modules(path, package):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
                names = [f"{module}.{alias.name}" for alias in node.names]
                yield module
                yield from names
            else:
                yield node.module
                yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _imports_a_forms_module(path, package=None):
    package = package or path.parent.relative_to(ROOT).as_posix().replace("/", ".")
    return sorted(
        {
            name
            for name in _imported_modules(path, package)
            if name and name.split(".")[0] in APPS and name.split(".")[-1].endswith("forms")
        }
    )


def test_no_domain_module_imports_a_forms_module():
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" in path.parts or path.name in FORM_USERS or relative in REASONED:
                continue
            forms = _imports_a_forms_module(path)
            if forms:
                offenders.append(f"{relative}: {', '.join(forms)}")
    assert offenders == []


def test_the_check_sees_a_forms_import(tmp_path):
    module = ROOT / "periods" / "lock.py"
    assert _imports_a_forms_module(module) == []
    source = "from .forms import quarter_range\nfrom participants import forms\n"
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    found = _imports_a_forms_module(probe, package="reports")
    assert found == ["participants.forms", "reports.forms"]


# The floors, hand-written from docs/architecture.md: the apps each floor's modules must never
# import (an app may import from its own floor and the floors below).
GROUND = ("accounts", "programs", "periods")
NEVER_IMPORTED_BY = {
    # The reports are the top floor: they read every floor, nothing below reads them.
    "reports": ("sites", "participants", "referrals", *GROUND),
    # The ground floor (the lock every writer asks among it) stands on nothing of the project.
    "sites": GROUND,
    "participants": GROUND,
    "referrals": GROUND,
    "exchange": GROUND,
    "offline": GROUND,
    "privacy": GROUND,
}


def _app_imports(path, package=None):
    """The project's apps that the module at `path` imports, anywhere in it."""
    package = package or path.parent.relative_to(ROOT).as_posix().replace("/", ".")
    return {name.split(".")[0] for name in _imported_modules(path, package) if name}


def _reaching_up():
    offenders = []
    for upper, lower_apps in NEVER_IMPORTED_BY.items():
        for app in lower_apps:
            for path in sorted((ROOT / app).rglob("*.py")):
                if "migrations" in path.parts:
                    continue
                if upper in _app_imports(path):
                    offenders.append(f"{path.relative_to(ROOT).as_posix()} imports {upper}")
    return offenders


def test_no_floor_imports_a_floor_above_it():
    assert _reaching_up() == []


def test_nothing_below_reports_imports_it():
    # The rule, named on its own: the case apps and the ground floor only write and
    # ask the lock (periods.lock); the figures read them.
    for app in ("sites", "participants", "referrals", "periods"):
        assert app in NEVER_IMPORTED_BY["reports"]
    assert not [line for line in _reaching_up() if line.endswith(" imports reports")]


def test_the_graph_check_sees_every_kind_of_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import reports.cycle\n"
        "def later():\n"
        "    from reports import indicators\n"
        "    class Inner:\n"
        "        def deeper(self):\n"
        "            from ..sites import models\n"
        "            import exchange.spec as spec\n",
        encoding="utf-8",
    )
    assert _app_imports(probe, package="participants.sub") == {
        "reports",
        "participants",
        "exchange",
    }
    only_local = tmp_path / "local.py"
    only_local.write_text("def f():\n    from reports.models import Release\n", "utf-8")
    assert _app_imports(only_local, package="sites") == {"reports"}


def _installed_apps(**environment):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DEV_TOOLS", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(SECRET_KEY="x" * 50, UIC_SECRET="check", OFFLINE_PRIVATE_KEY="unused-here")
    env.update(environment)
    code = "import config.settings as s; print(' '.join(s.INSTALLED_APPS))"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_tooling_is_not_installed_in_production():
    assert "tooling" not in _installed_apps(DEBUG="false")
    assert "tooling" in _installed_apps(DEBUG="true")
    assert "tooling" in _installed_apps(DEBUG="false", DEV_TOOLS="true")
    assert "tooling" in settings.INSTALLED_APPS  # the test settings run the demo and bench tests


def test_django_import_export_is_gone():
    assert "import_export" not in settings.INSTALLED_APPS
    assert "django-import-export" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


# The period state is written by periods.services alone; reports reads and computes, and writes
# only its own releases. A write is one of these methods called on an expression that names a
# submission (the models, their managers, a `submission` variable, its `events`).
WRITES = {"save", "create", "update", "delete", "bulk_create", "bulk_update"}
WRITES |= {"get_or_create", "update_or_create"}


def _submission_writes(path):
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = ast.unparse(node.func.value)
        names_a_submission = "submission" in receiver.lower() or receiver.endswith("events")
        if node.func.attr in WRITES and names_a_submission:
            found.append(f"{node.lineno}: {receiver}.{node.func.attr}(")
    return found


def test_reports_write_no_submission():
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for path in sorted((ROOT / "reports").rglob("*.py"))
        if "migrations" not in path.parts
        for line in _submission_writes(path)
    ]
    assert offenders == []


def test_the_write_check_sees_a_submission_write(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f(submission, release):\n"
        "    release.save()\n"
        "    Release.objects.create(period=None)\n"
        "    submission.save()\n"
        "    SubmissionEvent.objects.create(action='submit')\n"
        "    Submission.objects.filter(pk=1).update(status='approved')\n"
        "    submission.events.all().delete()\n",
        encoding="utf-8",
    )
    assert _submission_writes(probe) == [
        "4: submission.save(",
        "5: SubmissionEvent.objects.create(",
        "6: Submission.objects.filter(pk=1).update(",
        "7: submission.events.all().delete(",
    ]
    assert _submission_writes(ROOT / "periods" / "services.py") != []


def _forms_writing_the_log():
    return [
        path.relative_to(ROOT).as_posix()
        for app in APPS
        for path in sorted((ROOT / app).rglob("*forms.py"))
        if re.search(r"record_(lookup|activity)\(|ActivityEvent", path.read_text("utf-8"))
    ]


def test_forms_note_look_ups_and_their_callers_log_them():
    # A form does not write, not even the activity log: it notes the look-up it made
    # (`lookups`, `looked_up`) and the page or the phones' queue logs it (record_lookups).
    assert _forms_writing_the_log() == []
