"""Import an X archive into a Rostra account: the one service both doors call.

Two passes. The scan reads the archive once, maps every post (``x_mapping``)
and spools it to a temporary file, keeping only an id index in memory; the
import then creates posts in id order (parents before children) in batches
(``post_batch``: ``posts.services.create_posts``, quiet: no home timelines, no
notifications) with their media (photos, videos, GIFs) through
``posts.media.upload_media`` (the safety gate); a media file the archive lacks
is reported, its post imported.

Each batch is one transaction together with its ``ImportedItem`` rows: a crash
loses at most the open batch, whole posts only, and re-running skips every X id
already imported, so the import is idempotent and resumable. ``undo_import``
removes what a job created through ``posts.services.delete_post``.
"""

from __future__ import annotations

import json
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.portability import short_links, x_connections
from rostra.portability import x_mapping as xm
from rostra.portability.models import ImportedItem, ImportJob
from rostra.portability.post_batch import PostBatch
from rostra.portability.x_archive import ArchiveError, XArchive
from rostra.posts import services as posts
from rostra.posts.models import Post

SOURCE = "x"
VISIBILITIES = ("public", "unlisted", "private")
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    owner: str = ""
    owner_id: str = ""
    first: str = ""
    last: str = ""
    total: int = 0
    imported: int = 0
    already_imported: int = 0
    imported_by_kind: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)
    media_imported: int = 0
    missing_media: list = field(default_factory=list)
    unsupported_media: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    profile_updated: bool = False
    dry_run: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Scan:
    spool: tempfile.SpooledTemporaryFile
    ids: array  # X ids, in spool order
    offsets: array
    media_names: dict
    report: ImportReport


def _date_bound(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else timezone.make_aware(value)
    return xm.parse_x_date(str(value) if "T" in str(value) else f"{value}T00:00:00+00:00")


def _scan(archive: XArchive, since, until) -> _Scan:
    report = ImportReport()
    for rec in archive.records("account"):
        acc = rec.get("account", rec) if isinstance(rec, dict) else None
        if isinstance(acc, dict):
            report.owner = str(acc.get("username", ""))
            report.owner_id = str(acc.get("accountId", ""))
        break
    if not report.owner_id:
        raise ArchiveError(_("data/account.js is missing or empty: whose archive is this?"))
    notes = {}
    for rec in archive.records("noteTweet"):
        note = rec.get("noteTweet", rec) if isinstance(rec, dict) else None
        try:
            if isinstance(note, dict) and note.get("createdAt"):
                notes[xm.note_key(xm.parse_x_date(note["createdAt"]))] = note
        except ValueError as exc:
            report.errors.append({"id": "", "error": f"unreadable long post: {exc}"})
    deleted = {str(t.get("id_str", "")) for t in
               (r.get("tweet", r) for r in archive.records("deletedTweets") if isinstance(r, dict))
               if isinstance(t, dict)}
    periods = xm.protected_periods(archive.records("protectedHistory"))
    since, until = _date_bound(since), _date_bound(until)
    skipped: Counter = Counter()
    skipped["deleted"] = len(deleted - {""})
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")
    ids, offsets = array("q"), array("q")
    media_names: dict[str, str] = {}
    first = last = None
    mention_link = x_connections.mention_linker()
    for kind in ("tweets", "communityTweet", "twitterCircleTweet"):
        media_names.update(archive.media_names(kind))
        for rec in archive.records(kind):
            try:
                post = xm.map_tweet(rec, owner_id=report.owner_id, owner_name=report.owner,
                                    notes=notes, private=kind == "twitterCircleTweet",
                                    mention_link=mention_link)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                report.errors.append({"id": "", "error": f"unreadable post in {kind}: {exc}"})
                continue
            report.total += 1
            if post.source_id in deleted:
                continue
            if post.kind == xm.REPOST:
                skipped["repost"] += 1
                continue
            if (since and post.published < since) or (until and post.published >= until):
                skipped["out_of_range"] += 1
                continue
            post.private = post.private or xm.in_periods(post.published, periods)
            first = min(first or post.published, post.published)
            last = max(last or post.published, post.published)
            ids.append(int(post.source_id))
            offsets.append(spool.tell())
            spool.write(json.dumps(post.to_json()).encode() + b"\n")
    report.skipped = dict(skipped)
    report.first = first.isoformat() if first else ""
    report.last = last.isoformat() if last else ""
    return _Scan(spool, ids, offsets, media_names, report)


def _already_imported(user, source: str = SOURCE) -> dict[str, int | None]:
    """Source id -> post id of everything ``user`` imported from ``source`` before."""
    return dict(ImportedItem.objects.filter(job__user=user, job__source=source)
                .values_list("source_id", "post_id").iterator())


def _posts_in_order(scan: _Scan):
    for i in sorted(range(len(scan.ids)), key=scan.ids.__getitem__):
        scan.spool.seek(scan.offsets[i])
        yield xm.XPost.from_json(json.loads(scan.spool.readline()))


def import_x_archive(user, path, *, dry_run: bool = False, since=None, until=None,
                     skip_replies: bool = False, visibility: str = "public",
                     profile: bool = False, progress: Progress | None = None,
                     job: ImportJob | None = None) -> ImportReport:
    """Import the X archive at ``path`` into ``user``'s account.

    Raises ``ArchiveError`` for an unsafe or unreadable archive (nothing is
    created then). With ``dry_run`` nothing is written; the report says what
    would be. ``job`` (the web door creates it first) is reused, else created.
    """
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}")
    account = user.account
    with XArchive(path) as archive:
        scan = _scan(archive, since, until)
        report = scan.report
        report.dry_run = dry_run
        if not dry_run and job is None:
            job = ImportJob.objects.create(
                user=user, source=SOURCE, archive_path=str(path),
                options={"since": str(since or ""), "until": str(until or ""),
                         "skip_replies": skip_replies, "visibility": visibility,
                         "profile": profile})
        try:
            with job_run(job, report):
                _import_posts(account, archive, scan, job, dry_run=dry_run,
                              skip_replies=skip_replies, visibility=visibility,
                              progress=progress)
                if profile:
                    _import_profile(account, archive, report, dry_run=dry_run)
                if not dry_run:
                    x_connections.record_from_archive(user, archive)
        finally:
            scan.spool.close()
    return report


