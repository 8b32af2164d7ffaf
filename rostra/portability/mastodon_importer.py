"""Import a Mastodon account archive into a Rostra account: the service both doors call.

Same shape and guarantees as the X importer (``importer``), whose shared parts
it uses: a scan reads and checks the whole archive first (so a bad file creates
nothing), spooling each mapped post; then posts are created in date order
(parents before replies) in committed batches through ``post_batch.PostBatch``
(quiet, original date, origin URL, media through the safety gate), each with
its ``ImportedItem``, so re-running skips what exists and resumes a killed run;
``importer.undo_import`` removes what a job created.

Likes and bookmarks point at posts on other servers. Likes are counted and
recorded on the job, not re-applied: a like here would notify its author and
federate, which an import must not do. Bookmarks are handed to a bookmarks
import job (``csv_imports``) that resolves them in the background, never
blocking this import on the network.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.portability import csv_imports
from rostra.portability import mastodon_mapping as mm
from rostra.portability.archive_files import ArchiveError
from rostra.portability.importer import (
    ImportReport,
    Progress,
    _already_imported,
    job_run,
)
from rostra.portability.mastodon_archive import MastodonArchive
from rostra.portability.models import ImportJob
from rostra.portability.post_batch import PostBatch
from rostra.portability.x_mapping import MEDIA_KINDS

SOURCE = "mastodon"


@dataclass
class MastodonReport(ImportReport):
    likes: int = 0
    bookmarks: int = 0
    bookmarks_job: int | None = None


@dataclass
class _Scan:
    spool: tempfile.SpooledTemporaryFile
    order: list  # (published timestamp, position, spool offset)
    ids: set
    likes: list
    bookmarks: list
    report: MastodonReport


def _scan(archive: MastodonArchive) -> _Scan:
    actor = archive.actor()
    report = MastodonReport(owner=str(actor.get("preferredUsername") or ""),
                            owner_id=actor["id"])
    followers = str(actor.get("followers") or f"{actor['id']}/followers")
    skipped: Counter = Counter()
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")
    order, ids = [], set()
    first = last = None
    for n, activity in enumerate(archive.outbox()):
        try:
            post = mm.map_activity(activity, owner_uri=actor["id"], followers_url=followers)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            report.errors.append({"id": str(activity.get("id", ""))[:200],
                                  "error": f"unreadable activity: {exc}"})
            continue
        if post is None:
            skipped["other_activity"] += 1
            continue
        report.total += 1
        if post.kind == mm.ANNOUNCE:
            skipped["boost"] += 1
            continue
        if post.kind == mm.DIRECT:
            skipped["direct"] += 1
            continue
        if post.source_id in ids:
            skipped["duplicate"] += 1
            continue
        ids.add(post.source_id)
        first = min(first or post.published, post.published)
        last = max(last or post.published, post.published)
        order.append((post.published.timestamp(), n, spool.tell()))
        spool.write(json.dumps(post.to_json()).encode() + b"\n")
    report.skipped = dict(skipped)
    report.first = first.isoformat() if first else ""
    report.last = last.isoformat() if last else ""
    likes, bookmarks = archive.uris("likes.json"), archive.uris("bookmarks.json")
    report.likes, report.bookmarks = len(likes), len(bookmarks)
    return _Scan(spool, sorted(order), ids, likes, bookmarks, report)


def import_mastodon_archive(user, path, *, dry_run: bool = False, profile: bool = False,
                            progress: Progress | None = None,
                            job: ImportJob | None = None) -> MastodonReport:
    """Import the Mastodon archive at ``path`` (zip or tar.gz) into ``user``'s account.

    Raises ``ArchiveError`` for an unsafe or unreadable archive (nothing is
    created then). With ``dry_run`` nothing is written. ``job`` (the web door
    creates it first) is reused, else created.
    """
    account = user.account
    with MastodonArchive(path) as archive:
        scan = _scan(archive)
        report = scan.report
        report.dry_run = dry_run
        if not dry_run and job is None:
            job = ImportJob.objects.create(user=user, source=SOURCE, archive_path=str(path),
                                           options={"profile": profile})
        try:
            with job_run(job, report):
                _import_posts(account, archive, scan, job, dry_run=dry_run, progress=progress)
                if profile:
                    _import_profile(account, archive, report, dry_run=dry_run)
                if job is not None:
                    _hand_over_likes_and_bookmarks(user, job, scan)
        finally:
            scan.spool.close()
    return report


def _posts_in_order(scan: _Scan):
    for _when, _n, offset in scan.order:
        scan.spool.seek(offset)
        yield mm.MastodonPost.from_json(json.loads(scan.spool.readline()))


def _import_posts(account, archive, scan: _Scan, job, *, dry_run, progress) -> None:
    report = scan.report
    done_ids = _already_imported(account.user, SOURCE)
    created_now: set[str] = set()
    by_kind: Counter = Counter()
    total = len(scan.order)
    with PostBatch(account, job, archive, report, done_ids) as batch:
        for n, post in enumerate(_posts_in_order(scan), 1):
            if progress and (n == 1 or n % 50 == 0 or n == total):
                progress(n, total)
            if job is not None and n % 200 == 0:
                ImportJob.objects.filter(pk=job.pk).update(counts={"done": n, "total": total})
            kind = post.kind
            if kind == mm.REPLY and post.in_reply_to_id in scan.ids:
                kind = mm.SELF_REPLY
            parent_id = None
            if kind == mm.SELF_REPLY and (post.in_reply_to_id in created_now
                                          or done_ids.get(post.in_reply_to_id)):
                parent_id = post.in_reply_to_id
            text = post.text
            if post.in_reply_to_url and parent_id is None:
                text = f"{text}\n\nIn reply to {post.in_reply_to_url}".strip()
            photos = _pick_media(archive, post, report)
            if post.source_id in done_ids:
                report.already_imported += 1
                continue
            if dry_run:
                created_now.add(post.source_id)
                report.imported += 1
                by_kind[kind] += 1
                report.media_imported += len(photos)
                continue
            created_now.add(post.source_id)  # queued: its replies thread to it
            batch.add(post, text, post.visibility, parent_id, photos,
                      spoiler_text=post.spoiler_text, sensitive=post.sensitive,
                      on_created=_counter(report, by_kind, kind))
    if progress and total == 0:
        progress(0, 0)
    report.imported_by_kind = dict(by_kind)
    if job is not None:
        ImportJob.objects.filter(pk=job.pk).update(counts={"done": total, "total": total})


def _counter(report, by_kind: Counter, kind: str):
    def created(post) -> None:
        report.imported += 1
        by_kind[kind] += 1
    return created


def _pick_media(archive: MastodonArchive, post: mm.MastodonPost, report) -> list:
    """(ref, member) of the media to upload (the kinds the X import takes too);
    missing files and other kinds (audio) are reported."""
    photos = []
    for ref in post.media:
        member = archive.media_member(ref.filename)
        if member is None:
            report.missing_media.append({"id": post.origin_url or post.uri, "file": ref.filename})
        elif ref.kind not in MEDIA_KINDS:
            report.unsupported_media.append(
                {"id": post.origin_url or post.uri, "file": ref.filename, "kind": ref.kind})
        else:
            photos.append((ref, member))
    return photos


def _hand_over_likes_and_bookmarks(user, job: ImportJob, scan: _Scan) -> None:
    """Record the liked URIs on the job; queue the bookmarks to be resolved (once)."""
    report = scan.report
    job.options = {**job.options, "liked_uris": scan.likes}
    ImportJob.objects.filter(pk=job.pk).update(options=job.options)
    if not scan.bookmarks:
        return
    existing = job.options.get("bookmarks_job")
    if existing and ImportJob.objects.filter(pk=existing).exists():
        report.bookmarks_job = existing
        return
    follow_up = csv_imports.create_job(user, "bookmarks", [[u] for u in scan.bookmarks],
                                       mode="merge", origin=f"bookmarks.json of import "
                                                            f"#{job.pk}")
    report.bookmarks_job = follow_up.pk
    job.options = {**job.options, "bookmarks_job": follow_up.pk}
    ImportJob.objects.filter(pk=job.pk).update(options=job.options)
    transaction.on_commit(lambda: csv_imports.enqueue(follow_up))


def _import_profile(account, archive: MastodonArchive, report: MastodonReport, *,
                    dry_run) -> None:
    """Display name, bio, profile fields, avatar and header from ``actor.json``."""
    actor = archive.actor()
    fields = [{"name": mm.html_to_text(str(f.get("name") or "")),
               "value": mm.html_to_text(str(f.get("value") or ""))}
              for f in mm.as_list(actor.get("attachment"))
              if isinstance(f, dict) and f.get("type") == "PropertyValue"]
    images = {}
    for key, prop in (("avatar", "icon"), ("header", "image")):
        value = actor.get(prop)
        url = value.get("url") if isinstance(value, dict) else value
        if not url:
            continue
        member = archive.profile_image(str(url))
        if member is None:
            report.missing_media.append({"id": "profile", "file": str(url)})
        else:
            images[key] = archive.read_media(member)
    if dry_run:
        report.profile_updated = True
        return
    try:
        accounts.update_profile(account, display_name=str(actor.get("name") or "")[:100] or None,
                                note=mm.html_to_text(str(actor.get("summary") or "")),
                                fields=fields, **images)
        report.profile_updated = True
    except AccountError as exc:
        report.errors.append({"id": "profile", "error": str(exc)})


__all__ = ["ArchiveError", "MastodonReport", "import_mastodon_archive"]
