"""Importing a Rostra export on another account: detection, the manifest check
(a damaged, changed, cut-off or incomplete export creates nothing), every post of
every audience with its date, thread and media, the follows, mutes, blocks, lists
and bookmarks that come along, idempotence, resume, quietness, and the two doors."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from rostra.accounts import domain_blocks
from rostra.accounts import services as accounts
from rostra.accounts.models import Account, Block, Follow, FollowRequest, Mute
from rostra.notifications.models import Notification
from rostra.portability import archive_import, csv_imports, rostra_archive
from rostra.portability.archive_files import ArchiveError
from rostra.portability.export import build_export
from rostra.portability.mastodon_archive import MastodonArchive
from rostra.portability.mastodon_importer import import_mastodon_archive
from rostra.portability.models import ImportJob
from rostra.posts.media import upload_media
from rostra.posts.models import Bookmark, Media, Post
from rostra.timelines import lists as lists_service
from tests import factories
from tests.factories import PASSWORD
from tests.portability.test_export import ALT, world  # noqa: F401  (the fixture)

AI_ALT = "A painted fox, made by a model"


@pytest.fixture
def full_world(world):  # noqa: F811
    """``test_export``'s world, plus an AI-labelled photo with a focal point and a
    reply to someone else's post."""
    alice, at = world["alice"], world["posts"]["reply2"].published
    painted = upload_media(alice, factories.image_bytes(color=(9, 99, 199)),
                           description=AI_ALT, focus=(0.5, -0.25), ai_generated=True)
    world["posts"]["ai"] = factories.make_post(alice, "Not a photograph", media=[painted],
                                               visibility="public",
                                               published=at + timedelta(minutes=1))
    world["posts"]["answer"] = factories.make_post(
        alice, "Bob, I agree", in_reply_to=world["liked"], visibility="unlisted",
        published=at + timedelta(minutes=2))
    return world


@pytest.fixture
def export_path(full_world, tmp_path):
    return build_export(full_world["alice"], tmp_path / "alice.zip").path


def run_import(user, path, **options):
    return import_mastodon_archive(user, path, run_follow_ups=True, **options)


def copies_of(account) -> dict:
    return {p.published: p for p in Post.objects.filter(account=account)}


def nothing_created(user) -> bool:
    account = user.account
    return not (Post.objects.filter(account=account).exists()
                or Media.objects.filter(account=account).exists()
                or ImportJob.objects.filter(user=user).exists()
                or Follow.objects.filter(account=account).exists()
                or FollowRequest.objects.filter(account=account).exists()
                or Mute.objects.filter(account=account).exists()
                or Block.objects.filter(account=account).exists()
                or domain_blocks.blocked_domains(account).exists())


# --- the manifest and detection ---------------------------------------------------------------

def test_the_export_ends_with_a_manifest_of_every_other_file(full_world, export_path):
    with zipfile.ZipFile(export_path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert zf.namelist()[-1] == "manifest.json"
        others = [n for n in zf.namelist() if n != "manifest.json"]
        assert (manifest["format"], manifest["version"]) == ("rostra-export", 1)
        assert manifest["account"] == "http://localhost:8000/users/alice"
        assert manifest["created_at"]
        assert sorted(f["path"] for f in manifest["files"]) == sorted(others)
        for entry in manifest["files"]:
            data = zf.read(entry["path"])
            assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"],
                                                                     entry["sha256"])


def test_archives_are_told_apart_by_what_they_hold(export_path, tmp_path):
    assert archive_import.detect(export_path) == "rostra"
    mastodon = rewrite(export_path, tmp_path / "m.zip", drop={"manifest.json"})
    assert archive_import.detect(mastodon) == "mastodon"
    x = tmp_path / "x.zip"
    with zipfile.ZipFile(x, "w") as zf:
        zf.writestr("data/tweets.js", "window.YTD.tweets.part0 = []")
    assert archive_import.detect(x) == "x"
    other = tmp_path / "o.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("notes.txt", "hello")
    with pytest.raises(ArchiveError, match="neither a Rostra export, a Mastodon archive"):
        archive_import.detect(other)


# --- everything comes back --------------------------------------------------------------------

