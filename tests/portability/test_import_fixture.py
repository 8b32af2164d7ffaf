"""Importing the real (trimmed) archive of @milahu104: every mapping rule, with counts.

Counts derived by reading the fixture: tweets.js holds 95 posts (26 originals,
16 replies to the owner's own posts, 34 replies to others, 19 reposts),
community-tweet.js 3 more replies to others, deleted-tweets.js 3 posts; 13
photos and 1 GIF (stored as mp4, imported as a gifv) in kept posts; the three
videos belong to reposts, which are not imported (two of them are absent from
the archive). ``_fixture_media`` recounts the media from the fixture's files.
"""

import json
import re
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.test import override_settings

from rostra.portability.importer import import_x_archive, undo_import
from rostra.portability.models import ImportedItem, ImportJob
from rostra.posts.models import Media, Post
from tests import factories
from tests.portability.archives import FIXTURE, zip_fixture

OWNER = "1964312974236991488"


@pytest.fixture
def archive(tmp_path):
    return zip_fixture(tmp_path / "x.zip")


@pytest.fixture(scope="module")
def _imported_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """One import of the fixture shared by the read-only tests of this module."""
    tmp = tmp_path_factory.mktemp("fixture-import")
    with override_settings(MEDIA_ROOT=str(tmp / "media"), ROSTRA_DOMAIN="localhost:8000"), \
            django_db_blocker.unblock():
        user = factories.make_user("mila")
        report = import_x_archive(user, zip_fixture(tmp / "x.zip"))
        yield user, report
        # This import was committed outside any test's transaction: empty the
        # database again, so no later test on this worker sees its rows.
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def imported(db, _imported_once):
    return _imported_once


def _posts(user):
    return list(Post.objects.filter(account=user.account).order_by("id"))


def _records(name: str) -> list[dict]:
    text = (FIXTURE / "data" / name).read_text()
    return json.loads(text[text.index("["):])


def _fixture_media() -> Counter:
    """X media type -> how many the kept posts (not reposts, not deleted) reference
    whose file ships in the media folder, read from the fixture itself."""
    deleted = {r["tweet"]["id_str"] for r in _records("deleted-tweets.js")}
    shipped = {f.name for f in (FIXTURE / "data" / "tweets_media").iterdir()}
    kinds: Counter = Counter()
    for rec in _records("tweets.js") + _records("community-tweet.js"):
        t = rec["tweet"]
        if t["full_text"].startswith("RT @") or t["id_str"] in deleted:
            continue
        for m in (t.get("extended_entities") or {}).get("media") or []:
            if any(name.startswith(f"{t['id_str']}-") for name in shipped):
                kinds[m["type"]] += 1
    return kinds


def test_the_fixture_holds_photos_and_a_gif_in_kept_posts():
    assert _fixture_media() == {"photo": 13, "animated_gif": 1}


def test_report_counts(imported):
    _, report = imported
    assert report.owner == "milahu104"
    assert report.total == 98
    assert report.imported == 79
    assert report.imported_by_kind == {"original": 26, "self_reply": 16, "reply": 37}
    assert report.skipped == {"deleted": 3, "repost": 19}
    assert report.media_imported == sum(_fixture_media().values())
    assert report.missing_media == []
    assert report.unsupported_media == []
    assert report.errors == []


def test_posts_keep_original_dates_and_origin(imported):
    user, _ = imported
    posts = _posts(user)
    assert len(posts) == 79
    assert all(p.source == "import" and p.quiet for p in posts)
    first = Post.objects.get(origin_url="https://x.com/milahu104/status/2029905358261502168")
    assert first.published.isoformat() == "2026-03-06T13:02:05+00:00"
    assert [p.published for p in posts] == sorted(p.published for p in posts)


def test_self_threads_become_replies_to_the_imported_parent(imported):
    user, _ = imported
    child = Post.objects.get(origin_url__endswith="/2028163226181988576")
    parent = Post.objects.get(origin_url__endswith="/2028162593630679311")
    assert child.in_reply_to == parent
    threaded = Post.objects.filter(account=user.account, in_reply_to__isnull=False).count()
    assert threaded == 15  # the 16th's parent is not in the trimmed archive
    orphan = Post.objects.get(origin_url__endswith="/2027738837821043134")
    assert orphan.in_reply_to is None
    assert "In reply to https://x.com/milahu104/status/2027737443122769985" in orphan.text


