"""Cases the fixture lacks, on generated archives; resume; CLI; web upload flow."""

import zipfile
from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from rostra.portability.importer import import_x_archive
from rostra.portability.models import ImportJob
from rostra.portability.x_archive import ArchiveError
from rostra.posts.models import Media, Post
from tests.factories import PASSWORD, image_bytes
from tests.portability.archives import OWNER_ID, tweet, write_archive, ytd, zip_fixture


def test_note_tweet_gives_the_full_text_even_beyond_the_writing_limit(db, make_user, tmp_path,
                                                                     settings):
    settings.ROSTRA_POST_MAX_CHARS = 500
    when = datetime(2023, 5, 1, 12, 0, 0, tzinfo=UTC)
    long_text = "A long post " * 300 + "https://t.co/abc"  # 3,600 characters
    path = write_archive(tmp_path / "x.zip", {
        "data/tweets.js": ytd("tweets", [tweet(7, "A long… https://t.co/n", when=when)]),
        "data/note-tweet.js": ytd("note_tweet", [{"noteTweet": {
            "noteTweetId": "9", "createdAt": "2023-05-01T12:00:00.000Z",
            "core": {"text": long_text, "urls": [
                {"shortUrl": "https://t.co/abc", "expandedUrl": "https://example.org/x"}]}}}]),
    })
    user = make_user()
    import_x_archive(user, path)
    post = Post.objects.get(account=user.account)
    assert post.text == ("A long post " * 300).strip() + " https://example.org/x"


def test_circle_and_protected_posts_are_followers_only(db, make_user, tmp_path):
    path = write_archive(tmp_path / "x.zip", {
        "data/tweets.js": ytd("tweets", [
            tweet(1, when=datetime(2022, 1, 1, tzinfo=UTC)),
            tweet(2, when=datetime(2022, 6, 1, tzinfo=UTC))]),
        "data/twitter-circle-tweet.js": ytd("twitter_circle_tweet", [tweet(3)]),
        "data/protected-history.js": ytd("protected_history", [
            {"protectedHistory": {"protectedAt": "2022-05-01T00:00:00.000Z", "action": "Protect"}},
            {"protectedHistory": {"protectedAt": "2022-07-01T00:00:00.000Z",
                                  "action": "Unprotect"}}]),
    })
    user = make_user()
    import_x_archive(user, path)
    posts = Post.objects.filter(account=user.account)
    vis = {p.origin_url.rsplit("/", 1)[1]: p.visibility for p in posts}
    assert vis == {"1": "public", "2": "private", "3": "private"}


def test_multi_part_threads_are_linked_across_parts(db, make_user, tmp_path):
    path = write_archive(tmp_path / "x.zip", {
        "data/tweets-part1.js": ytd("tweets", [tweet(30, reply_to=20, reply_user=OWNER_ID)]),
        "data/tweets-part0.js": ytd("tweets", [tweet(20, reply_to=10, reply_user=OWNER_ID),
                                              tweet(10)]),
    })
    user = make_user()
    report = import_x_archive(user, path, visibility="unlisted")
    assert report.imported_by_kind == {"original": 1, "self_reply": 2}
    p30 = Post.objects.get(origin_url__endswith="/30")
    assert p30.in_reply_to.in_reply_to.origin_url.endswith("/10")
    assert p30.visibility == "unlisted"


def test_old_tweet_js_naming_imports(db, make_user, tmp_path):
    path = write_archive(tmp_path / "x.zip", {
        "data/tweet.js": ytd("tweet", [tweet(1, "hello &amp; bye"), tweet(2, "RT @a: b")])})
    user = make_user()
    report = import_x_archive(user, path)
    assert report.imported == 1 and report.skipped == {"deleted": 0, "repost": 1}
    assert Post.objects.get(account=user.account).text == "hello & bye"


