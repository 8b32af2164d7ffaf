"""A post whose author does not give its language gets one guessed from its words."""

from __future__ import annotations

import pytest

from rostra.posts import services
from rostra.posts.language import detect
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "code"), [
    ("Der Stadtrat hat heute die neue Radwegeplanung beschlossen.", "de"),
    ("Le conseil municipal a voté le budget ce soir.", "fr"),
    ("Dziś rada miasta przyjęła budżet na przyszły rok.", "pl"),
    ("Η δημοτική επιτροπή συνεδριάζει σήμερα το απόγευμα.", "el"),
    ("שלום לכולם, זו רשת חברתית אירופית חדשה", "he"),
    ("مرحبا بكم في روسترا، الشبكة الاجتماعية الأوروبية", "ar"),
])
def test_a_sentence_is_recognised(text, code):
    assert detect(text) == code


@pytest.mark.parametrize("text", ["hello", "ok lol 😂", "",
                                  "@alice@example.org https://example.com/a/long/path #FOSDEM"])
def test_too_little_to_tell_stays_unknown(text):
    assert detect(text) == ""


def test_a_post_without_a_language_gets_the_guess_and_a_stated_one_is_kept():
    author = make_account("ines")
    swedish = "Kommunfullmäktige beslutade idag om budgeten för nästa år."
    guessed = services.create_post(author, swedish)
    stated = services.create_post(author, swedish, language="da")
    short = services.create_post(author, "ok 👍")
    guessed.refresh_from_db()
    stated.refresh_from_db()
    short.refresh_from_db()
    assert (guessed.language, stated.language, short.language) == ("sv", "da", "")
