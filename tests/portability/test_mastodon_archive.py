"""Importing a Mastodon archive: each mapping rule, idempotence, resume, undo,
quietness, zip and tar.gz, every bad input, and the two doors."""

from __future__ import annotations

import io
import json
import stat
import tarfile
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from rostra.accounts import services as accounts
from rostra.notifications.models import Notification
from rostra.portability import csv_imports
from rostra.portability import mastodon_mapping as mm
from rostra.portability.archive_files import ArchiveError
from rostra.portability.importer import undo_import
from rostra.portability.mastodon_archive import MastodonArchive
from rostra.portability.mastodon_importer import import_mastodon_archive
from rostra.portability.models import ImportJob
from rostra.posts.models import Bookmark, Media, Post, PostTag
from rostra.posts.search import search_posts
from rostra.timelines import services as timelines
from rostra.timelines.pagination import Page
from tests.factories import PASSWORD, image_bytes

BASE = "https://old.example"
ME = f"{BASE}/users/me"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
FOLLOWERS = f"{ME}/followers"
START = datetime(2019, 3, 1, 12, 0, tzinfo=UTC)

# --- builders of synthetic archives -------------------------------------------------------


def note(i: int, content: str = "", *, vis: str = "public", reply_to: str | None = None,
         when: datetime | None = None, kind: str = "Note", **extra) -> dict:
    """A Create activity of Note ``i`` (``/users/me/statuses/<i>``) as Mastodon writes it."""
    to, cc = {"public": ([PUBLIC], [FOLLOWERS]), "unlisted": ([FOLLOWERS], [PUBLIC]),
              "private": ([FOLLOWERS], []), "direct": ([f"{BASE}/users/bob"], [])}[vis]
    published = (when or START + timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
    obj = {"id": f"{ME}/statuses/{i}", "type": kind, "summary": None, "inReplyTo": reply_to,
           "published": published, "url": f"{BASE}/@me/{i}", "attributedTo": ME,
           "to": to, "cc": cc, "sensitive": False,
           "content": content or f"<p>post number {i}</p>",
           "contentMap": {"en": content or f"<p>post number {i}</p>"},
           "attachment": [], "tag": [], **extra}
    return {"id": f"{ME}/statuses/{i}/activity", "type": "Create", "actor": ME,
            "published": published, "to": to, "cc": cc, "object": obj}


def outbox(items: list) -> str:
    return json.dumps({"@context": ["https://www.w3.org/ns/activitystreams",
                                    {"ostatus": "http://ostatus.org#"}],
                       "id": "outbox.json", "type": "OrderedCollection",
                       "totalItems": len(items), "orderedItems": items}, indent=1)


def actor(**extra) -> str:
    return json.dumps({"id": ME, "type": "Person", "preferredUsername": "me", "name": "Me",
                       "summary": "<p>Old bio</p>", "followers": FOLLOWERS, **extra})


def collection(uris: list[str]) -> str:
    return json.dumps({"id": "x.json", "type": "OrderedCollection", "orderedItems": uris})


def mastodon_files(items: list, **files) -> dict:
    return {"outbox.json": outbox(items), "actor.json": actor(),
            "likes.json": collection([]), "bookmarks.json": collection([]), **files}


def write_zip(path, files: dict) -> object:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def write_tar(path, files: dict, *, links: dict | None = None) -> object:
    with tarfile.open(path, "w:gz") as t:
        for name, data in files.items():
            raw = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            t.addfile(info, io.BytesIO(raw))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            t.addfile(info)
    return path


def photo_note(i: int, name: str = "", alt: str = "a red square") -> dict:
    path = f"/media_attachments/files/000/000/{i:03d}/original/{name or 'p.png'}"
    return note(i, attachment=[{"type": "Document", "mediaType": "image/png", "url": path,
                                "name": alt, "blurhash": "x", "width": 64, "height": 48}])


def photo_file(i: int, name: str = "p.png") -> tuple[str, bytes]:
    return (f"media_attachments/files/000/000/{i:03d}/original/{name}",
            image_bytes(color=(i * 40 % 255, 0, 0)))


def by_number(user) -> dict[str, Post]:
    return {p.origin_url.rsplit("/", 1)[1]: p for p in Post.objects.filter(account=user.account)}


# --- mapping rules ------------------------------------------------------------------------

def test_visibility_follows_to_and_cc_and_direct_posts_stay_direct(db, make_user, tmp_path):
    path = write_zip(tmp_path / "m.zip", mastodon_files([
        note(1, vis="public"), note(2, vis="unlisted"), note(3, vis="private"),
        note(4, vis="direct")]))
    user = make_user()
    report = import_mastodon_archive(user, path)
    assert {n: p.visibility for n, p in by_number(user).items()} == {
        "1": "public", "2": "unlisted", "3": "private", "4": "direct"}
    assert report.skipped == {} and report.imported_by_kind["direct"] == 1


def test_a_direct_post_reaches_the_person_it_mentions_and_not_a_namesake(db, make_user,
                                                                        tmp_path):
    """The link names ``@bob``; the tag says which bob: the one of this server here."""
    here = make_user("bob").account
    make_user("bobby")
    html = ('<p><span class="h-card"><a href="http://localhost:8000/@bob" class="u-url '
            'mention">@<span>bob</span></a></span> just us</p>')
    item = note(1, html, vis="direct", tag=[
        {"type": "Mention", "href": "http://localhost:8000/users/bob",
         "name": "@bob@localhost:8000"}])
    item["object"]["to"] = ["http://localhost:8000/users/bob"]
    user = make_user()
    import_mastodon_archive(user, write_zip(tmp_path / "m.zip", mastodon_files([item])))
    post = Post.objects.get(account=user.account)
    assert post.visibility == "direct"
    assert [m.account for m in post.mentions.all()] == [here]


def test_posts_keep_date_and_origin_and_sit_on_the_profile_in_date_order(db, make_user,
                                                                        tmp_path):
    items = [note(3), note(1), note(2)]  # the outbox order is not the date order
    user = make_user()
    import_mastodon_archive(user, write_zip(tmp_path / "m.zip", mastodon_files(items)))
    newest_first = list(Post.objects.filter(account=user.account).order_by("-id"))
    assert [p.origin_url for p in newest_first] == [f"{BASE}/@me/{i}" for i in (3, 2, 1)]
    assert newest_first[-1].published == START + timedelta(hours=1)
    assert all(p.source == "import" and p.quiet for p in newest_first)


def test_html_is_sanitized_and_mentions_and_tags_survive(db, make_user, tmp_path):
    html = ('<p><span class="h-card"><a href="https://far.example/@zed" class="u-url '
            'mention">@<span>zed</span></a></span> look <a href="https://far.example/tags/'
            'cats" class="mention hashtag" rel="tag">#<span>cats</span></a> '
            '<a href="https://example.org/a/long/path"><span class="invisible">https://'
            '</span><span class="ellipsis">example.org/a/lo</span><span class="invisible">'
            'ng/path</span></a><script>alert(1)</script></p><p>second</p>')
    item = note(1, html, tag=[{"type": "Mention", "href": "https://far.example/@zed",
                               "name": "@zed"}])
    user = make_user()
    import_mastodon_archive(user, write_zip(tmp_path / "m.zip", mastodon_files([item])))
    post = Post.objects.get(account=user.account)
    assert post.text == "@zed@far.example look #cats https://example.org/a/long/path\n\nsecond"
    assert "script" not in post.content and "alert" not in post.text
    assert PostTag.objects.filter(post=post, tag__name="cats").exists()
    assert list(search_posts("cats", user.account)) == [post]


def test_own_replies_become_threads_and_replies_to_others_keep_a_link(db, make_user, tmp_path):
    other = "https://far.example/users/zed/statuses/9"
    items = [note(3, reply_to=f"{ME}/statuses/2"), note(1), note(2, reply_to=f"{ME}/statuses/1"),
             note(4, reply_to=other)]
    user = make_user()
    report = import_mastodon_archive(user, write_zip(tmp_path / "m.zip", mastodon_files(items)))
    posts = by_number(user)
    assert posts["3"].in_reply_to == posts["2"] and posts["2"].in_reply_to == posts["1"]
    assert posts["3"].thread_root == posts["1"]
    assert posts["4"].in_reply_to is None and posts["4"].text.endswith(f"In reply to {other}")
    assert report.imported_by_kind == {"original": 1, "self_reply": 2, "reply": 1}


def test_content_warning_sensitive_and_language_are_kept(db, make_user, tmp_path):
    items = [note(1, summary="spoilers &amp; more", sensitive=True,
                  contentMap={"de": "<p>Hallo</p>"}, content="<p>Hallo</p>")]
    user = make_user()
    import_mastodon_archive(user, write_zip(tmp_path / "m.zip", mastodon_files(items)))
    post = Post.objects.get(account=user.account)
    assert (post.spoiler_text, post.sensitive, post.language) == ("spoilers & more", True, "de")


def test_images_are_imported_with_alt_text_and_missing_ones_reported(db, make_user, tmp_path):
    name, data = photo_file(1)
    items = [photo_note(1), photo_note(2, alt="gone")]
    user = make_user()
    report = import_mastodon_archive(
        user, write_zip(tmp_path / "m.zip", mastodon_files(items, **{name: data})))
    media = Media.objects.get(account=user.account)
    assert media.post.origin_url.endswith("/1") and media.description == "a red square"
    assert report.media_imported == 1 and len(report.missing_media) == 1
    assert Post.objects.filter(account=user.account).count() == 2


def test_a_poll_becomes_its_options_as_text(db, make_user, tmp_path):
    item = note(1, "<p>Tea or coffee?</p>", kind="Question", oneOf=[
        {"type": "Note", "name": "Tea", "replies": {"type": "Collection", "totalItems": 3}},
        {"type": "Note", "name": "Coffee", "replies": {"type": "Collection", "totalItems": 1}}])
    user = make_user()
    import_mastodon_archive(user, write_zip(tmp_path / "m.zip", mastodon_files([item])))
    assert Post.objects.get(account=user.account).text == (
        "Tea or coffee?\n\nPoll:\n- Tea (3 votes)\n- Coffee (1 vote)")


def test_boosts_are_counted_not_imported(db, make_user, tmp_path):
    boost = {"id": f"{ME}/statuses/5/activity", "type": "Announce", "actor": ME,
             "published": "2019-03-02T00:00:00Z", "to": [PUBLIC],
             "object": "https://far.example/users/zed/statuses/1"}
    user = make_user()
    report = import_mastodon_archive(user, write_zip(tmp_path / "m.zip",
                                                     mastodon_files([note(1), boost])))
    assert report.skipped == {"boost": 1} and report.imported == 1


def test_profile_is_imported_from_actor_json(db, make_user, tmp_path):
    files = mastodon_files([], **{"avatar.png": image_bytes(size=(400, 400))})
    files["actor.json"] = actor(name="New Me", icon={"type": "Image", "url": "avatar.png"},
                                attachment=[{"type": "PropertyValue", "name": "Site",
                                             "value": '<a href="https://me.example">me</a>'}])
    user = make_user()
    import_mastodon_archive(user, write_zip(tmp_path / "m.zip", files), profile=True)
    account = type(user.account).objects.get(pk=user.account.pk)
    assert (account.display_name, account.note) == ("New Me", "Old bio")
    assert account.fields == [{"name": "Site", "value": "me"}] and account.avatar


# --- guarantees ---------------------------------------------------------------------------

def test_re_importing_creates_nothing_twice(db, make_user, tmp_path):
    items = [note(1), note(2, reply_to=f"{ME}/statuses/1")]
    path = write_zip(tmp_path / "m.zip", mastodon_files(items))
    user = make_user()
    import_mastodon_archive(user, path)
    report = import_mastodon_archive(user, path)
    assert (report.imported, report.already_imported) == (0, 2)
    assert Post.objects.filter(account=user.account).count() == 2


def test_a_killed_import_resumes_where_it_stopped(db, make_user, tmp_path, monkeypatch):
    monkeypatch.setattr("rostra.portability.post_batch.BATCH", 1)
    files = dict(photo_file(i) for i in range(1, 6))
    items = [photo_note(i) for i in range(1, 6)]
    good = write_zip(tmp_path / "good.zip", mastodon_files(items, **files))
    bad = write_zip(tmp_path / "bad.zip", mastodon_files(items, **files))
    with zipfile.ZipFile(bad) as z:  # damage the 4th image: its read fails mid-way
        info = z.getinfo(photo_file(4)[0])
    raw = bytearray(bad.read_bytes())
    raw[info.header_offset + 30 + len(info.filename) + len(info.extra) + 20] ^= 0xFF
    bad.write_bytes(bytes(raw))
    user = make_user()
    with pytest.raises(ArchiveError, match="damaged"):
        import_mastodon_archive(user, bad)
    assert Post.objects.filter(account=user.account).count() == 3
    assert Media.objects.filter(post__isnull=True).count() == 0
    assert ImportJob.objects.get(user=user, source="mastodon").status == "failed"
    report = import_mastodon_archive(user, good)
    assert (report.imported, report.already_imported) == (2, 3)
    assert Media.objects.filter(account=user.account).count() == 5


def test_undo_removes_everything_the_import_created(db, make_user, tmp_path):
    name, data = photo_file(1)
    user = make_user()
    import_mastodon_archive(user, write_zip(tmp_path / "m.zip", mastodon_files(
        [photo_note(1), note(2, reply_to=f"{ME}/statuses/1")], **{name: data})))
    job = ImportJob.objects.get(user=user, source="mastodon")
    assert undo_import(job) == 2
    assert not Post.objects.filter(account=user.account).exists()
    assert not Media.objects.filter(account=user.account).exists()
    job.refresh_from_db()
    assert job.status == "undone" and not job.items.exists()


def test_imported_posts_notify_no_one_and_stay_out_of_followers_homes(
        db, make_user, tmp_path, django_capture_on_commit_callbacks):
    user, follower, named = make_user(), make_user("watcher"), make_user("named")
    accounts.follow(follower.account, user.account)
    item = note(1, '<p><a href="http://localhost:8000/@named" class="u-url mention">'
                   '@<span>named</span></a> hi</p>',
                tag=[{"type": "Mention", "href": "http://localhost:8000/@named",
                      "name": "@named@localhost:8000"}])
    with django_capture_on_commit_callbacks(execute=True):
        import_mastodon_archive(user, write_zip(tmp_path / "m.zip", mastodon_files([item])))
    post = Post.objects.get(account=user.account)
    assert post.mentions.filter(account=named.account).exists()
    assert not Notification.objects.filter(account__in=[named.account,
                                                        follower.account]).exists()
    assert post not in timelines.home(follower.account, Page())
    assert post in search_posts("hi", follower.account)


def test_likes_are_recorded_and_bookmarks_resolved_by_a_follow_up_job(db, make_user, make_post,
                                                                     tmp_path):
    target = make_post(make_user("author").account, "bookmark me")
    local_url = f"http://localhost:8000/@author/{target.pk}"
    files = mastodon_files([note(1)])
    files["likes.json"] = collection(["https://far.example/users/zed/statuses/1"])
    files["bookmarks.json"] = collection([local_url])
    user = make_user()
    report = import_mastodon_archive(user, write_zip(tmp_path / "m.zip", files))
    assert (report.likes, report.bookmarks) == (1, 1)
    job = ImportJob.objects.get(user=user, source="mastodon")
    assert job.options["liked_uris"] == ["https://far.example/users/zed/statuses/1"]
    follow_up = ImportJob.objects.get(pk=report.bookmarks_job, source="csv")
    assert not Bookmark.objects.filter(account=user.account).exists()  # not yet: background
    csv_imports.run(follow_up)
    assert Bookmark.objects.filter(account=user.account, post=target).exists()


def test_a_tar_gz_archive_imports_the_same(db, make_user, tmp_path):
    name, data = photo_file(1)
    path = write_tar(tmp_path / "m.tar.gz", mastodon_files([photo_note(1), note(2)],
                                                           **{name: data}))
    user = make_user()
    report = import_mastodon_archive(user, path)
    assert report.imported == 2 and report.media_imported == 1


def test_an_archive_repacked_inside_a_folder_is_found(db, make_user, tmp_path):
    files = {f"archive-2024/{k}": v for k, v in mastodon_files([note(1)]).items()}
    user = make_user()
    assert import_mastodon_archive(user, write_zip(tmp_path / "m.zip", files)).imported == 1


# --- bad input: a clear error, nothing created -------------------------------------------

def _refused(user, path, message):
    with pytest.raises(ArchiveError, match=message):
        import_mastodon_archive(user, path)
    assert not Post.objects.filter(account=user.account).exists()
    assert not ImportJob.objects.filter(user=user).exists()


def test_not_an_archive(db, make_user, tmp_path):
    path = tmp_path / "m.zip"
    path.write_bytes(b'{"orderedItems": []}')
    _refused(make_user(), path, "not a zip or tar.gz archive")


def test_zip_bomb_ratio(db, make_user, tmp_path):
    files = mastodon_files([note(1)], **{"media_attachments/files/x.png": b"\0" * (8 << 20)})
    _refused(make_user(), write_zip(tmp_path / "m.zip", files), "bomb")


def test_tar_bomb_ratio(db, make_user, tmp_path):
    files = mastodon_files([note(1)], **{"media_attachments/files/x.png": b"\0" * (8 << 20)})
    _refused(make_user(), write_tar(tmp_path / "m.tar.gz", files), "bomb")


@pytest.mark.parametrize("fmt", ["zip", "tar"])
def test_total_size_cap(tmp_path, fmt):
    files = mastodon_files([note(1)])
    path = (write_zip(tmp_path / "m.zip", files) if fmt == "zip"
            else write_tar(tmp_path / "m.tgz", files))
    with pytest.raises(ArchiveError, match="limit"):
        MastodonArchive(path, max_total=100)


@pytest.mark.parametrize("name", ["../evil.json", "media_attachments/../../evil", "/etc/evil"])
@pytest.mark.parametrize("fmt", ["zip", "tar"])
def test_paths_leaving_the_archive(db, make_user, tmp_path, name, fmt):
    files = mastodon_files([note(1)], **{name: "x"})
    path = (write_zip(tmp_path / "m.zip", files) if fmt == "zip"
            else write_tar(tmp_path / "m.tgz", files))
    _refused(make_user(), path, "path")


def test_zip_symlink(db, make_user, tmp_path):
    path = write_zip(tmp_path / "m.zip", mastodon_files([note(1)]))
    info = zipfile.ZipInfo("avatar.png")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "a") as z:
        z.writestr(info, "/etc/passwd")
    _refused(make_user(), path, "symbolic link")


