"""The project's documents live in the project: every `.md` file named in the code or the
documents exists in the repository, the paths docs/ names exist, and docs/indicators.md defines
every code of the indicator engine (and nothing else)."""

import re
from pathlib import Path

from django.conf import settings

from reports.indicators import BREAKDOWNS, CODES

ROOT = Path(settings.BASE_DIR)
DOCS = ROOT / "docs"
# Not the project's own text: third-party code, environments, build output.
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    "staticfiles",
    "test-artifacts",
    "bench-results",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "vendor",
}
TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".po", ".toml", ".cfg", ".sh", ".js", ".css", ""}
MD_REFERENCE = re.compile(r"(?<![\w./-])((?:\.\./|[\w-]+/)*[\w-]+\.md)\b")
# `exchange/spec.py`, `sites/data/`: folders, or a file with its extension.
BACKTICKED_PATH = re.compile(r"`((?:[a-z_]+/)+(?:[\w-]+\.[a-z]+)?)`")
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def project_files():
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in relative.parts):
            continue
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        if path.suffix == "" and path.name not in {"Makefile", "run"}:
            continue
        yield path


def resolves(reference, source):
    """A reference resolves from the repository's root, from the referring file's folder, or
    names a page of docs/ (the pages, and the code that writes one, link them by file name)."""
    return any((base / reference).resolve().is_file() for base in (ROOT, source.parent, DOCS))


def test_every_md_reference_resolves_inside_the_repository():
    missing = []
    for path in project_files():
        if path == Path(__file__):
            continue  # this file names a missing document on purpose, below
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for reference in MD_REFERENCE.findall(line):
                if not resolves(reference, path):
                    missing.append(f"{path.relative_to(ROOT)}:{number}: {reference}")
    assert not missing, "references to documents that are not in the repository:\n" + "\n".join(
        missing
    )


def test_the_reference_check_catches_a_document_that_is_not_here(tmp_path):
    # The check above must see a dangling name: the design card's old file name is one.
    source = ROOT / "config" / "settings.py"
    assert MD_REFERENCE.findall("(INDICATORS.md: small-cell suppression)") == ["INDICATORS.md"]
    assert not resolves("INDICATORS.md", source)
    assert resolves("docs/indicators.md", source)
    assert not resolves("docs/INDICATORS.md", source)
    assert resolves("../reports/DISCLOSURE.md", DOCS / "disclosure.md")


def test_paths_and_links_in_docs_exist():
    missing = []
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for path in BACKTICKED_PATH.findall(text):
            if not (ROOT / path.rstrip("/")).exists():
                missing.append(f"{page.name}: `{path}`")
        for link in MARKDOWN_LINK.findall(text):
            if "://" not in link and not (page.parent / link).resolve().exists():
                missing.append(f"{page.name}: ({link})")
    assert not missing, "docs/ names paths that do not exist:\n" + "\n".join(missing)


def _section(text, heading):
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_every_engine_code_has_its_definition():
    text = (DOCS / "indicators.md").read_text(encoding="utf-8")
    defined = re.findall(r"^\| `([a-z_]+)` \|", _section(text, "The codes"), flags=re.MULTILINE)
    assert len(defined) == len(set(defined)), "a code is defined twice"
    assert set(CODES) - set(defined) == set(), "engine codes without a definition"
    assert set(defined) - set(CODES) == set(), "definitions of codes the engine does not have"
    # The order is the engine's, as the exports print it.
    assert defined == list(CODES)
    # Hand-written: the programme's referral indicator and its target are on the page.
    assert "| `referred_pct` | percentage | `referred` / `reached_with_need`" in text


def test_every_breakdown_is_described():
    text = (DOCS / "indicators.md").read_text(encoding="utf-8")
    section = _section(text, "Breakdowns of `reached`")
    assert [name for name in BREAKDOWNS if f"`{name}`" not in section] == []
