"""Exporting an account: the zip's files and counts, what stays out (other people's
posts, removed and held posts, quarantined media), CSVs that ``csv_imports`` reads,
an archive the Mastodon importer reads back, the background job and the CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from rostra.accounts import domain_blocks
from rostra.accounts import services as accounts
from rostra.accounts.models import Follow
from rostra.portability import csv_imports
from rostra.portability.export import HEADERS, build_export
from rostra.portability.export_models import ExportJob
from rostra.portability.export_tasks import build_export_job, request_export, run_export
from rostra.portability.mastodon_importer import import_mastodon_archive
from rostra.posts import services as posts
from rostra.posts.media import upload_media
from rostra.posts.models import Post
from rostra.posts.quarantine import quarantine
from rostra.timelines import lists as lists_service
from tests import factories

ALT = "A red square on a white wall"
START = datetime(2021, 5, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def world(db):
    """Alice's account with one of everything, and Bob's secrets around it."""
    alice, bob = factories.make_account("alice"), factories.make_account("bob")
    carol, dave = factories.make_account("carol"), factories.make_account("dave")
    at = iter(START + timedelta(hours=n) for n in range(100))
    mk = factories.make_post
    photo = upload_media(alice, factories.image_bytes(), description=ALT)
    found = {
        "public": mk(alice, "A public hello #rostra", visibility="public", media=[photo],
                     published=next(at)),
        "unlisted": mk(alice, "A quiet unlisted note", visibility="unlisted",
                       published=next(at)),
        "private": mk(alice, "For my followers only", visibility="private",
                      published=next(at)),
        "direct": mk(alice, "@bob a direct word", visibility="direct", published=next(at)),
    }
    found["reply"] = mk(alice, "Replying to myself", visibility="public",
                        in_reply_to=found["public"], published=next(at))
    found["reply2"] = mk(alice, "And again, deeper", visibility="public",
                         in_reply_to=found["reply"], published=next(at))
    removed = mk(alice, "Removed by a moderator", visibility="public", published=next(at))
    Post.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    bad = upload_media(alice, factories.image_bytes(color=(1, 2, 3)), description="held")
    held = mk(alice, "Its picture was quarantined", visibility="public", media=[bad],
              published=next(at))
    quarantine(bad)
    Post.objects.filter(pk=held.pk).update(held="quarantine")
    accounts.follow(alice, bob)
    accounts.follow(carol, alice)
    accounts.mute(alice, carol)
    accounts.block(alice, dave)
    domain_blocks.block_domain(alice, "spam.example")
    friends = lists_service.create_list(alice, "Friends")
    lists_service.add_accounts(friends, [bob])
    liked = mk(bob, "Bob's public thought", visibility="public")
    secret = mk(bob, "Bob's followers-only secret", visibility="private")
    posts.favourite(alice, liked)
    posts.bookmark(alice, liked)
    return {"alice": alice, "bob": bob, "posts": found, "liked": liked, "secret": secret,
            "removed": removed, "held": held}


def export(world, tmp_path) -> tuple[zipfile.ZipFile, object]:
    report = build_export(world["alice"], tmp_path / "out" / "alice.zip")
    return zipfile.ZipFile(report.path), report


def read_csv(zf: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(zf.read(name).decode())))


def test_the_zip_holds_every_file_with_its_counts(world, tmp_path):
    zf, report = export(world, tmp_path)
    names = set(zf.namelist())
    for name in ("actor.json", "outbox.json", "likes.json", "bookmarks.json", "index.html",
                 "following_accounts.csv", "muted_accounts.csv", "blocked_accounts.csv",
                 "blocked_domains.csv", "lists.csv", "bookmarks.csv", "followers.csv"):
        assert name in names
    assert report.counts["outbox.json"] == 6
    assert report.counts["media_attachments"] == 1
    assert [report.counts[n] for n in ("likes.json", "bookmarks.json", "following_accounts.csv",
                                       "muted_accounts.csv", "blocked_accounts.csv",
                                       "blocked_domains.csv", "lists.csv", "bookmarks.csv",
                                       "followers.csv")] == [1, 1, 1, 1, 1, 1, 1, 1, 1]
    assert report.skipped == {"removed or held posts": 2}
    assert not (tmp_path / "out" / "alice.zip.part").exists()


def test_outbox_is_create_activities_with_every_audience(world, tmp_path):
    zf, _ = export(world, tmp_path)
    outbox = json.loads(zf.read("outbox.json"))
    assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 6
    notes = {a["object"]["id"]: a["object"] for a in outbox["orderedItems"]}
    assert all(a["type"] == "Create" for a in outbox["orderedItems"])
    by_text = {k: notes[f"http://localhost:8000/users/alice/statuses/{p.pk}"]
               for k, p in world["posts"].items()}
    public = "https://www.w3.org/ns/activitystreams#Public"
    assert by_text["public"]["to"] == [public]
    assert public in by_text["unlisted"]["cc"]
    assert by_text["private"]["to"] == ["http://localhost:8000/users/alice/followers"]
    assert by_text["direct"]["to"] == ["http://localhost:8000/users/bob"]
    assert by_text["reply2"]["inReplyTo"] == by_text["reply"]["id"]
    (attachment,) = by_text["public"]["attachment"]
    assert attachment["name"] == ALT
    assert attachment["url"].startswith("media_attachments/files/")
    assert attachment["url"] in zf.namelist()
    assert zf.read(attachment["url"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_of_anyone_elses_and_nothing_removed_or_held(world, tmp_path):
    zf, _ = export(world, tmp_path)
    everything = b"".join(zf.read(n) for n in zf.namelist() if not n.startswith("media_"))
    assert b"followers-only secret" not in everything
    assert b"Bob's public thought" not in everything  # liked: its URI only
    assert b"Removed by a moderator" not in everything
    assert b"quarantined" not in everything
    assert len([n for n in zf.namelist() if n.startswith("media_attachments/")]) == 1


def test_actor_likes_and_bookmarks(world, tmp_path):
    zf, _ = export(world, tmp_path)
    actor = json.loads(zf.read("actor.json"))
    assert (actor["type"], actor["preferredUsername"]) == ("Person", "alice")
    assert "privateKey" not in json.dumps(actor)
    liked_uri = f"http://localhost:8000/users/bob/statuses/{world['liked'].pk}"
    assert json.loads(zf.read("likes.json"))["orderedItems"] == [liked_uri]
    assert json.loads(zf.read("bookmarks.json"))["orderedItems"] == [liked_uri]
    assert read_csv(zf, "bookmarks.csv") == [[liked_uri]]


def test_csv_files_have_mastodons_headers_and_rows(world, tmp_path):
    zf, _ = export(world, tmp_path)
    assert read_csv(zf, "following_accounts.csv") == [
        HEADERS["following_accounts.csv"], ["bob@localhost:8000", "true", "false", ""]]
    assert ",".join(HEADERS["following_accounts.csv"]) == (
        "Account address,Show boosts,Notify on new posts,Languages")
    assert read_csv(zf, "muted_accounts.csv") == [
        ["Account address", "Hide notifications"], ["carol@localhost:8000", "true"]]
    assert read_csv(zf, "blocked_accounts.csv") == [["dave@localhost:8000"]]
    assert read_csv(zf, "blocked_domains.csv") == [["#domain"], ["spam.example"]]
    assert read_csv(zf, "lists.csv") == [["Friends", "bob@localhost:8000"]]
    assert read_csv(zf, "followers.csv") == [["Account address"], ["carol@localhost:8000"]]
    for name, kind in (("following_accounts.csv", "following"),
                       ("muted_accounts.csv", "muting"), ("blocked_accounts.csv", "blocking"),
                       ("blocked_domains.csv", "domain_blocking"), ("lists.csv", "lists"),
                       ("bookmarks.csv", "bookmarks")):
        assert len(csv_imports.parse(kind, zf.read(name))) == 1, name


def test_following_csv_reimports_through_csv_imports(world, tmp_path):
    zf, _ = export(world, tmp_path)
    newcomer = factories.make_user("newcomer")
    job = csv_imports.start(newcomer, "following", zf.read("following_accounts.csv"))
    report = csv_imports.run(job)
    assert report["ok"] == 1
    assert Follow.objects.filter(account=newcomer.account, target_account=world["bob"]).exists()


def test_the_archive_reimports_through_the_mastodon_importer(world, tmp_path):
    _, report = export(world, tmp_path)
    twin = factories.make_user("twin")
    with TestCase.captureOnCommitCallbacks(execute=False):
        result = import_mastodon_archive(twin, report.path, profile=True)
    assert result.errors == [] and result.missing_media == []
    assert result.skipped == {} and result.format == "rostra"
    assert (result.likes, result.bookmarks) == (1, 1)
    copies = {p.published: p for p in Post.objects.filter(account=twin.account)}
    for original in world["posts"].values():
        copy = copies[original.published.replace(microsecond=0)]
        assert copy.visibility == original.visibility
        assert [m.description for m in copy.media.all()] == [
            m.description for m in original.media.all()]
    copies = {p.text: p for p in copies.values()}
    assert copies["And again, deeper"].in_reply_to == copies["Replying to myself"]
    assert copies["A public hello #rostra"].media.get().file
    # the direct post names bob by his full address, and reaches him
    assert copies["@bob@localhost:8000 a direct word"].mentions.get().account == world["bob"]


def test_an_empty_account_exports_an_empty_archive(db, tmp_path):
    loner = factories.make_account("loner")
    report = build_export(loner, tmp_path / "loner.zip")
    zf = zipfile.ZipFile(report.path)
    assert json.loads(zf.read("outbox.json"))["orderedItems"] == []
    assert report.counts["outbox.json"] == 0
    assert read_csv(zf, "followers.csv") == [["Account address"]]


def test_the_background_job_records_progress_and_the_zip(world, settings, tmp_path):
    settings.ROSTRA_EXPORT_DIR = str(tmp_path / "exports")
    user = world["alice"].user
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        job = request_export(user)
        assert request_export(user) == job  # one at a time
    assert len(queued) == 1
    queued[0]()  # enqueues the task; the worker would run it:
    build_export_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.counts == {"done": 7, "total": 7}  # 6 posts, 1 media file
    assert zipfile.ZipFile(job.path).read("actor.json")
    second = run_export(ExportJob.objects.create(user=user))
    job.refresh_from_db()
    assert job.path == "" and second.path  # the newer zip replaces the older


def test_the_cli_writes_the_zip(world, tmp_path):
    out = io.StringIO()
    call_command("export", "--user", "alice", "--output", str(tmp_path / "cli.zip"),
                 stdout=out, stderr=io.StringIO())
    assert "outbox.json: 6" in out.getvalue()
    assert "index.html" in zipfile.ZipFile(tmp_path / "cli.zip").namelist()


# --- the web door ---------------------------------------------------------------

def test_the_settings_page_queues_an_export_and_shows_its_progress(world, client, settings,
                                                                   tmp_path):
    settings.ROSTRA_EXPORT_DIR = str(tmp_path / "exports")
    client.force_login(world["alice"].user)
    assert b"Prepare my export" in client.get(reverse("web:export")).content
    with TestCase.captureOnCommitCallbacks(execute=False):
        response = client.post(reverse("web:export"))
    assert response.status_code == 302
    page = client.get(reverse("web:export")).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page


def test_only_the_owner_downloads_the_zip(world, client, settings, tmp_path):
    settings.ROSTRA_EXPORT_DIR = str(tmp_path / "exports")
    job = run_export(ExportJob.objects.create(user=world["alice"].user))
    url = reverse("web:export_download", args=[job.pk])
    client.force_login(world["bob"].user)
    assert client.get(url).status_code == 404
    client.force_login(world["alice"].user)
    assert "Download the export" in client.get(reverse("web:export")).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="rostra-alice-')
    body = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).read("actor.json")
    client.logout()
    assert client.get(url).status_code == 302  # to the log-in page