@contextmanager
def job_run(job: ImportJob | None, report) -> Iterator[None]:
    """Mark ``job`` running, then done with ``report`` (or failed with the error)."""
    if job is None:
        yield
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, error="")
    try:
        yield
    except Exception as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=str(exc), report=report.as_dict(),
            finished_at=timezone.now())
        raise
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, report=report.as_dict(), finished_at=timezone.now())


def _import_posts(account, archive, scan: _Scan, job, *, dry_run, skip_replies, visibility,
                  progress) -> None:
    report = scan.report
    done_ids = _already_imported(account.user)
    imported_vis: dict[str, str] = {}  # X id -> visibility given here (for threads)
    skipped_threads: set[str] = set()
    skipped = Counter(report.skipped)
    by_kind: Counter = Counter()
    total = len(scan.ids)
    with PostBatch(account, job, archive, report, done_ids) as batch:
        for n, xp in enumerate(_posts_in_order(scan), 1):
            _one(batch, scan, xp, n, total, imported_vis,
                 skipped_threads, skipped, by_kind, dry_run=dry_run,
                 skip_replies=skip_replies, visibility=visibility, progress=progress)
    if progress and total == 0:
        progress(0, 0)
    report.skipped = dict(skipped)
    report.imported_by_kind = dict(by_kind)
    if job is not None:
        ImportJob.objects.filter(pk=job.pk).update(counts={"done": total, "total": total})


