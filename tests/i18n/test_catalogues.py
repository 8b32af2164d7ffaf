"""The translations: complete for the languages the issue names, faithful to every
placeholder and tag of their English source, and compiled from their sources."""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(__file__).resolve().parents[2] / "rostra" / "locale"
COMPLETE = ("de", "fr", "es", "it", "pl", "nl", "pt", "ro", "sv", "cs", "el", "hu")
PRESENT = sorted(p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
TAG = re.compile(r"</?[a-z][a-z0-9]*(?=[\s>/])")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def _translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    if entry.msgid_plural:
        return [(entry.msgid_plural, text) for _, text in sorted(entry.msgstr_plural.items())]
    return [(entry.msgid, entry.msgstr)]


def test_every_official_language_of_the_eu_can_be_chosen():
    assert {code for code, _ in settings.LANGUAGES} >= set(COMPLETE)
    assert len(settings.LANGUAGES) == 24


@pytest.mark.parametrize("language", COMPLETE)
def test_catalogue_is_complete(language):
    catalogue = _catalogue(language)
    missing = [e.msgid for e in catalogue if not e.obsolete and (
        not e.translated() or "fuzzy" in e.flags)]
    assert len(catalogue) > 500
    assert missing == []


def _faithful(source: str, text: str, plural_form: bool) -> bool:
    """Same placeholders (a plural form may leave out the number it stands for, as
    "One post" does) and the same tags as the English."""
    wanted, found = Counter(PLACEHOLDER.findall(source)), Counter(PLACEHOLDER.findall(text))
    if plural_form:
        placeholders_ok = not (found - wanted) and len(wanted - found) <= 1
    else:
        placeholders_ok = found == wanted
    return placeholders_ok and Counter(TAG.findall(source)) == Counter(TAG.findall(text))


@pytest.mark.parametrize("language", PRESENT)
def test_translations_keep_placeholders_and_tags(language):
    wrong = [(source, text) for entry in _catalogue(language).translated_entries()
             for source, text in _translations(entry)
             if text and not _faithful(source, text, bool(entry.msgid_plural))]
    assert wrong == []


@pytest.mark.parametrize("language", PRESENT)
def test_compiled_catalogue_matches_its_source(language):
    source = {(e.msgctxt, e.msgid): _translations(e)
              for e in _catalogue(language).translated_entries()}
    compiled = {(e.msgctxt, e.msgid): _translations(e)
                for e in polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
                if e.msgid}
    assert compiled == source


@pytest.mark.django_db
@pytest.mark.parametrize("language", COMPLETE)
def test_the_log_in_page_reads_in_the_browsers_language(client, language):
    """The compiled catalogue is the one the server reads: the page shows its words."""
    wanted = _catalogue(language).find("Forgot your password?").msgstr
    page = client.get(reverse("web:login"), HTTP_ACCEPT_LANGUAGE=language)
    assert page["Content-Language"] == language
    assert wanted and wanted != "Forgot your password?"
    assert wanted in html.unescape(page.content.decode())