def test_posts_of_every_audience_keep_their_date_thread_and_media(full_world, export_path):
    twin = factories.make_user("twin")
    report = run_import(twin, export_path)
    assert report.format == "rostra" and report.errors == [] and report.unresolved == []
    copies = copies_of(twin.account)
    originals = full_world["posts"]
    assert len(copies) == len(originals)
    for original in originals.values():
        copy = copies[original.published.replace(microsecond=0)]
        assert copy.visibility == original.visibility
        assert copy.quiet and copy.source == "import"
    by_key = {k: copies[p.published.replace(microsecond=0)] for k, p in originals.items()}
    assert by_key["reply"].in_reply_to == by_key["public"]
    assert by_key["reply2"].in_reply_to == by_key["reply"]
    assert by_key["answer"].in_reply_to == full_world["liked"]  # someone else's: still a reply
    assert "In reply to" not in by_key["answer"].text
    assert by_key["direct"].mentions.get().account == full_world["bob"]
    photo = by_key["public"].media.get()
    assert (photo.description, photo.ai_generated) == (ALT, False) and photo.file
    painted = by_key["ai"].media.get()
    assert (painted.description, painted.ai_generated) == (AI_ALT, True)
    assert (painted.focus_x, painted.focus_y) == (0.5, -0.25)


def test_follows_mutes_blocks_domain_blocks_lists_and_bookmarks_come_along(full_world,
                                                                           export_path):
    twin = factories.make_user("twin").account
    report = run_import(twin.user, export_path)
    assert report.relations == {"domain_blocking": 1, "blocking": 1, "muting": 1,
                                "following": 1, "lists": 1}
    bob = full_world["bob"]
    assert Follow.objects.filter(account=twin, target_account=bob).exists()
    assert Mute.objects.filter(account=twin, target_account__username="carol").exists()
    assert Block.objects.filter(account=twin, target_account__username="dave").exists()
    assert list(domain_blocks.blocked_domains(twin).values_list("domain", flat=True)) == [
        "spam.example"]
    friends = lists_service.lists_of(twin).get(title="Friends")
    assert lists_service.member_ids(friends) == [bob.pk]
    assert Bookmark.objects.filter(account=twin, post=full_world["liked"]).exists()
    follow_ups = ImportJob.objects.filter(pk__in=report.follow_ups.values())
    assert {j.status for j in follow_ups} == {"done"}


def test_re_importing_creates_nothing_twice(full_world, export_path):
    twin = factories.make_user("twin")
    first = run_import(twin, export_path)
    again = run_import(twin, export_path)
    assert (again.imported, again.already_imported) == (0, first.imported)
    assert again.follow_ups == first.follow_ups  # the same jobs, not new ones
    assert ImportJob.objects.filter(user=twin, source="csv").count() == 6  # 5 kinds + bookmarks
    assert Post.objects.filter(account=twin.account).count() == first.imported


def test_a_mastodon_import_of_the_same_export_is_not_imported_twice(full_world, export_path,
                                                                   tmp_path):
    twin = factories.make_user("twin")
    run_import(twin, rewrite(export_path, tmp_path / "m.zip", drop={"manifest.json"}))
    report = run_import(twin, export_path)
    assert report.imported == 0 and report.already_imported == len(full_world["posts"])


def test_a_killed_import_resumes_where_it_stopped(full_world, export_path, monkeypatch):
    from rostra.portability.post_batch import PostBatch

    monkeypatch.setattr("rostra.portability.post_batch.BATCH", 1)
    real = PostBatch.flush
    calls = [0]

    def dies_on_the_fourth(self):
        calls[0] += 1
        if calls[0] == 4:
            raise RuntimeError("the process was killed")
        return real(self)

    monkeypatch.setattr(PostBatch, "flush", dies_on_the_fourth)
    twin = factories.make_user("twin")
    with pytest.raises(RuntimeError):
        run_import(twin, export_path)
    assert Post.objects.filter(account=twin.account).count() == 3
    assert ImportJob.objects.get(user=twin, source="rostra").status == "failed"
    monkeypatch.setattr(PostBatch, "flush", real)
    report = run_import(twin, export_path)
    assert (report.imported, report.already_imported) == (len(full_world["posts"]) - 3, 3)
    assert Post.objects.filter(account=twin.account).count() == len(full_world["posts"])


def test_imported_posts_notify_no_one(full_world, export_path,
                                     django_capture_on_commit_callbacks):
    """The direct post mentions bob and a reply answers him: he hears only of the
    follow (a real, new one), as a follow from anyone."""
    twin = factories.make_user("twin")
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        run_import(twin, export_path)
    told = Notification.objects.filter(account=full_world["bob"])
    assert list(told.values_list("type", flat=True)) == ["follow"]


# --- bad exports: a clear error, nothing created -----------------------------------------------

