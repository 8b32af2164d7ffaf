"""Right-to-left text and the page language.

What people write shows inside an element with ``dir="auto"``, so an Arabic or
Hebrew post reads right to left inside a left-to-right page (and the reverse);
the page itself says its language and direction on ``<html>``: the browser's
choice, unless a signed-in user chose their own.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.factories import make_account, make_post

ARABIC = "مرحبا بكم في روسترا"
HEBREW = "שלום לכולם מרוסטרה"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}


class _Directions(HTMLParser):
    """For each piece of body text containing ``needle``: whether an element around
    it (itself or an ancestor) carries ``dir="auto"``. The page ``<title>`` is left
    out: a browser shows it outside the page, where no markup applies."""

    def __init__(self, needle: str) -> None:
        super().__init__(convert_charrefs=True)
        self.needle = needle
        self.stack: list[tuple[str, bool]] = []
        self.found: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("dir") == "auto"))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.needle in data and not any(tag == "title" for tag, _ in self.stack):
            self.found.append(any(auto for _, auto in self.stack))


def shown_with_auto_direction(html: str, needle: str) -> list[bool]:
    parser = _Directions(needle)
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.fixture
def rtl_post(db):
    author = make_account("layla")
    return make_post(author, ARABIC)


def _page(client: Client, path: str, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_checker_tells_auto_direction_from_none():
    assert shown_with_auto_direction(f'<div dir="auto"><p>{ARABIC}</p></div>', ARABIC) == [True]
    assert shown_with_auto_direction(f'<div><img src="x"><p>{ARABIC}</p></div>', ARABIC) == [False]


def test_an_arabic_post_reads_in_its_own_direction_on_the_local_timeline(client, rtl_post):
    found = shown_with_auto_direction(_page(client, "/local"), ARABIC)
    assert found and all(found)


def test_an_arabic_post_reads_in_its_own_direction_on_its_thread(client, rtl_post):
    html = _page(client, f"/@{rtl_post.account.acct}/{rtl_post.pk}")
    found = shown_with_auto_direction(html, ARABIC)
    assert found and all(found)


def test_an_arabic_post_reads_in_its_own_direction_on_the_profile(client, rtl_post):
    found = shown_with_auto_direction(_page(client, f"/@{rtl_post.account.acct}"), ARABIC)
    assert found and all(found)


def test_a_hebrew_content_warning_and_display_name_read_in_their_own_direction(client, db):
    author = make_account("noa")
    author.display_name = HEBREW
    author.save(update_fields=["display_name"])
    post = make_post(author, "behind the warning", spoiler_text=HEBREW + " !")
    html = _page(client, f"/@{author.acct}/{post.pk}")
    warning = shown_with_auto_direction(html, HEBREW + " !")
    assert warning and all(warning)
    profile = _page(client, f"/@{author.acct}")
    names = shown_with_auto_direction(profile, HEBREW)
    assert names and all(names)


def test_the_page_speaks_the_browsers_language(client, db):
    response = client.get("/local", HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Language"] == "de"
    assert '<html lang="de" dir="ltr"' in response.content.decode()


def test_a_signed_in_users_own_language_wins_over_the_browsers(client, db):
    account = make_account("amelie")
    account.user.locale = "fr"
    account.user.save(update_fields=["locale"])
    client.force_login(account.user)
    response = client.get("/local", HTTP_ACCEPT_LANGUAGE="de")
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr"' in response.content.decode()


def test_a_right_to_left_interface_language_turns_the_page(client, db, settings):
    settings.LANGUAGES = [*settings.LANGUAGES, ("ar", "العربية")]
    html = _page(client, "/local", HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl"' in html
