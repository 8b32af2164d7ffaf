import os

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests import factories

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls
# made by live_server fixtures from that thread are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in the default language: a request through the test client
    leaves the language it spoke active in the test's thread."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ROSTRA_QUARANTINE_ROOT = str(tmp_path / "quarantine")
    settings.ROSTRA_EXPORT_DIR = str(tmp_path / "exports")
    settings.ROSTRA_DOMAIN = "localhost:8000"
    # Argon2 is deliberately slow; tests register many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests never reach the internet: no t.co look-ups (tests/portability/
    # test_short_links.py points the expander at a loopback server instead).
    from rostra.portability import short_links

    monkeypatch.setattr(short_links, "SHORTENER_HOSTS", frozenset())
    # Rate-limit counters live in the (per-process) cache: each test starts at zero.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_user(db):
    return factories.make_user


@pytest.fixture
def make_account(db):
    return factories.make_account


@pytest.fixture
def moderated(db):
    """``factories.moderated_servers``: three of an admin's domain blocks."""
    factories.moderated_servers()


@pytest.fixture
def make_post(db):
    return factories.make_post


@pytest.fixture
def alice(db):
    return factories.make_account("alice")


@pytest.fixture
def bob(db):
    return factories.make_account("bob")


@pytest.fixture
def carol(db):
    return factories.make_account("carol")
