"""The media gate on the import path: a post of the real X archive whose photo is
on a hash list is imported held (nobody sees it) with a case; the others import."""

from __future__ import annotations

import pytest

from rostra.moderation.models import Case, Category
from rostra.portability.importer import import_x_archive
from rostra.posts.models import Media, Post
from rostra.posts.visibility import can_see
from rostra.safety.hashing import hash_image
from rostra.safety.models import HashEntry, HashList
from tests import factories
from tests.portability.archives import FIXTURE, zip_fixture

pytestmark = pytest.mark.django_db
PHOTO = "2015001501513535963-G_a5Lu5WMAAnOFe.jpg"


def test_a_listed_photo_in_an_archive_holds_its_post_and_opens_a_case(tmp_path, settings):
    settings.ROSTRA_HASH_INDEX_REFRESH = 0
    hashes = hash_image((FIXTURE / "data" / "tweets_media" / PHOTO).read_bytes())
    listing = HashList.objects.create(name="ncii", kind="ncii")
    HashEntry.objects.create(hash_list=listing, signal_type="pdq", value=hashes.pdq,
                             quality=hashes.pdq_quality)
    user = factories.make_user("mila")
    report = import_x_archive(user, zip_fixture(tmp_path / "x.zip"))
    (held,) = Media.objects.filter(quarantined_at__isnull=False)
    post = held.post
    assert post is not None and post.held == "quarantine" and not can_see(None, post)
    assert any(PHOTO in e["error"] for e in report.errors)
    case = Case.objects.get()
    assert case.category == Category.INTIMATE_IMAGES and case.evidence["source"] == "import"
    shown = Post.objects.filter(account=user.account, held="")
    assert shown.count() > 50 and all(can_see(None, p) for p in shown[:5])