def test_replies_to_others_are_unlisted_and_link_the_answered_post(imported):
    user, _ = imported
    replies = [p for p in _posts(user) if p.in_reply_to is None and "In reply to" in p.text
               and "/milahu104/" not in p.text.rsplit("In reply to", 1)[1]]
    assert len(replies) == 37
    assert {p.visibility for p in replies} == {"unlisted"}


def test_text_is_unescaped_and_links_expanded(imported):
    user, _ = imported
    texts = [p.text for p in _posts(user)]
    assert not any(re.search(r"&(amp|lt|gt);", t) for t in texts)
    assert sum("&" in t or ">" in t or "<" in t for t in texts) == 11
    assert not any("https://t.co/" in t for t in texts)
    assert any("https://archive.is/ou39D" in t for t in texts)


def test_mentions_become_x_links_and_hashtags_stay(imported):
    user, _ = imported
    posts = _posts(user)
    assert sum("https://x.com/grok" in p.text for p in posts) > 0
    assert not any(re.search(r"(?<![\w/])@\w", p.text) for p in posts)
    assert sum("#" in p.text for p in posts) >= 20
    assert Post.objects.filter(account=user.account, post_tags__isnull=False).exists()


def test_language_only_when_a_real_code(imported):
    user, _ = imported
    assert Counter(p.language for p in _posts(user)) == {"en": 49, "de": 23, "": 7}


def test_photos_and_the_gif_go_through_the_media_pipeline(imported):
    user, _ = imported
    expected = _fixture_media()
    kinds = Counter(Media.objects.filter(account=user.account, post__isnull=False)
                    .values_list("kind", flat=True))
    assert kinds == {"image": expected["photo"], "gifv": expected["animated_gif"]}


def test_the_gif_stored_as_mp4_is_a_looping_gifv_with_a_poster(imported):
    user, _ = imported
    gif = Media.objects.get(account=user.account, kind="gifv")
    assert gif.post.origin_url.endswith("/2011883284482207917")
    assert (gif.mime_type, gif.width, gif.height, gif.frame_rate) == ("video/mp4", 640, 360,
                                                                       "20/1")
    assert gif.duration == 3.5 and gif.meta["audio_codec"] == ""
    assert gif.thumbnail and gif.blurhash


def test_reimport_creates_nothing(imported, archive):
    user, _ = imported  # shared import: re-running it must leave it as it was
    again = import_x_archive(user, archive)
    assert again.imported == 0 and again.already_imported == 79
    assert Post.objects.filter(account=user.account).count() == 79


def test_dry_run_writes_nothing(db, make_user, archive):
    user = make_user("dry")
    report = import_x_archive(user, archive, dry_run=True)
    assert report.imported == 79
    assert not Post.objects.filter(account=user.account).exists()
    assert not ImportJob.objects.filter(user=user).exists()


def test_skip_replies_and_date_range(db, make_user, archive):
    user = make_user("skipper")
    report = import_x_archive(user, archive, skip_replies=True, since="2026-01-01")
    assert report.skipped["reply"] > 0
    assert report.imported_by_kind.get("reply", 0) == 0
    assert Post.objects.filter(account=user.account,
                               published__lt=datetime(2026, 1, 1, tzinfo=UTC)).count() == 0


def test_undo_removes_everything_created(db, make_user, archive):
    user = make_user("undoer")
    import_x_archive(user, archive)
    job = ImportJob.objects.get(user=user)
    assert undo_import(job) == 79
    assert Post.objects.filter(account=user.account).count() == 0
    assert not ImportedItem.objects.filter(job=job).exists()
    user.account.refresh_from_db()
    assert user.account.statuses_count == 0


def test_profile_import(db, make_user, archive):
    user = make_user("prof")
    report = import_x_archive(user, archive, profile=True, dry_run=False)
    user.account.refresh_from_db()
    assert report.profile_updated
    assert user.account.display_name == "Milan Hauth"
    assert "buying attention" in user.account.note
    assert user.account.avatar
