"""A small, realistic world for the whole-UI browser tests (accessibility, CSP):
posts with an image and its alt text, a poll, a content warning, a thread, an
edited post, notifications, a moderation case and an integrity incident; and the
pages of the web UI each role sees, to visit them all in one browser."""

from __future__ import annotations

from datetime import timedelta

from rostra.accounts import services as accounts
from rostra.federation.models import DomainBlock
from rostra.moderation import services as moderation
from rostra.posts import media as media_service
from rostra.posts import services as posts
from rostra.timelines import followed_tags
from tests import factories

ALT = "A red square on a white wall"


def build() -> dict:
    """The world: ``admin`` (boss), ``reader`` (a signed-in user) and ``poster``;
    returns the objects the page lists point at."""
    from tests.integrity.stix_world import incident_world

    admin = factories.make_user("boss", admin=True).account
    reader = factories.make_account("reader")
    poster = factories.make_account("poster")
    accounts.follow(reader, poster)
    accounts.follow(admin, poster)
    accounts.follow(poster, reader)
    followed_tags.follow_tag(reader, "world")
    DomainBlock.objects.create(domain="spam.example", severity="suspend",
                               public_comment="Waves of spam")
    DomainBlock.objects.create(domain="loud.example", severity="silence")
    image = media_service.upload_media(poster, factories.image_bytes(size=(120, 90)),
                                       description=ALT)
    photo = factories.make_post(poster, "A picture from the #world", media=[image])
    poll = factories.make_post(poster, "Which day suits?", poll=posts.PollSpec(
        ["Monday", "Friday"], expires_in=timedelta(days=1)))
    factories.make_post(poster, "The full story of the flood", spoiler_text="Flooding")
    factories.make_post(poster, "hello, a link https://example.org")
    reply = factories.make_post(reader, "@poster lovely colour", in_reply_to=photo)
    factories.make_post(poster, "@reader thank you", in_reply_to=reply)
    edited = factories.make_post(reader, "First draft")
    posts.edit_post(reader, edited, "Second draft")
    posts.favourite(poster, edited)
    posts.reblog(reader, poll)
    posts.bookmark(reader, photo)
    case = moderation.report(reader, poster, posts=[photo], comment="Looks copied.")
    incident = incident_world()["incident"]
    return {"admin": admin, "reader": reader, "poster": poster, "photo": photo,
            "poll": poll, "edited": edited, "case": case, "incident": incident}


def pages(world: dict) -> dict[str, list[str]]:
    """Paths of the UI by role: ``anonymous``, ``reader`` (signed in), ``admin``."""
    photo, edited = world["photo"], world["edited"]
    return {
        "anonymous": [
            "/", "/auth/login", "/auth/signup", "/auth/password-reset", "/local",
            "/public", "/tags/world", "/@poster", f"/@poster/{photo.pk}",
            "/about/feeds", "/about/feeds/audit", "/notices/new", "/protect",
            "/search?q=hello", "/about/moderated-servers",
        ],
        "reader": [
            "/home", "/compose", f"/compose?in_reply_to={photo.pk}", "/notifications",
            "/bookmarks", "/favourites", f"/@poster/{world['poll'].pk}",
            f"/@reader/{edited.pk}/history", f"/posts/{edited.pk}/edit",
            f"/posts/{edited.pk}/delete", "/@poster/media", "/@reader/followers",
            "/settings/profile", "/settings/account", "/settings/password",
            "/settings/feeds", "/settings/export", "/settings/migration",
            "/settings/import", "/research", "/tags/world", "/settings/followed-tags",
        ],
        "admin": [
            "/moderation", f"/moderation/cases/{world['case'].pk}", "/moderation/audit",
            "/moderation/appeals", "/moderation/trends", "/moderation/integrity",
            f"/moderation/integrity/{world['incident'].pk}", "/moderation/integrity/sharing",
            "/moderation/integrity/elections", "/moderation/labels",
            "/moderation/researchers", "/moderation/hashlists", "/moderation/flaggers",
            "/moderation/transparency", "/settings/site",
        ],
    }


def log_in(browser, base: str, username: str, **context_options):
    """A new context's page (``context_options``: Playwright's, e.g. ``color_scheme``),
    signed in as ``username`` through the log-in form."""
    page = browser.new_context(**context_options).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/auth/login")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/home")
    return page