def _with_photos(tmp_path, damaged: bool):
    recs, files = [], {}
    for i in range(1, 6):
        name = f"{i}-p.png"
        recs.append(tweet(i, "photo https://t.co/m", extended_entities={"media": [{
            "type": "photo", "url": "https://t.co/m",
            "media_url_https": "https://pbs.twimg.com/media/p.png"}]}))
        files[f"data/tweets_media/{name}"] = image_bytes(color=(i * 40, 0, 0))
    path = write_archive(tmp_path / ("bad.zip" if damaged else "good.zip"),
                         {"data/tweets.js": ytd("tweets", recs), **files})
    if damaged:  # flip a byte inside the 4th photo's compressed data: a CRC failure
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("data/tweets_media/4-p.png")
        raw = bytearray(path.read_bytes())
        start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
        raw[start] ^= 0xFF
        path.write_bytes(bytes(raw))
    return path


def test_a_crash_mid_way_leaves_no_half_post_and_the_import_resumes(db, make_user, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr("rostra.portability.post_batch.BATCH", 1)  # commit after each post
    user = make_user()
    with pytest.raises(ArchiveError, match="damaged"):
        import_x_archive(user, _with_photos(tmp_path, damaged=True))
    assert Post.objects.filter(account=user.account).count() == 3
    assert Media.objects.filter(post__isnull=True).count() == 0
    assert ImportJob.objects.get(user=user).status == "failed"
    report = import_x_archive(user, _with_photos(tmp_path, damaged=False))
    assert (report.imported, report.already_imported) == (2, 3)
    assert Post.objects.filter(account=user.account).count() == 5
    assert Media.objects.filter(account=user.account).count() == 5


def test_a_bad_archive_creates_nothing(db, make_user, tmp_path):
    path = write_archive(tmp_path / "x.zip", {"data/tweets.js": ytd("tweets", [tweet(1)])[:-5]})
    user = make_user()
    with pytest.raises(ArchiveError, match="truncated"):
        import_x_archive(user, path)
    assert not Post.objects.filter(account=user.account).exists()
    assert not ImportJob.objects.filter(user=user).exists()


def test_cli_imports_and_prints_the_report(db, make_user, tmp_path, capsys):
    make_user("cli")
    call_command("import", "x-archive", str(zip_fixture(tmp_path / "x.zip")), "--user", "cli",
                 "--dry-run")
    out = capsys.readouterr().out
    assert "Would import: 79" in out and "'repost': 19" in out
    assert not Post.objects.filter(account__username="cli").exists()


def test_cli_refuses_a_bad_archive(db, make_user, tmp_path):
    make_user("cli2")
    (tmp_path / "x.zip").write_text("nope")
    with pytest.raises(Exception, match="not a zip"):
        call_command("import", "x-archive", str(tmp_path / "x.zip"), "--user", "cli2")


def test_web_upload_preview_import_and_undo(db, make_user, client, tmp_path, settings,
                                            django_capture_on_commit_callbacks):
    settings.ROSTRA_IMPORT_DIR = str(tmp_path / "imports")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    user = make_user("webby")
    client.login(username="webby", password=PASSWORD)
    assert client.get(reverse("web:import_x")).status_code == 200
    with zip_fixture(tmp_path / "x.zip").open("rb") as f:
        response = client.post(reverse("web:import_x"), {"archive": f})
    job = ImportJob.objects.get(user=user)
    assert response.url == reverse("web:import_job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Posts that will be imported: 79" in page and "@milahu104" in page
    assert not Post.objects.filter(account=user.account).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "start", "visibility": "public"})
    job.refresh_from_db()
    assert job.status == "done" and Post.objects.filter(account=user.account).count() == 79
    assert "Import finished" in client.get(response.url).content.decode()
    client.post(response.url, {"action": "undo"})
    assert Post.objects.filter(account=user.account).count() == 0


def test_web_rejects_a_bad_upload(db, make_user, client, tmp_path, settings):
    settings.ROSTRA_IMPORT_DIR = str(tmp_path / "imports")
    make_user("webbad")
    client.login(username="webbad", password=PASSWORD)
    bad = tmp_path / "bad.zip"
    bad.write_text("nope")
    with bad.open("rb") as f:
        page = client.post(reverse("web:import_x"), {"archive": f}).content.decode()
    assert "not a zip" in page and not ImportJob.objects.filter(user__username="webbad").exists()
