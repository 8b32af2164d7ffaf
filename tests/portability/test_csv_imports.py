"""Mastodon's CSV imports: each kind, with and without header, merge and overwrite,
remote accounts over the loopback rig, resume, bad files, and the two doors."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from rostra.accounts import domain_blocks
from rostra.accounts import services as accounts
from rostra.accounts.models import Block, Follow, FollowRequest, Mute
from rostra.portability import csv_imports
from rostra.portability.csv_imports import CsvImportError
from rostra.portability.models import ImportJob
from rostra.posts.models import Bookmark
from rostra.timelines.models import List
from tests.factories import PASSWORD
from tests.federation.conftest import http_server, rsa_pair  # noqa: F401 (fixtures)
from tests.federation.remote_rig import FakeRemote

HEADER = "Account address,Show boosts,Notify on new posts,Languages\n"


def run_file(user, kind: str, text: str, mode: str = "merge") -> dict:
    return csv_imports.run(csv_imports.start(user, kind, text.encode(), mode=mode))


def test_following_with_header_follows_each_account_with_its_flags(db, make_user):
    user, ann, bea = make_user(), make_user("ann"), make_user("bea", locked=True)
    report = run_file(user, "following", HEADER + "ann@localhost:8000,false,true,\n"
                                                  "bea@localhost:8000,true,false,en\n"
                                                  "nobody@localhost:8000,true,false,\n")
    follow = Follow.objects.get(account=user.account, target_account=ann.account)
    assert (follow.show_reblogs, follow.notify) == (False, True)
    assert FollowRequest.objects.filter(account=user.account, target_account=bea.account).exists()
    assert [(r["row"], r["status"], r["message"]) for r in report["rows"]] == [
        (1, "ok", "followed"), (2, "ok", "follow requested"), (3, "error", "No such account.")]
    assert (report["ok"], report["failed"]) == (2, 1)


def test_an_old_following_file_without_header_is_one_address_a_line(db, make_user):
    user, ann = make_user(), make_user("ann")
    run_file(user, "following", "@ann@localhost:8000\n\n")
    assert Follow.objects.filter(account=user.account, target_account=ann.account).exists()


def test_remote_accounts_are_resolved_through_webfinger(db, make_user, settings, http_server,  # noqa: F811
                                                        rsa_pair):  # noqa: F811
    settings.ROSTRA_FEDERATION_ALLOW_HTTP = True
    settings.ROSTRA_FEDERATION_ALLOW_PRIVATE = True
    remote = FakeRemote(http_server, *rsa_pair)
    remote.actor("zoe")
    remote.webfinger("zoe")
    user = make_user()
    report = run_file(user, "following", f"zoe@{remote.domain}\ngone@{remote.domain}\n")
    request = FollowRequest.objects.get(account=user.account)
    assert request.target_account.uri == remote.uri("zoe")
    assert [r["status"] for r in report["rows"]] == ["ok", "error"]
    assert remote.domain in report["rows"][1]["value"]


def test_mutes_keep_the_hide_notifications_flag(db, make_user):
    user = make_user()
    make_user("ann"), make_user("bea")
    run_file(user, "muting", "Account address,Hide notifications\nann@localhost:8000,false\n"
                             "bea@localhost:8000,true\n")
    mutes = {m.target_account.username: m.hide_notifications
             for m in Mute.objects.filter(account=user.account)}
    assert mutes == {"ann": False, "bea": True}


def test_blocks_block_and_end_follows(db, make_user):
    user, ann = make_user(), make_user("ann")
    accounts.follow(ann.account, user.account)
    run_file(user, "blocking", "ann@localhost:8000\n")
    assert Block.objects.filter(account=user.account, target_account=ann.account).exists()
    assert not Follow.objects.filter(account=ann.account, target_account=user.account).exists()


def test_domain_blocks_block_each_domain_with_a_report_per_row(db, make_user, settings):
    user = make_user()
    settings.ROSTRA_DOMAIN = "social.example"
    report = run_file(user, "domain_blocking", "#domain\nSpam.Example\n*.bad.example\n"
                                               "social.example\n")
    assert set(domain_blocks.blocked_domains(user.account).values_list("domain", flat=True)) \
        == {"spam.example", "bad.example"}
    assert [(r["row"], r["value"], r["status"]) for r in report["rows"]] == [
        (1, "spam.example", "ok"), (2, "bad.example", "ok"), (3, "social.example", "error")]
    assert report["rows"][0]["message"] == "domain blocked"
    assert "own domain" in report["rows"][2]["message"]
    assert (report["ok"], report["failed"]) == (2, 1)


def test_domain_blocks_file_without_header_is_one_domain_a_line(db, make_user):
    user = make_user()
    run_file(user, "domain_blocking", "spam.example\n\nbücher.example\n")
    assert set(domain_blocks.blocked_domains(user.account).values_list("domain", flat=True)) \
        == {"spam.example", "xn--bcher-kva.example"}


def test_domain_blocks_overwrite_lifts_the_unlisted_and_merge_keeps_them(db, make_user):
    user = make_user()
    for domain in ("old.example", "kept.example"):
        domain_blocks.block_domain(user.account, domain)
    run_file(user, "domain_blocking", "new.example\n")
    assert domain_blocks.blocked_domains(user.account).count() == 3
    report = run_file(user, "domain_blocking", "KEPT.example\nnew.example\n",
                      mode="overwrite")
    assert set(domain_blocks.blocked_domains(user.account).values_list("domain", flat=True)) \
        == {"kept.example", "new.example"}
    assert report["removed"] == 1


def test_a_domain_blocks_file_with_a_bad_line_is_refused_whole(db, make_user):
    user = make_user()
    with pytest.raises(CsvImportError, match="Line 2: .*not a domain name"):
        csv_imports.start(user, "domain_blocking", b"spam.example\nann@spam.example\n")
    assert not ImportJob.objects.filter(user=user).exists()


def test_lists_are_created_filled_and_their_members_followed(db, make_user):
    user = make_user()
    make_user("ann"), make_user("bea")
    report = run_file(user, "lists", "Friends,ann@localhost:8000\nFriends,bea@localhost:8000\n"
                                     "Work,ann@localhost:8000\n")
    lists = {lst.title: sorted(m.account.username for m in lst.members.all())
             for lst in List.objects.filter(account=user.account)}
    assert lists == {"Friends": ["ann", "bea"], "Work": ["ann"]}
    assert Follow.objects.filter(account=user.account).count() == 2
    assert report["failed"] == 0


def test_bookmarks_are_found_by_url(db, make_user, make_post):
    user, author = make_user(), make_user("author")
    post = make_post(author.account, "keep me")
    report = run_file(user, "bookmarks", f"http://localhost:8000/@author/{post.pk}\n"
                                         "http://localhost:8000/@author/1\n")
    assert Bookmark.objects.filter(account=user.account, post=post).exists()
    assert [r["status"] for r in report["rows"]] == ["ok", "error"]


def test_overwrite_removes_what_the_file_does_not_list(db, make_user):
    user, ann, bea, cid = make_user(), make_user("ann"), make_user("bea"), make_user("cid")
    for target in (ann, bea):
        accounts.follow(user.account, target.account)
    report = run_file(user, "following", "ann@localhost:8000\ncid@localhost:8000\n",
                      mode="overwrite")
    followed = set(Follow.objects.filter(account=user.account)
                   .values_list("target_account__username", flat=True))
    assert followed == {"ann", "cid"} and report["removed"] == 1
    assert cid  # followed through the file


def test_merge_keeps_what_the_file_does_not_list(db, make_user):
    user, ann = make_user(), make_user("ann")
    make_user("bea")
    accounts.block(user.account, ann.account)
    run_file(user, "blocking", "bea@localhost:8000\n")
    assert Block.objects.filter(account=user.account).count() == 2


def test_overwrite_of_bookmarks_keeps_only_the_listed_posts(db, make_user, make_post):
    from rostra.posts import services as posts

    user, author = make_user(), make_user("author")
    keep, drop = make_post(author.account, "keep"), make_post(author.account, "drop")
    posts.bookmark(user.account, keep)
    posts.bookmark(user.account, drop)
    run_file(user, "bookmarks", f"http://localhost:8000/@author/{keep.pk}\n", mode="overwrite")
    assert list(Bookmark.objects.filter(account=user.account).values_list("post", flat=True)) \
        == [keep.pk]


def test_a_killed_run_resumes_where_it_stopped(db, make_user, monkeypatch):
    monkeypatch.setattr(csv_imports, "SAVE_EVERY", 1)
    user = make_user()
    for name in ("ann", "bea", "cid"):
        make_user(name)
    job = csv_imports.start(user, "following", b"ann@localhost:8000\nbea@localhost:8000\n"
                                               b"cid@localhost:8000\n")

    def kill(done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        csv_imports.run(job, progress=kill)
    job.refresh_from_db()
    assert job.counts["done"] == 1 and Follow.objects.filter(account=user.account).count() == 2
    report = csv_imports.run(job)
    assert Follow.objects.filter(account=user.account).count() == 3
    assert [r["row"] for r in report["rows"]] == [1, 2, 3]
    assert job.status == "done"


@pytest.mark.parametrize(("kind", "data", "message"), [
    ("following", b"https://x.example/@a/1\n", "Line 1: .* is not an account address"),
    ("following", HEADER.encode() + b"ann@localhost:8000,maybe\n", "Line 2: 'maybe' is not"),
    ("bookmarks", b"ann@x.example\n", "Line 1: .* is not a post URL"),
    ("lists", b"Friends\n", "Line 1: expected 'list name,account address'"),
    ("blocking", b"PK\x03\x04\x00\x00binary", "not a CSV text file"),
    ("blocking", b"\xff\xfe\xfa", "not UTF-8"),
    ("muting", b"Account address,Hide notifications\n", "no rows"),
    ("following", b"ann@localhost:8000,\"c\" x\n", "not a readable CSV"),
    ("nonsense", b"a@b.example\n", "Unknown kind"),
])
def test_a_file_of_the_wrong_shape_is_refused_whole(db, make_user, kind, data, message):
    user = make_user()
    make_user("ann")
    with pytest.raises(CsvImportError, match=message):
        csv_imports.start(user, kind, data)
    assert not ImportJob.objects.filter(user=user).exists()
    assert not Follow.objects.filter(account=user.account).exists()


@given(st.binary(max_size=300), st.sampled_from(["following", "muting", "blocking", "lists",
                                                 "bookmarks"]))
def test_parsing_any_bytes_gives_rows_or_a_readable_error(data, kind):
    try:
        rows = csv_imports.parse(kind, data)
    except CsvImportError:
        return
    assert rows and all(isinstance(r, list) for r in rows)


def test_cli_imports_a_csv_and_prints_failures(db, make_user, tmp_path, capsys):
    make_user("ccli")
    make_user("ann")
    path = tmp_path / "following_accounts.csv"
    path.write_text(HEADER + "ann@localhost:8000,true,false,\nghost@localhost:8000,true,false,\n")
    call_command("import", "csv", "following", str(path), "--user", "ccli")
    out = capsys.readouterr().out
    assert "Done: 1 rows, failed: 1" in out and "ghost@localhost:8000" in out


def test_cli_refuses_a_bad_csv(db, make_user, tmp_path):
    make_user("ccli2")
    path = tmp_path / "x.csv"
    path.write_text("not an address at all\n")
    with pytest.raises(Exception, match="not an account address"):
        call_command("import", "csv", "blocking", str(path), "--user", "ccli2")


def test_web_form_runs_the_import_in_the_background_and_shows_each_row(
        db, make_user, client, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    user = make_user("cweb")
    make_user("ann")
    client.login(username="cweb", password=PASSWORD)
    url = reverse("web:import_csv")
    assert "Blocked domains" in client.get(url).content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("muted_accounts.csv", b"ann@localhost:8000\nzed@localhost:8000\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "muting", "mode": "merge", "file": upload})
    job = ImportJob.objects.get(user=user, source="csv")
    assert response.url == reverse("web:import_job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Import finished" in page and "muted" in page and "No such account." in page
    assert Mute.objects.filter(account=user.account).count() == 1


def test_web_form_shows_why_a_file_is_refused(db, make_user, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_user("cwebbad")
    client.login(username="cwebbad", password=PASSWORD)
    upload = SimpleUploadedFile("blocked_domains.csv", b"https://spam.example/\n")
    page = client.post(reverse("web:import_csv"), {"kind": "domain_blocking", "mode": "merge",
                                                   "file": upload}).content.decode()
    assert "Line 1:" in page and "is not a domain name" in page
    assert not ImportJob.objects.filter(user__username="cwebbad").exists()


def _in(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_the_row_results_are_written_in_the_users_language(db, make_user):
    user, ann = make_user(), make_user("ann")
    user.locale = "de"
    user.save(update_fields=["locale"])
    job = csv_imports.start(user, "following", b"ann@localhost:8000\nnobody@localhost:8000\n")
    with translation.override("en"):  # the worker's own language does not matter
        report = csv_imports.run(job)
    assert Follow.objects.filter(account=user.account, target_account=ann.account).exists()
    assert [r["message"] for r in report["rows"]] == [
        _in("de", "followed"), _in("de", "No such account.")]
    assert report["rows"][1]["message"] != "No such account."


def test_without_a_chosen_language_the_results_speak_the_language_of_the_request(
        db, make_user):
    user = make_user()
    with translation.override("fr"):
        job = csv_imports.start(user, "blocking", b"nobody@localhost:8000\n")
    report = csv_imports.run(job)
    assert report["rows"][0]["message"] == _in("fr", "No such account.") != "No such account."
