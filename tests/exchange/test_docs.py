"""docs/exchange.md is generated from exchange/spec.py and must not drift from it."""

import re

import pytest
from django.core.management import CommandError, call_command

from exchange import docs
from exchange.docs import DOC_PATH, exchange_markdown

# The load order, written by hand from the format's description.
LOAD_ORDER = [
    "sites.csv",
    "peer_groups.csv",
    "establishments.csv",
    "providers.csv",
    "participants.csv",
    "contacts.csv",
    "referrals.csv",
    "supports.csv",
    "rights_assessments.csv",
    "establishment_assessments.csv",
    "costs.csv",
    "trainings.csv",
]


def test_the_committed_page_is_what_the_spec_generates():
    assert DOC_PATH.read_text(encoding="utf-8") == exchange_markdown(), (
        "docs/exchange.md differs from exchange/spec.py: run `python manage.py exchange_docs` "
        "and commit the result."
    )


def test_the_page_lists_every_file_in_load_order_with_its_key():
    text = DOC_PATH.read_text(encoding="utf-8")
    headings = re.findall(r"^### \d+\. `([a-z_]+\.csv)`", text, flags=re.MULTILINE)
    assert headings == LOAD_ORDER
    assert "Key: (`uic`, `date`, `site`, `kind`)." in text
    assert "| `consent` | yes / no | required |" in text
    assert "| `end_date` | date | optional |" in text
    assert "| `loan` | Vay vốn | Loan |" in text


def test_the_check_option_refuses_a_stale_page(tmp_path, monkeypatch):
    stale = tmp_path / "exchange.md"
    stale.write_text("# The exchange format\n\nout of date\n", encoding="utf-8")
    monkeypatch.setattr("exchange.management.commands.exchange_docs.DOC_PATH", stale)
    with pytest.raises(CommandError, match="out of date"):
        call_command("exchange_docs", "--check")
    call_command("exchange_docs")
    assert stale.read_text(encoding="utf-8") == docs.exchange_markdown()
    call_command("exchange_docs", "--check")