def _one(batch: PostBatch, scan, xp, n, total, imported_vis, skipped_threads,
         skipped, by_kind, *, dry_run, skip_replies, visibility, progress) -> None:
    report, job, done_ids = scan.report, batch.job, batch.done_ids
    if progress and (n == 1 or n % 50 == 0 or n == total):
        progress(n, total)
    if job is not None and n % 200 == 0:
        ImportJob.objects.filter(pk=job.pk).update(counts={"done": n, "total": total})
    parent_id = None
    vis = visibility
    if xp.kind == xm.REPLY:
        if skip_replies:
            skipped["reply"] += 1
            skipped_threads.add(xp.source_id)
            return
        vis = xm.stricter(vis, "unlisted")
    elif xp.kind == xm.SELF_REPLY:
        if xp.in_reply_to_id in skipped_threads:
            skipped["reply"] += 1
            skipped_threads.add(xp.source_id)
            return
        if xp.in_reply_to_id in imported_vis or done_ids.get(xp.in_reply_to_id):
            parent_id = xp.in_reply_to_id
            vis = xm.stricter(vis, imported_vis.get(parent_id, "public"))
    if xp.private:
        vis = "private"
    text = xp.text
    if xp.kind in {xm.REPLY, xm.SELF_REPLY} and parent_id is None:
        text = f"{text}\n\nIn reply to {xp.in_reply_to_url}".strip()
    photos = []  # photos, videos and GIFs (X stores a GIF as an MP4: it becomes a gifv)
    for ref in xp.media:
        member = scan.media_names.get(ref.filename)
        if member is None:
            report.missing_media.append({"id": xp.source_id, "file": ref.filename})
        elif ref.kind not in xm.MEDIA_KINDS:
            report.unsupported_media.append(
                {"id": xp.source_id, "file": ref.filename, "kind": ref.kind})
        else:
            photos.append((ref, member))
    if xp.source_id in done_ids:
        report.already_imported += 1
        imported_vis[xp.source_id] = vis
        return
    if dry_run:
        report.imported += 1
        by_kind[xp.kind] += 1
        report.media_imported += len(photos)
        imported_vis[xp.source_id] = vis
        return
    imported_vis[xp.source_id] = vis  # queued: its replies thread to it

    def created(post: Post) -> None:
        report.imported += 1
        by_kind[xp.kind] += 1

    batch.add(xp, text, vis, parent_id, photos, on_created=created)


def _import_profile(account, archive: XArchive, report: ImportReport, *, dry_run) -> None:
    """Display name, bio, website, location and avatar/header from the archive.

    X stores the bio's and website's links as t.co short links without their
    expansion: they are expanded over the network (``short_links``; kept as they
    are when that fails).
    """
    display = ""
    for rec in archive.records("account"):
        display = str((rec.get("account", rec)).get("accountDisplayName", ""))
        break
    prof = next(iter(archive.records("profile")), None) or {}
    prof = prof.get("profile", prof)
    desc = prof.get("description") or {}
    fields = []
    if desc.get("website"):
        website = str(desc["website"])
        fields.append({"name": "Website",
                       "value": website if dry_run else short_links.expand(website)})
    if desc.get("location"):
        fields.append({"name": "Location", "value": str(desc["location"])})
    images = {}
    media = archive.media_names("profile")
    for key, url_field in (("avatar", "avatarMediaUrl"), ("header", "headerMediaUrl")):
        url = str(prof.get(url_field) or "")
        if not url:
            continue
        name = f"{report.owner_id}-{url.rstrip('/').rsplit('/', 1)[-1]}"
        member = media.get(name) or next(
            (m for n, m in media.items() if n.startswith(f"{report.owner_id}-")
             and n.endswith(url.rstrip("/").rsplit("/", 1)[-1])), None)
        if member is None:
            report.missing_media.append({"id": "profile", "file": name})
        else:
            images[key] = archive.read_media(member)
    if dry_run:
        report.profile_updated = True
        return
    try:
        accounts.update_profile(account, display_name=display[:100] or None,
                                note=short_links.expand_in(xm.unescape(str(desc.get("bio") or ""))),
                                fields=fields,
                                **images)
        report.profile_updated = True
    except AccountError as exc:
        report.errors.append({"id": "profile", "error": str(exc)})


def undo_import(job: ImportJob) -> int:
    """Delete every post ``job`` created (through ``delete_post``); return how many."""
    account = job.user.account
    removed = 0
    for item in job.items.select_related("post").iterator():
        if item.post is not None:
            with transaction.atomic():
                posts.delete_post(account, item.post)
            removed += 1
    job.items.all().delete()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.UNDONE,
                                               finished_at=timezone.now())
    return removed
