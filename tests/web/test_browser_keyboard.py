"""The web UI with the keyboard alone, in a real Chromium: a "skip to content" link
comes first, every control reached shows a visible focus ring, and a person signs
in, writes a post with a content warning, is asked for a missing image
description, likes and boosts a post, opens a thread and reaches the main
navigation, pressing only Tab, Shift+Tab, Enter and Space.

Uses the system Chromium; skipped without it."""

from __future__ import annotations

import pytest

from rostra.accounts import services as accounts
from rostra.posts.models import Post
from tests import chromium, factories

pytestmark = [*chromium.MARKS, pytest.mark.django_db(transaction=True)]

# What a keyboard user sees on the focused element: an outline or a ring (box-shadow).
FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || !el.matches(':focus-visible')) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  return outline || s.boxShadow !== 'none';
}"""
DESCRIBE = """() => {
  const el = document.activeElement;
  if (!el) return '';
  const label = (el.getAttribute('aria-label') || el.textContent || '').trim();
  return el.outerHTML.split('>')[0].slice(0, 100) + '> ' + label.slice(0, 40);
}"""


@pytest.fixture(scope="module")
def browser():
    with chromium.launch() as launched:
        yield launched


class Keyboard:
    """Tab through a page like a person would, checking the focus ring on the way."""

    def __init__(self, page):
        self.page = page
        self.without_ring: list[str] = []

    def _check_ring(self) -> None:
        if self.page.evaluate(FOCUS_RING) is False:
            self.without_ring.append(f"{self.page.url}: {self.page.evaluate(DESCRIBE)}")

    def tab_to(self, selector: str, *, text: str = "", backwards: bool = False,
               limit: int = 80) -> None:
        """Press Tab (or Shift+Tab) until the focused element matches ``selector``
        (and holds ``text``)."""
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            self.page.keyboard.press(key)
            self._check_ring()
            if self.page.evaluate("([s, t]) => document.activeElement.matches(s) && "
                                  "document.activeElement.textContent.includes(t)",
                                  [selector, text]):
                return
        raise AssertionError(f"{selector} never got the focus on {self.page.url}")

    def focused(self) -> str:
        return self.page.evaluate(DESCRIBE)


def test_skip_link_is_first_and_focus_is_always_visible(browser, live_server):
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    factories.make_post(factories.make_account("poster"), "A post to tab past")
    page.goto(f"{live_server.url}/local")
    page.keyboard.press("Tab")
    first = page.evaluate("() => [document.activeElement.getAttribute('href'), "
                          "document.activeElement.textContent.trim()]")
    assert first == ["#main", "Skip to content"]
    box = page.evaluate("() => document.activeElement.getBoundingClientRect().toJSON()")
    assert box["top"] >= 0 and box["height"] > 0  # shown on screen while focused
    assert page.evaluate(FOCUS_RING) is True
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside the content, past the header
    assert page.evaluate("() => document.querySelector('main').contains("
                         "document.activeElement)")
    page.context.close()


def test_sign_in_post_like_boost_and_open_a_thread_with_the_keyboard(browser, live_server,
                                                                     tmp_path):
    from playwright.sync_api import expect

    base = live_server.url
    reader = factories.make_account("reader")
    poster = factories.make_account("poster")
    accounts.follow(reader, poster)
    theirs = factories.make_post(poster, "Market day on the square")
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    keys = Keyboard(page)

    # Sign in.
    page.goto(f"{base}/auth/login")
    keys.tab_to("input[name=login]")
    page.keyboard.type("reader")
    keys.tab_to("input[name=password]")
    page.keyboard.type(factories.PASSWORD)
    keys.tab_to("main form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/home")

    # Write a post with a content warning (the section opens with Space).
    keys.tab_to("textarea[name=text]")
    page.keyboard.type("The river is high today")
    keys.tab_to("summary", text="Content warning")
    page.keyboard.press("Space")
    keys.tab_to("input[name=spoiler_text]")
    page.keyboard.type("Flooding")
    keys.tab_to("form[data-compose] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    mine = Post.objects.get(account=reader)
    assert (mine.text, mine.spoiler_text) == ("The river is high today", "Flooding")
    # The content warning opens from the keyboard, and its toggle then says "Hide".
    keys.tab_to(f"#post-{mine.pk} summary", text="Flooding")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The river is high today")).to_be_visible()
    expect(page.locator(f"#post-{mine.pk} .cw-hide")).to_have_text("Hide content")
    expect(page.locator(f"#post-{mine.pk} .cw-show")).to_be_hidden()

    # An image without a description: the form asks for one, the keyboard answers.
    image = tmp_path / "river.png"
    image.write_bytes(factories.image_bytes(size=(80, 60)))
    keys.tab_to("textarea[name=text]")
    page.keyboard.type("The bridge")
    keys.tab_to("summary", text="Images and videos")
    page.keyboard.press("Enter")
    page.locator("#id_media_1").set_input_files(str(image))  # the file chooser is the OS's
    keys.tab_to("form[data-compose] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#id_alt_1_nudge")).to_be_visible()
    assert Post.objects.filter(account=reader).count() == 1  # not sent yet
    keys.tab_to("#id_alt_1", backwards=True)
    page.keyboard.type("A stone bridge over brown water")
    keys.tab_to("form[data-compose] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your post is published.")).to_be_visible()
    bridge = Post.objects.filter(account=reader).latest("pk")
    assert bridge.media.get().description == "A stone bridge over brown water"

    # Like and boost the other person's post (buttons work with Enter and Space).
    page.goto(f"{base}/home")
    article = f"#post-{theirs.pk}"
    keys.tab_to(f"{article} button.action-like")
    page.keyboard.press("Enter")
    expect(page.locator(f"{article} button.action-like")).to_have_attribute(
        "aria-pressed", "true")
    keys.tab_to(f"{article} button.action-boost")  # from the post the page returned to
    page.keyboard.press("Space")
    expect(page.locator(f"#post-{theirs.pk} button.action-boost").first).to_have_attribute(
        "aria-pressed", "true")
    assert theirs.favourites.filter(account=reader).exists()
    assert Post.objects.filter(account=reader, reblog_of=theirs).exists()

    # Open the thread from the post's time link.
    keys.tab_to(f"a.post-time[href$='/{theirs.pk}']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/@poster/{theirs.pk}")

    # From the post's buttons, back up (Shift+Tab) to the main navigation and use it.
    keys.tab_to("main button.action-like")
    keys.tab_to("nav.main-nav a[href='/local']", backwards=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/local")

    assert keys.without_ring == [], "focused without a visible focus ring"
    page.context.close()
