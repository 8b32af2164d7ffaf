"""Import a Mastodon account archive into a Rostra account: the service both doors call.

Same shape and guarantees as the X importer (``importer``), whose shared parts
it uses: a scan reads and checks the whole archive first (so a bad file creates
nothing), spooling each mapped post; then posts are created in date order
(parents before replies) in committed batches through ``post_batch.PostBatch``
(quiet, original date, origin URL, media through the safety gate), each with
its ``ImportedItem``, so re-running skips what exists and resumes a killed run;
``importer.undo_import`` removes what a job created.

A Rostra export is a Mastodon archive with a manifest (``rostra_archive``): it
is verified whole before anything is created, and its CSV files (follows,
mutes, blocks, domain blocks, lists) become ``csv_imports`` jobs. Direct posts
stay direct: the accounts they mention are resolved by actor URI first (so the
same people see them); a reply to someone else's post stays a reply when that
post can be found and seen, else it keeps a link to it. Media keep their alt
text, focal point and AI-generated label, through the safety gate.

Likes and bookmarks point at posts on other servers. Likes are counted and
recorded on the job, not re-applied: a like here would notify its author and
federate, which an import must not do. Bookmarks are handed to a bookmarks
import job (``csv_imports``) that resolves them in the background, never
blocking this import on the network.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.portability import csv_imports, rostra_archive
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
SOURCES = (SOURCE, rostra_archive.SOURCE)  # one archive, either door: imported once
MAX_FETCHES = 500  # posts and accounts looked up on other servers, per run
MAX_HOST_FAILURES = 3  # a server that does not answer is not asked again this run


@dataclass
class MastodonReport(ImportReport):
    format: str = SOURCE  # "mastodon", or "rostra" for a (verified) Rostra export
    likes: int = 0
    bookmarks: int = 0
    bookmarks_job: int | None = None
    relations: dict = field(default_factory=dict)  # kind -> rows (Rostra exports)
    follow_ups: dict = field(default_factory=dict)  # kind -> csv import job id
    unresolved: list = field(default_factory=list)  # people and posts not found elsewhere


@dataclass
class _Scan:
    spool: tempfile.SpooledTemporaryFile
    order: list  # (published timestamp, position, spool offset)
    ids: set
    likes: list
    bookmarks: list
    report: MastodonReport
    manifest: dict | None = None
    relations: dict = field(default_factory=dict)
    parent_uris: dict = field(default_factory=dict)  # replies to others' posts -> replies
    mention_uris: dict = field(default_factory=dict)  # direct posts' audience -> posts
    parents: dict = field(default_factory=dict)  # parent URI -> Post found and visible


def _scan(archive: MastodonArchive, manifest: dict | None) -> _Scan:
    actor = archive.actor()
    report = MastodonReport(owner=str(actor.get("preferredUsername") or ""),
                            owner_id=actor["id"],
                            format=rostra_archive.SOURCE if manifest else SOURCE)
    followers = str(actor.get("followers") or f"{actor['id']}/followers")
    skipped: Counter = Counter()
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")
    order, ids = [], set()
    parent_uris: dict[str, list] = {}
    mention_uris: dict[str, list] = {}
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
        if post.source_id in ids:
            skipped["duplicate"] += 1
            continue
        ids.add(post.source_id)
        if post.in_reply_to_uri:
            parent_uris.setdefault(post.in_reply_to_uri, []).append(post.source_id)
        if post.visibility == mm.DIRECT:
            for href, _name in post.mentions:
                mention_uris.setdefault(href, []).append(post.source_id)
        first = min(first or post.published, post.published)
        last = max(last or post.published, post.published)
        order.append((post.published.timestamp(), n, spool.tell()))
        spool.write(json.dumps(post.to_json()).encode() + b"\n")
    report.skipped = dict(skipped)
    report.first = first.isoformat() if first else ""
    report.last = last.isoformat() if last else ""
    likes, bookmarks = archive.uris("likes.json"), archive.uris("bookmarks.json")
    report.likes, report.bookmarks = len(likes), len(bookmarks)
    relations = rostra_archive.relations(archive) if manifest else {}
    report.relations = {kind: len(rows) for kind, rows in relations.items()}
    own = {uri for uri in parent_uris if mm.source_id(uri) in ids}  # threads: no look-up
    return _Scan(spool, sorted(order), ids, likes, bookmarks, report, manifest, relations,
                 {u: c for u, c in parent_uris.items() if u not in own}, mention_uris)


def import_mastodon_archive(user, path, *, dry_run: bool = False, profile: bool = False,
                            progress: Progress | None = None, job: ImportJob | None = None,
                            run_follow_ups: bool = False) -> MastodonReport:
    """Import the Mastodon archive or Rostra export at ``path`` into ``user``'s account.

    Raises ``ArchiveError`` for an unsafe, unreadable, damaged or tampered
    archive (nothing is created then). With ``dry_run`` nothing is written and
    nothing fetched. ``job`` (the web door creates it first) is reused, else
    created. Follow-up jobs (bookmarks; a Rostra export's follows, mutes,
    blocks and lists) are queued, or run before returning with
    ``run_follow_ups`` (the CLI).
    """
    account = user.account
    with MastodonArchive(path) as archive:
        manifest = rostra_archive.check(archive)
        scan = _scan(archive, manifest)
        report = scan.report
        report.dry_run = dry_run
        if not dry_run and job is None:
            job = ImportJob.objects.create(user=user, source=report.format,
                                           archive_path=str(path), options={"profile": profile})
        try:
            with job_run(job, report):
                if not dry_run:
                    _resolve_elsewhere(account, scan)
                _import_posts(account, archive, scan, job, dry_run=dry_run, progress=progress)
                if profile:
                    _import_profile(account, archive, report, dry_run=dry_run)
                if job is not None:
                    _hand_over_likes_and_bookmarks(user, job, scan, run_follow_ups)
                    if manifest is not None:
                        report.follow_ups = rostra_archive.hand_over(
                            user, job, scan.relations, rostra_archive.export_key(manifest),
                            run_now=run_follow_ups)
        finally:
            scan.spool.close()
    return report


def _resolve_elsewhere(account, scan: _Scan) -> None:
    """Find the posts replied to and the people direct posts address, here or on
    their servers (within ``MAX_FETCHES``), for the posts not imported yet; what is
    not found is reported."""
    from rostra.federation.remote import RemoteError, fetch_actor, fetch_object, known_post
    from rostra.posts.visibility import can_see

    failures: Counter = Counter()
    budget = [MAX_FETCHES]
    done = {k for source in SOURCES for k in _already_imported(account.user, source)}

    def needed(uris: dict) -> list[str]:
        return sorted(u for u, children in uris.items() if not done.issuperset(children))

    def look(uri: str, fetch):
        host = uri.split("/")[2] if uri.count("/") >= 2 else ""
        if failures[host] >= MAX_HOST_FAILURES or budget[0] <= 0:
            raise RemoteError("not looked up (its server did not answer, or too many)")
        budget[0] -= 1
        try:
            return fetch(uri)
        except Exception as exc:  # whatever another server answers, the import goes on
            failures[host] += 1
            raise RemoteError(str(exc) or type(exc).__name__) from exc

    for uri in needed(scan.mention_uris):
        try:
            look(uri, fetch_actor)
        except RemoteError as exc:
            scan.report.unresolved.append({"id": uri, "error": f"mentioned account: {exc}"})
    for uri in needed(scan.parent_uris):
        try:
            parent = known_post(uri) or look(uri, fetch_object)
        except RemoteError as exc:  # the reply keeps a link to it
            scan.report.unresolved.append({"id": uri, "error": f"post replied to: {exc}"})
            continue
        if (can_see(account, parent) and not parent.reblog_of_id
                and not parent.interactions_restricted
                and not accounts.is_blocked_between(account, parent.account)):
            scan.parents[uri] = parent


def _posts_in_order(scan: _Scan):
    for _when, _n, offset in scan.order:
        scan.spool.seek(offset)
        yield mm.MastodonPost.from_json(json.loads(scan.spool.readline()))


def _import_posts(account, archive, scan: _Scan, job, *, dry_run, progress) -> None:
    report = scan.report
    done_ids = {k: v for source in SOURCES
                for k, v in _already_imported(account.user, source).items()}
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
            elif kind == mm.REPLY and post.in_reply_to_uri in scan.parents:
                parent_id = scan.parents[post.in_reply_to_uri]
            if post.visibility == mm.DIRECT:
                kind = mm.DIRECT
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


def _hand_over_likes_and_bookmarks(user, job: ImportJob, scan: _Scan, run_now: bool) -> None:
    """Record the liked URIs on the job; queue (or run) the bookmarks' job (once)."""
    report = scan.report
    job.options = {**job.options, "liked_uris": scan.likes}
    ImportJob.objects.filter(pk=job.pk).update(options=job.options)
    if not scan.bookmarks:
        return
    key = hashlib.sha256("\n".join(sorted(scan.bookmarks)).encode()).hexdigest()[:32]
    existing = job.options.get("bookmarks_job") or next(
        (j.options["bookmarks_job"] for j in ImportJob.objects.filter(
            user=user, source__in=SOURCES, options__bookmarks_key=key).exclude(pk=job.pk)
         if j.options.get("bookmarks_job")), None)
    if existing and ImportJob.objects.filter(pk=existing).exists():
        report.bookmarks_job = existing  # this archive's bookmarks were handed over before
        job.options = {**job.options, "bookmarks_job": existing, "bookmarks_key": key}
        ImportJob.objects.filter(pk=job.pk).update(options=job.options)
        return
    follow_up = csv_imports.create_job(user, "bookmarks", [[u] for u in scan.bookmarks],
                                       mode="merge", origin=f"bookmarks.json of import "
                                                            f"#{job.pk}")
    report.bookmarks_job = follow_up.pk
    job.options = {**job.options, "bookmarks_job": follow_up.pk, "bookmarks_key": key}
    ImportJob.objects.filter(pk=job.pk).update(options=job.options)
    if run_now:
        csv_imports.run(follow_up)
    else:
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