def test_tar_symlink(db, make_user, tmp_path):
    path = write_tar(tmp_path / "m.tgz", mastodon_files([note(1)]),
                     links={"avatar.png": "/etc/passwd"})
    _refused(make_user(), path, "link")


@pytest.mark.parametrize(("files", "message"), [
    ({"outbox.json": "[]"}, "not an ActivityPub collection"),
    ({"outbox.json": '{"type": "OrderedCollection", "orderedItems": {}}'}, "wrong shape"),
    ({"outbox.json": '{"orderedItems": [1, 2]}'}, "wrong shape"),
    ({"actor.json": '["me"]'}, "actor.json has the wrong shape"),
    ({"likes.json": '{"orderedItems": [42]}'}, "likes.json has the wrong shape"),
    ({"bookmarks.json": '{"orderedItems": "x"}'}, "bookmarks.json has the wrong shape"),
    ({"actor.json": '{"id": "https://old.example/users/me", "type": "Pers'}, "truncated"),
    ({"outbox.json": outbox([note(1), note(2)])[:-40]}, "truncated"),
    ({"outbox.json": outbox([note(1)])[:-2]}, "truncated"),
    ({"outbox.json": b"\xff\xfe not text"}, "damaged"),
])
def test_files_of_the_wrong_shape_or_truncated(db, make_user, tmp_path, files, message):
    path = write_zip(tmp_path / "m.zip", {**mastodon_files([note(1)]), **files})
    _refused(make_user(), path, message)


