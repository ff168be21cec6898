"""Vietnamese is the source language; English comes from locale/en. Every string has its English
translation, and the compiled catalogue a fresh checkout uses is in step with the .po file."""

import gettext
from pathlib import Path

import polib
from django.conf import settings

EN = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def test_every_string_has_an_english_translation():
    catalogue = polib.pofile(str(EN / "django.po"))
    untranslated = [entry.msgid for entry in catalogue if not entry.translated()]
    assert untranslated == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_compiled_catalogue_matches_the_po_file():
    catalogue = polib.pofile(str(EN / "django.po"))
    with (EN / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    def compiled_text(entry):
        if entry.msgctxt:
            return compiled.pgettext(entry.msgctxt, entry.msgid)
        return compiled.gettext(entry.msgid)

    stale = [
        entry.msgid
        for entry in catalogue
        if not entry.msgid_plural and compiled_text(entry) != entry.msgstr
    ]
    assert stale == []
