"""No function or method of the project's code is longer than 80 lines (docs/architecture.md):
a longer one is split into named steps. Outside the rule: `tooling/` (developer tooling), the
migrations (generated) and the tests themselves."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MAX_LINES = 80
OUTSIDE = {"tooling", "tests", "mutants", "node_modules", "static", "templates", "locale"}


def _project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in OUTSIDE or parts[0].startswith(".") or "migrations" in parts:
            continue
        yield path


def _long_functions(path, limit=MAX_LINES):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.name, node.lineno, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > limit
    ]


def test_no_function_is_longer_than_80_lines():
    offenders = [
        f"{path.relative_to(ROOT).as_posix()}:{line} {name} ({length} lines)"
        for path in _project_modules()
        for name, line, length in _long_functions(path)
    ]
    assert offenders == []


def test_the_walk_sees_the_apps_and_measures_methods(tmp_path):
    walked = {path.relative_to(ROOT).as_posix() for path in _project_modules()}
    assert {"participants/loaders.py", "exchange/services.py", "config/settings.py"} <= walked
    assert not [name for name in walked if name.startswith(("tooling/", "tests/"))]
    assert not [name for name in walked if "/migrations/" in name]
    probe = tmp_path / "probe.py"
    body = "".join(f"        x{i} = {i}\n" for i in range(79))
    probe.write_text(f"class A:\n    def long(self):\n{body}\n    def short(self):\n        pass\n")
    # def line + 79 lines = 80 lines: on the limit, allowed; one more is not.
    assert _long_functions(probe) == []
    probe.write_text(f"class A:\n    def long(self):\n{body}        y = 0\n")
    assert _long_functions(probe) == [("long", 2, 81)]