@pytest.mark.parametrize(("missing", "message"), [("outbox.json", "no outbox.json"),
                                                  ("actor.json", "actor.json is missing")])
def test_missing_data_files(db, make_user, tmp_path, missing, message):
    files = mastodon_files([note(1)])
    del files[missing]
    _refused(make_user(), write_zip(tmp_path / "m.zip", files), message)


def test_a_truncated_tar_gz(db, make_user, tmp_path):
    path = write_tar(tmp_path / "m.tgz", mastodon_files([note(1)], **{
        "media_attachments/files/a.png": image_bytes(size=(300, 300))}))
    path.write_bytes(path.read_bytes()[:-200])
    _refused(make_user(), path, "damaged or truncated")


@given(st.text(max_size=200))
def test_html_to_text_never_lets_markup_through(content):
    text = mm.html_to_text(content)
    assert "<script" not in text.lower() or "<script" in content.lower()


@given(st.dictionaries(st.sampled_from(["type", "object", "id", "to", "cc", "published"]),
                       st.one_of(st.none(), st.text(max_size=20), st.integers(),
                                 st.lists(st.text(max_size=5), max_size=2))))
def test_mapping_an_odd_activity_fails_only_with_a_readable_error(activity):
    try:
        mm.map_activity(activity, owner_uri=ME, followers_url=FOLLOWERS)
    except (ValueError, TypeError, KeyError, AttributeError):
        pass