def rewrite(src, dst, *, replace=None, drop=(), add=None, reseal=False):
    """Copy the zip ``src`` to ``dst`` changing members (and, with ``reseal``, its
    manifest to match, as someone rewriting both would)."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin:
        files = {n: replace.get(n, zin.read(n)) for n in zin.namelist() if n not in drop}
    files.update(add)
    if reseal:
        manifest = json.loads(files["manifest.json"])
        manifest["files"] = [{"path": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                             for n, d in files.items() if n != "manifest.json"]
        files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in files.items():
            zout.writestr(name, data)
    return dst


def edit_json(path, name, change):
    with zipfile.ZipFile(path) as zf:
        document = json.loads(zf.read(name))
    change(document)
    return json.dumps(document).encode()


def _refused(path, message):
    user = factories.make_user("victim")
    with pytest.raises(ArchiveError, match=message):
        run_import(user, path)
    assert nothing_created(user)


def test_a_changed_file_is_refused(export_path, tmp_path):
    with zipfile.ZipFile(export_path) as zf:
        outbox = zf.read("outbox.json")
    same_size = outbox.replace(b"For my followers only", b"For my followers ONLY")
    assert len(same_size) == len(outbox)
    _refused(rewrite(export_path, tmp_path / "t.zip", replace={"outbox.json": same_size}),
             r"outbox.json was changed after the export was made \(its SHA-256")


def test_a_changed_picture_is_refused(export_path, tmp_path):
    with zipfile.ZipFile(export_path) as zf:
        media = next(n for n in zf.namelist() if n.startswith("media_attachments/"))
        data = bytearray(zf.read(media))
    data[-20] ^= 0xFF
    _refused(rewrite(export_path, tmp_path / "t.zip", replace={media: bytes(data)}),
             "was changed after the export was made")


def test_a_file_of_another_size_is_refused(export_path, tmp_path):
    _refused(rewrite(export_path, tmp_path / "t.zip",
                     replace={"blocked_accounts.csv": b"dave@localhost:8000\nx@y.example\n"}),
             "blocked_accounts.csv is .* bytes, but the manifest says")


def test_a_missing_file_is_refused(export_path, tmp_path):
    _refused(rewrite(export_path, tmp_path / "t.zip", drop={"lists.csv"}),
             "The export is incomplete: lists.csv is missing")


def test_an_added_file_is_refused(export_path, tmp_path):
    _refused(rewrite(export_path, tmp_path / "t.zip", add={"extra.json": b"{}"}),
             r"a file its manifest does not list \(extra.json\)")


def test_a_truncated_zip_is_refused(export_path, tmp_path):
    cut = tmp_path / "cut.zip"
    data = open(export_path, "rb").read()
    cut.write_bytes(data[: len(data) * 2 // 3])
    _refused(cut, "truncated or damaged")


def test_another_format_is_refused(export_path, tmp_path):
    manifest = edit_json(export_path, "manifest.json",
                         lambda m: m.update(format="someone-elses-export"))
    _refused(rewrite(export_path, tmp_path / "t.zip", replace={"manifest.json": manifest}),
             "This is not a Rostra export: .*'someone-elses-export'")


def test_a_newer_version_is_refused(export_path, tmp_path):
    manifest = edit_json(export_path, "manifest.json", lambda m: m.update(version=99))
    _refused(rewrite(export_path, tmp_path / "t.zip", replace={"manifest.json": manifest}),
             "made by a newer Rostra")


def test_a_manifest_of_the_wrong_shape_is_refused(export_path, tmp_path):
    manifest = edit_json(export_path, "manifest.json", lambda m: m.update(files="all"))
    _refused(rewrite(export_path, tmp_path / "t.zip", replace={"manifest.json": manifest}),
             "manifest.json has the wrong shape")


def test_files_of_two_exports_mixed_are_refused(export_path, tmp_path):
    actor = edit_json(export_path, "actor.json",
                      lambda a: a.update(id="http://localhost:8000/users/mallory"))
    _refused(rewrite(export_path, tmp_path / "t.zip", replace={"actor.json": actor},
                     reseal=True), "actor.json is not the account its manifest names")


def test_a_resealed_export_with_a_bad_csv_row_is_refused(export_path, tmp_path):
    _refused(rewrite(export_path, tmp_path / "t.zip", reseal=True,
                     replace={"muted_accounts.csv": b"Account address\nnot an address!\n"}),
             "muted_accounts.csv: Line 2")


def test_an_oversized_member_is_refused_as_a_bomb(export_path, tmp_path):
    zeros = {"media_attachments/files/1/original/huge.png": b"\0" * (8 << 20)}
    _refused(rewrite(export_path, tmp_path / "t.zip", add=zeros, reseal=True), "bomb")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["format", "version", "files", "path",
                                                       "size", "sha256", "account"]),
                                      inner, max_size=4), max_leaves=12)


@examples(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manifest=JSON)
def test_any_manifest_is_read_or_refused_with_an_archive_error(manifest, tmp_path):
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("outbox.json", '{"orderedItems": []}')
        zf.writestr("actor.json", '{"id": "https://a.example/users/me"}')
        zf.writestr("manifest.json", json.dumps(manifest))
    with MastodonArchive(path) as archive:
        try:
            found = rostra_archive.check(archive)
        except ArchiveError as exc:
            assert str(exc)
        else:
            assert found["format"] == "rostra-export"


# --- lists wait for follows to be accepted ------------------------------------------------------

def test_a_list_member_awaiting_acceptance_is_added_once_the_follow_is_accepted(db):
    me = factories.make_account("me")
    shy = factories.make_account("shy", locked=True)
    job = csv_imports.start(me.user, "lists", b"Friends,shy@localhost:8000\n")
    report = csv_imports.run(job)
    assert report["waiting"] == 1
    friends = lists_service.lists_of(me).get(title="Friends")
    assert lists_service.member_ids(friends) == []
    request = FollowRequest.objects.get(account=me, target_account=shy)
    with TestCase.captureOnCommitCallbacks(execute=True):
        accounts.accept_follow_request(shy, request)
    assert lists_service.member_ids(friends) == [shy.pk]
    job.refresh_from_db()
    assert (job.report["waiting"], job.report["ok"]) == (0, 1)
    assert job.options["waiting"] is False


# --- the doors --------------------------------------------------------------------------------

def test_cli_imports_an_export_it_recognises(full_world, export_path):
    factories.make_user("twin")
    out = io.StringIO()
    call_command("import", "archive", str(export_path), "--user", "twin", stdout=out)
    text = out.getvalue()
    assert "This is a Rostra export." in text
    assert f"Imported: {len(full_world['posts'])}" in text
    assert "following: job #" in text
    twin = Account.objects.get(username="twin", domain="")
    assert Follow.objects.filter(account=twin, target_account=full_world["bob"]).exists()


def test_cli_refuses_a_changed_export_with_the_reason(export_path, tmp_path):
    factories.make_user("twin")
    bad = rewrite(export_path, tmp_path / "t.zip", drop={"outbox.json"}, add={
        "outbox.json": b'{"orderedItems": []}'})
    with pytest.raises(CommandError, match="outbox.json is .* bytes, but the manifest says"):
        call_command("import", "archive", str(bad), "--user", "twin", stdout=io.StringIO())
    assert not Post.objects.filter(account__username="twin").exists()


def test_web_takes_an_export_on_the_x_page_and_shows_its_progress(
        full_world, export_path, client, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.ROSTRA_IMPORT_DIR = str(tmp_path / "imports")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    user = factories.make_user("webtwin")
    client.login(username="webtwin", password=PASSWORD)
    with open(export_path, "rb") as f:
        response = client.post(reverse("web:import_x"), {"archive": f})
    job = ImportJob.objects.get(user=user, source="rostra")
    assert response.url == reverse("web:import_job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "every file matches the export's manifest" in page
    assert f"Posts that will be imported: {len(full_world['posts'])}" in page
    assert not Post.objects.filter(account=user.account).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "start"})
    job.refresh_from_db()
    assert job.status == "done"
    assert Post.objects.filter(account=user.account).count() == len(full_world["posts"])
    page = client.get(response.url).content.decode()
    assert "Follows, mutes, blocks and lists" in page and "following</a>: Done" in page
    assert Follow.objects.filter(account=user.account, target_account=full_world["bob"]).exists()


def test_web_refuses_a_changed_export_with_the_reason(export_path, client, settings, tmp_path):
    settings.ROSTRA_IMPORT_DIR = str(tmp_path / "imports")
    user = factories.make_user("webbad")
    client.login(username="webbad", password=PASSWORD)
    bad = rewrite(export_path, tmp_path / "t.zip", drop={"lists.csv"})
    with bad.open("rb") as f:
        page = client.post(reverse("web:import_mastodon"), {"archive": f}).content.decode()
    assert "The export is incomplete: lists.csv is missing" in page
    assert nothing_created(user)

