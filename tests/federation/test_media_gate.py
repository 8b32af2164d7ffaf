"""Remote media pass the gate before anyone sees them: a post from another server
with an image is held until the file is fetched, processed and matched."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from rostra.accounts.models import Account
from rostra.moderation.models import Case
from rostra.posts import remote_media
from rostra.posts import services as posts
from rostra.posts.models import Post
from rostra.posts.visibility import can_see
from rostra.safety.hashing import hash_image
from rostra.safety.models import HashEntry, HashList

pytestmark = pytest.mark.django_db
PDQ = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "pdq"


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    settings.ROSTRA_HASH_INDEX_REFRESH = 0


def remote_post(server, name: str) -> Post:
    dave = Account.objects.create(username="dave", domain="r.example",
                                  uri="https://r.example/users/dave")
    return posts.create_remote_post(
        dave, content_html="<p>look</p>", uri=f"https://r.example/notes/{name}",
        visibility="public", published=datetime(2026, 1, 1, tzinfo=UTC),
        media=[posts.RemoteMedia(url=f"{server.base}/{name}", mime_type="image/jpeg",
                                 description="a bridge")])


def test_a_remote_image_is_fetched_checked_and_then_shown(http_server):
    data = (PDQ / "misc-images" / sorted(p.name for p in (PDQ / "misc-images").glob("*.jpg"))[0]
            ).read_bytes()
    http_server.routes["/pic.jpg"] = (200, {"Content-Type": "image/jpeg"}, data)
    post = remote_post(http_server, "pic.jpg")
    assert post.held == "pending" and not can_see(None, post)
    assert remote_media.check(post.pk) == ""
    post.refresh_from_db()
    media = post.media.get()
    assert can_see(None, post) and media.file and media.pdq and media.sha256


def test_a_known_image_from_another_server_is_quarantined_and_never_shown(http_server):
    original = (PDQ / "bridge-mods" / "aaa-orig.jpg").read_bytes()
    hashes = hash_image(original)
    listing = HashList.objects.create(name="ncii", kind="ncii")
    HashEntry.objects.create(hash_list=listing, signal_type="pdq", value=hashes.pdq,
                             quality=hashes.pdq_quality)
    altered = (PDQ / "bridge-mods" / "sharpen-a-lot.jpg").read_bytes()
    http_server.routes["/x.jpg"] = (200, {"Content-Type": "image/jpeg"}, altered)
    post = remote_post(http_server, "x.jpg")
    assert remote_media.check(post.pk) == "quarantine"
    post.refresh_from_db()
    assert not can_see(None, post) and post.media.get().quarantined_at is not None
    case = Case.objects.get()
    assert case.evidence["source"] == "federation" and not case.decisions.exists()


def test_an_unreachable_file_is_retried_then_left_out(http_server, settings):
    post = remote_post(http_server, "missing.jpg")  # the server answers 404
    assert remote_media.check(post.pk, attempt=1) == "pending"
    assert remote_media.check(post.pk, attempt=remote_media.ATTEMPTS) == ""
    post.refresh_from_db()
    media = post.media.get()
    assert can_see(None, post) and not media.file and media.meta["unavailable"]
