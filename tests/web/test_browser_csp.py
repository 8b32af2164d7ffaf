"""In a real Chromium, the Content Security Policy blocks nothing the UI itself
needs: no page logs a refused script, style, image or form, and the scripts still
work (the compose counter counts). Uses the system Chromium; skipped without it."""

from __future__ import annotations

import pytest

from rostra.accounts import services as accounts
from tests import chromium, factories

pytestmark = [*chromium.MARKS, pytest.mark.django_db(transaction=True)]

PAGES = ("/home", "/local", "/compose", "/search?q=hello", "/notifications", "/@boss",
         "/@poster", "/settings/feeds", "/about/feeds", "/about/feeds/audit", "/notices/new",
         "/protect", "/moderation", "/moderation/trends", "/moderation/integrity",
         "/moderation/integrity/sharing", "/moderation/labels", "/moderation/researchers",
         "/moderation/hashlists", "/research", "/settings/export", "/settings/migration")


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as launched:
        yield launched


def test_no_page_breaks_its_own_content_security_policy(browser, live_server):
    admin = factories.make_user("boss", admin=True).account
    poster = factories.make_account("poster")
    accounts.follow(admin, poster)
    factories.make_post(poster, "hello #world, a poll and a link https://example.org")
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)

    page.goto(f"{live_server.url}/auth/login")
    page.get_by_label("Username or e-mail address").fill("boss")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/home")
    for path in PAGES:
        answer = page.goto(f"{live_server.url}{path}")
        assert answer.status < 400, (path, answer.status)
        assert answer.headers.get("content-security-policy"), path
    page.goto(f"{live_server.url}/compose")
    page.locator("textarea[name=text]").fill("twelve chars")
    counter = page.locator("#compose-limit .char-count")
    assert counter.inner_text() == f"{500 - len('twelve chars')} left"  # rostra.js ran
    assert refused == []
