"""The translation catalogs are complete and hold every marked string; no visible text in
the translated templates is left unmarked (see docs/translations.rst)."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.config import FIXED_SETTINGS
from app.i18n.catalog import script_messages

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
TRANSLATED = [code for code in FIXED_SETTINGS["LANGUAGES"] if code != "en"]
#: The extraction keywords besides Babel's defaults; the Makefile's translations target
#: passes the same (a test below holds it to them).
KEYWORDS = ("_l", "lazy_gettext", "t")
#: Every template, pages and mail: every visible word is marked.
TEMPLATES = ROOT / "app" / "templates"
COVERED = sorted(path for path in TEMPLATES.rglob("*") if path.suffix in (".html", ".txt"))
#: Words that are the same in every language: the name, units, symbols; and the markup
#: that security/_macros.html writes as text (an id attribute, a query string).
NOT_WORDS = {"Encore", "kb/s", "Hz", 'id="', "?next="}
#: Attributes a person reads or hears.
VISIBLE_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-confirm", "data-label"}


def catalog(code: str):
    with (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=code)


def extract(target: Path) -> None:
    keywords = [argument for keyword in KEYWORDS for argument in ("-k", keyword)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            *keywords,
            "-o",
            str(target),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated(code):
    untranslated = [
        message.id
        for message in catalog(code)
        if message.id
        and (message.fuzzy or not (all(message.string) if message.pluralizable else message.string))
    ]

    assert untranslated == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders(code):
    problems = [
        (message.id, [str(error) for error in errors]) for message, errors in catalog(code).check()
    ]

    assert problems == []


def test_the_catalogs_hold_every_marked_string(tmp_path):
    template = tmp_path / "messages.pot"
    extract(template)
    with template.open("rb") as source:
        marked = {message.id for message in read_po(source) if message.id}

    for code in TRANSLATED:
        known = {message.id for message in catalog(code) if message.id}
        assert sorted(map(str, marked - known)) == [], f"run make translations ({code})"


@pytest.mark.parametrize("code", TRANSLATED)
def test_our_overrides_of_flask_security_messages_are_in_our_catalogs(code):
    """Flask-Security's catalogs do not hold them: app/i18n/security.py finds them in ours."""
    overrides = [
        value[0] for name, value in FIXED_SETTINGS.items() if name.startswith("SECURITY_MSG_")
    ]
    translated = {message.id for message in catalog(code) if message.id and message.string}

    assert overrides
    assert [text for text in overrides if text not in translated] == []


def test_the_makefile_extracts_with_the_same_keywords():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\ntranslations:") :]

    for keyword in KEYWORDS:
        assert f"-k {keyword} " in recipe


def test_the_scripts_strings_are_found():
    assert "Open song" in script_messages()
    assert "Uploads finished: {counts}." in script_messages()


class VisibleText(HTMLParser):
    """Words in text nodes and readable attributes, outside scripts and styles."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self._collect(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self._collect(data)

    def _collect(self, text: str) -> None:
        for token in text.split():
            if token not in NOT_WORDS and re.search(r"[A-Za-z]{2,}", token):
                self.words.append(token)


def unmarked_words(source: str) -> list[str]:
    """Words left once comments, translated blocks and every Jinja expression and
    statement are taken out: what the template shows untranslated."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", " ", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", source, flags=re.S)
    parser = VisibleText()
    parser.feed(source)
    return parser.words


def test_every_template_is_covered():
    assert TEMPLATES / "security" / "login_user.html" in COVERED
    assert TEMPLATES / "admin" / "users.html" in COVERED
    assert TEMPLATES / "security" / "email" / "email_changed_notice.txt" in COVERED


def test_the_heuristic_sees_an_unmarked_word():
    assert unmarked_words('<p title="Hello">{{ _("Hi") }} there</p>') == ["Hello", "there"]
    assert unmarked_words("<p>{% trans %}All fine{% endtrans %} {{ x }}</p>") == []


@pytest.mark.parametrize("template", COVERED, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_no_visible_text_is_left_unmarked(template):
    assert unmarked_words(template.read_text()) == []
