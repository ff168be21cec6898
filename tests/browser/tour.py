"""What every page of a journey is checked for, in the language the journey runs in:

- `<html lang>` is the journey's language;
- in Vietnamese, no English interface words; in English, no Vietnamese text left untranslated
  (Vietnamese letters outside the data the test created, such as province and group names);
- axe-core finds no serious or critical accessibility violation;
- a full-page screenshot at phone and at desktop width (test-artifacts/screenshots/).

A journey runs once per language (`LANGUAGES`); `Tour.t("Lưu", "Save")` picks the label the user
reads in the journey's language.
"""

import re

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    screenshot,
    serious_accessibility_violations,
)

LANGUAGES = ["vi", "en"]

# Problems found on pages owned by other parts, reported with their exact fix; a journey whose
# only page problems are these is an expected failure (pattern -> reason).
# Letters only Vietnamese uses (lower case; the text is lowered before the search).
VIETNAMESE_LETTERS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]"
)
# English interface words that must not show on a Vietnamese page (Django's, crispy's or a
# template's own string left untranslated).
ENGLISH_WORDS = re.compile(
    r"\b(Save|Submit|Search|Cancel|Next|Previous|Username|Password|Log ?out|Sign in|Delete|"
    r"Edit|Status|Filter|Export|Import|Download|Upload|Required|This field|Currently|Clear|"
    r"Page|Total|Date|Contact|Referral|Participant|Dashboard|Report|Back|Enter a valid)\b"
)
# Text a Vietnamese page may show in English: the language switch's own label.
ENGLISH_ALLOWED = ("English",)
# Text an English page may show in Vietnamese: the language switch's own label.
VIETNAMESE_ALLOWED = ("Tiếng Việt",)
# Vietnamese given names the English help texts give as examples.
EXAMPLE_NAMES = ("Hùng",)


def _visible_text(page):
    """The page's visible text, plus the accessible names a sighted user does not read but a
    screen reader does (aria-label, alt, title), and the document title."""
    return page.evaluate(
        """() => {
            const parts = [document.title, document.body.innerText];
            for (const el of document.querySelectorAll('[aria-label], img[alt], [title]')) {
                for (const name of ['aria-label', 'alt', 'title']) {
                    const value = el.getAttribute(name);
                    if (value) parts.push(value);
                }
            }
            return parts.join('\\n');
        }"""
    )


def _without(text, allowed):
    for value in sorted(allowed, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    return text


class Tour:
    """The pages one journey visits, checked one by one."""

    def __init__(self, page, language, *, data_words=()):
        self.page = page
        self.language = language
        self.data_words = tuple(data_words)
        self.visited = []
        self.problems = []
        # The live server answers in milliseconds: a missing label should fail fast.
        page.set_default_timeout(5_000)

    def t(self, vietnamese, english):
        return vietnamese if self.language == "vi" else english

    def field(self, vietnamese, english):
        """The form control labelled so (crispy forms add "*" to a required field's label)."""
        label = self.t(vietnamese, english)
        return self.page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))

    def switch_language(self):
        """Choose the journey's language with the switch in the header (behind the menu button
        on a phone once signed in). Vietnamese is the default: nothing to do."""
        if self.language == "vi":
            return
        page = self.page
        toggler = page.locator(".navbar-toggler")
        if toggler.count() and toggler.is_visible():
            toggler.click()
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
        assert page.locator("html").get_attribute("lang") == "en"

    def untranslated(self):
        """Lines of the current page in the wrong language (empty when all is well)."""
        text = _visible_text(self.page)
        if self.language == "vi":
            text = _without(text, ENGLISH_ALLOWED + self.data_words)
            return sorted(
                {line.strip() for line in text.splitlines() if ENGLISH_WORDS.search(line)}
            )
        text = _without(text, VIETNAMESE_ALLOWED + EXAMPLE_NAMES + self.data_words)
        return sorted(
            {line.strip() for line in text.splitlines() if VIETNAMESE_LETTERS.search(line.lower())}
        )

    def check(self, name):
        """Check the page the journey is on now and take its screenshots. Problems are gathered
        (the journey goes on, so one run lists them all) and asserted by `assert_clean()`."""
        page = self.page
        page.wait_for_load_state()
        self.visited.append((name, page.url))
        before = len(self.problems)
        where = f"{name} [{self.language}] {page.url}"
        lang = page.locator("html").get_attribute("lang")
        if lang != self.language:
            self.problems.append(f"{where}: <html lang={lang!r}>, expected {self.language!r}")
        wrong = self.untranslated()
        if wrong:
            what = "English words on a Vietnamese page" if self.language == "vi" else "untranslated"
            self.problems.append(f"{where}: {what}: {wrong}")
        for violation in serious_accessibility_violations(page):
            self.problems.append(f"{where}: accessibility: {violation}")
        for problem in self.problems[before:]:
            print(problem)  # shown with the failure even when a later step stops the journey
        self.screenshots(name)

    def assert_clean(self):
        """Every page checked was right: language, translation, accessibility."""
        assert self.problems == [], f"{len(self.problems)} page problem(s):\n" + "\n".join(
            self.problems
        )

    def screenshots(self, name):
        page = self.page
        original = page.viewport_size
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            screenshot(page, f"{name}-{self.language}")
        page.set_viewport_size(original)
