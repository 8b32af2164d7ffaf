"""The statement of reasons opened through its e-mailed link speaks the affected
person's language, whatever browser opens it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from rostra.moderation import decisions, services
from rostra.moderation.models import Measure
from tests import factories

pytestmark = pytest.mark.django_db


def _decision(locale: str):
    owner = factories.make_user("marta")
    owner.locale = locale
    owner.save(update_fields=["locale"])
    case = services.report(factories.make_account("nora"), owner.account, category="spam",
                           comment="bot")
    return decisions.decide(case, Measure.SUSPEND, by=factories.make_user("mod1", admin=True),
                            ground="terms", terms_ground="Rule 1", explanation="Spam.",
                            facts="500 identical replies.")


def _open(decision, browser_language: str):
    link = urlsplit(decisions.statement_url(decision))
    return Client().get(f"{link.path}?{link.query}", HTTP_ACCEPT_LANGUAGE=browser_language)


def test_the_e_mailed_link_speaks_the_affected_persons_language():
    page = _open(_decision("de"), "fr")
    assert page.status_code == 200 and page["Content-Language"] == "de"
    assert '<html lang="de"' in page.content.decode()


def test_without_a_chosen_language_the_browser_decides():
    assert _open(_decision(""), "fr")["Content-Language"] == "fr"