# --- doors --------------------------------------------------------------------------------

def test_cli_dry_run_prints_the_report(db, make_user, tmp_path, capsys):
    make_user("mcli")
    path = write_zip(tmp_path / "m.zip", mastodon_files([note(1), note(2, vis="direct")]))
    call_command("import", "mastodon-archive", str(path), "--user", "mcli", "--dry-run")
    out = capsys.readouterr().out
    assert "Would import: 2" in out and "'direct': 1" in out
    assert not Post.objects.filter(account__username="mcli").exists()


def test_cli_refuses_a_bad_archive(db, make_user, tmp_path):
    make_user("mcli2")
    (tmp_path / "m.zip").write_text("nope")
    with pytest.raises(Exception, match="not a zip or tar.gz"):
        call_command("import", "mastodon-archive", str(tmp_path / "m.zip"), "--user", "mcli2")


def test_web_upload_preview_import_and_undo(db, make_user, client, tmp_path, settings,
                                            django_capture_on_commit_callbacks):
    settings.ROSTRA_IMPORT_DIR = str(tmp_path / "imports")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    user = make_user("mweb")
    client.login(username="mweb", password=PASSWORD)
    url = reverse("web:import_mastodon")
    assert client.get(url).status_code == 200
    path = write_tar(tmp_path / "m.tar.gz", mastodon_files([note(1), note(2)]))
    with path.open("rb") as f:
        response = client.post(url, {"archive": f})
    job = ImportJob.objects.get(user=user, source="mastodon")
    assert response.url == reverse("web:import_job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Posts that will be imported: 2" in page and "Mastodon" in page
    assert not Post.objects.filter(account=user.account).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "start"})
    job.refresh_from_db()
    assert job.status == "done" and Post.objects.filter(account=user.account).count() == 2
    profile = client.get(reverse("web:profile", args=["mweb"])).content.decode()
    assert "Imported from" in profile and "Mastodon" in profile and "1 March 2019" in profile
    client.post(response.url, {"action": "undo"})
    assert not Post.objects.filter(account=user.account).exists()


def test_web_rejects_a_bad_upload_with_the_reason(db, make_user, client, tmp_path, settings):
    settings.ROSTRA_IMPORT_DIR = str(tmp_path / "imports")
    make_user("mwebbad")
    client.login(username="mwebbad", password=PASSWORD)
    bad = write_zip(tmp_path / "m.zip", {"outbox.json": "{}", "actor.json": actor()})
    with bad.open("rb") as f:
        page = client.post(reverse("web:import_mastodon"), {"archive": f}).content.decode()
    assert "outbox.json is not an ActivityPub collection" in page
    assert not ImportJob.objects.filter(user__username="mwebbad").exists()
    assert not list((tmp_path / "imports").iterdir())
