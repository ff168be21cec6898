"""Where modules may reach: domain modules take their helpers from plain modules, never from a
forms module; the developer tooling is not installed by the production settings."""

import ast
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = (
    "accounts",
    "programs",
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
    module = ROOT / "reports" / "periods.py"
    assert _imports_a_forms_module(module) == []
    source = "from .forms import quarter_range\nfrom participants import forms\n"
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    found = _imports_a_forms_module(probe, package="reports")
    assert found == ["participants.forms", "reports.forms"]


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
