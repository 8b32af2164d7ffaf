"""A signed-in user's interface language: chosen on the preferences page, it wins over
the browser's Accept-Language; "Same as my browser" gives the choice back to it.

The form is filled as a browser would: the page is fetched, its fields (with the CSRF
token, checked here) are read from the HTML, one is changed and the whole form is sent.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from rostra.accounts.models import User

PREFERENCES = "web:settings_account"


class _FormFields(HTMLParser):
    """The values a browser would send for the preferences form, and the offered languages."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self.languages: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            else:
                self.data[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select:
            if self._select == "locale":
                self.languages.append(a.get("value") or "")
            if "selected" in a:
                self.data[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _form(client: Client) -> _FormFields:
    response = client.get(reverse(PREFERENCES))
    assert response.status_code == 200
    fields = _FormFields()
    fields.feed(response.content.decode())
    return fields


def _choose(client: Client, code: str, **headers):
    form = _form(client)
    data = dict(form.data, locale=code)
    return client.post(reverse(PREFERENCES), data, **headers)


@pytest.fixture
def alice(make_user):
    user = make_user("alice")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.user = user
    return browser


@pytest.mark.django_db
def test_preferences_offer_the_browser_language_and_every_supported_one(alice, settings):
    form = _form(alice)
    assert form.languages == [""] + [code for code, _name in settings.LANGUAGES]
    assert form.data["locale"] == ""


@pytest.mark.django_db
def test_chosen_language_wins_over_the_browser(alice):
    response = _choose(alice, "fr")
    assert response.status_code == 302
    assert User.objects.get(pk=alice.user.pk).locale == "fr"

    page = alice.get(reverse("web:settings_profile"), HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200
    assert page["Content-Language"] == "fr"
    assert '<html lang="fr"' in page.content.decode()
    # the page shows the saved choice, so saving again keeps it
    assert _form(alice).data["locale"] == "fr"


@pytest.mark.django_db
def test_same_as_my_browser_gives_the_choice_back_to_the_browser(alice):
    _choose(alice, "fr")
    response = _choose(alice, "")
    assert response.status_code == 302
    assert User.objects.get(pk=alice.user.pk).locale == ""

    page = alice.get(reverse("web:settings_profile"), HTTP_ACCEPT_LANGUAGE="de")
    assert page["Content-Language"] == "de"


@pytest.mark.django_db
def test_unknown_language_is_refused_and_nothing_is_saved(alice):
    _choose(alice, "it")
    form = _form(alice)
    data = dict(form.data, locale="tlh", default_visibility="unlisted")
    response = alice.post(reverse(PREFERENCES), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_locale_error"' in html
    assert 'aria-invalid="true"' in html
    user = User.objects.get(pk=alice.user.pk)
    assert user.locale == "it"
    assert user.default_visibility == "public"  # the rest of the form is not saved either


@pytest.mark.django_db
def test_without_a_choice_the_browser_language_is_spoken(alice):
    page = alice.get(reverse("web:settings_account"), HTTP_ACCEPT_LANGUAGE="de")
    assert page["Content-Language"] == "de"
    assert '<html lang="de"' in page.content.decode()
