"""Export an account: the archive a user can take anywhere, at any time.

``build_export`` writes one zip shaped like Mastodon's "Request your archive"
(so ``mastodon_importer`` and Mastodon-compatible tools read it back):
``actor.json`` (the Person), ``outbox.json`` (an OrderedCollection of the
account's Create activities, every audience included, and its Announces),
the media under ``media_attachments/`` (each attachment's ``url`` is its
relative path in the zip), ``avatar.*``/``header.*``, ``likes.json`` and
``bookmarks.json`` (OrderedCollections of post URIs), Mastodon's CSV files
(``csv_imports`` reads them back), ``followers.csv``, ``account_notes.csv``
(the owner's private notes on accounts, which Mastodon does not export;
``csv_imports`` reads it back too), ``index.html``, an
offline viewer (``export_viewer``), and last ``manifest.json``: the size and
SHA-256 of every other file (``rostra_archive``), so an import on another
server tells a Rostra export from Mastodon's and refuses a damaged one.

Only the owner's own data goes in: their own posts (never anyone else's), the
handles of the people they follow, mute, block or list, the URIs of what they
liked or bookmarked, and the private notes they wrote on accounts (no one
else's notes, nor anything about them). Removed and held posts and quarantined
media are left out. The zip is written to a ``.part`` file next to ``path``
(media streamed from storage, never held in memory) and renamed when complete.
"""

from __future__ import annotations

import csv
import io
import json
import os
import posixpath
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils.translation import gettext as _

from rostra.accounts.models import (
    Account,
    AccountDomainBlock,
    AccountNote,
    Block,
    Follow,
    Mute,
)
from rostra.federation import uris
from rostra.federation.serializers import activity as activities
from rostra.federation.serializers.actor import serialize_actor
from rostra.federation.serializers.context import with_context
from rostra.federation.serializers.note import attachment
from rostra.portability import export_viewer
from rostra.portability.rostra_archive import MANIFEST, HashingZipFile
from rostra.posts.models import Bookmark, Favourite, Media, Post, Visibility
from rostra.timelines.models import ListAccount

Progress = Callable[[int, int], None]
MEDIA_DIR = "media_attachments/files"
LARGE_FILE = 1 << 30  # past this a member needs ZIP64 headers from its start
# The headers Mastodon writes (``csv_imports`` skips them; files without one are
# one value a line, as Mastodon writes those).
HEADERS = {
    "following_accounts.csv": ["Account address", "Show boosts", "Notify on new posts",
                               "Languages"],
    "muted_accounts.csv": ["Account address", "Hide notifications"],
    "blocked_accounts.csv": None,
    "blocked_domains.csv": ["#domain"],
    "lists.csv": None,
    "bookmarks.csv": None,
    "followers.csv": ["Account address"],
    "account_notes.csv": ["Account address", "Note"],
}


class ExportError(Exception):
    """The export could not be written; the message says why."""


@dataclass
class ExportReport:
    path: str
    counts: dict[str, int] = field(default_factory=dict)  # file (or folder) -> items
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> items left out
    size: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def handle(account: Account) -> str:
    """``user@domain`` as Mastodon's CSV files write every account, local ones too."""
    return f"{account.username}@{account.domain or settings.ROSTRA_DOMAIN}"


def own_posts(account: Account):
    """The posts that go into the export: the account's own, neither removed nor
    held; boosts only of originals still public or unlisted."""
    return (Post.objects.filter(account=account, removed_at__isnull=True, held="")
            .filter(Q(reblog_of__isnull=True)
                    | Q(reblog_of__removed_at__isnull=True,
                        reblog_of__visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED]))
            .select_related("account", "in_reply_to__account", "reblog_of__account")
            .order_by("id"))


def exportable_media(post: Post) -> list[Media]:
    """The post's media with a stored file that is not quarantined, in order."""
    return [m for m in post.media.all() if m.file and m.quarantined_at is None]


def media_member(media: Media) -> str:
    """Where ``media`` goes in the zip (Mastodon's layout: ``files/<id>/original/<name>``)."""
    return f"{MEDIA_DIR}/{media.pk}/original/{posixpath.basename(media.file.name)}"


def _create_activity(post: Post, media: list[Media]) -> dict:
    document = activities.create(post, context=False)
    note = document["object"]
    note.pop("replies", None)  # other people's replies are theirs, not this archive's
    attachments = []
    for item in media:
        described = attachment(item)
        described["url"] = media_member(item)
        described.pop("icon", None)
        attachments.append(described)
    note["attachment"] = attachments
    return document


class _Writer:
    """One pass over the account's data into an open zip, counting as it goes."""

    def __init__(self, zf: zipfile.ZipFile, account: Account, report: ExportReport,
                 progress: Progress | None) -> None:
        self.zf, self.account, self.report, self.progress = zf, account, report, progress
        self.media: list[tuple[str, str]] = []  # (storage name, member)
        self.done = 0
        self.total = 0

    def tick(self, n: int = 1) -> None:
        self.done += n
        if self.progress and (self.done % 25 == 0 or self.done >= self.total):
            self.progress(min(self.done, self.total), self.total)

    def json(self, name: str, value: dict) -> None:
        self.zf.writestr(name, json.dumps(value, ensure_ascii=False, indent=1))

    def csv(self, name: str, rows: Iterable[list]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if HEADERS[name]:
            writer.writerow(HEADERS[name])
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
        self.zf.writestr(name, buffer.getvalue())
        self.report.counts[name] = count

    def posts(self, viewer_file) -> None:
        """``outbox.json`` streamed into the zip; the viewer's articles to ``viewer_file``."""
        queryset = own_posts(self.account).prefetch_related("media", "mentions__account")
        removed = Post.objects.filter(account=self.account, reblog_of__isnull=True).filter(
            Q(removed_at__isnull=False) | ~Q(held="")).count()
        if removed:
            self.report.skipped["removed or held posts"] = removed
        count = quarantined = 0
        with self.zf.open("outbox.json", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8")
            head = with_context({"id": "outbox.json", "type": "OrderedCollection",
                                 "totalItems": queryset.count()})
            out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "orderedItems": [\n')
            for post in queryset.iterator(chunk_size=200):
                if post.reblog_of_id:
                    item = activities.announce(post, context=False)
                    viewer_file.write(export_viewer.boost_html(post))
                else:
                    media = exportable_media(post)
                    quarantined += sum(1 for m in post.media.all() if m.quarantined_at)
                    item = _create_activity(post, media)
                    self.media += [(m.file.name, media_member(m)) for m in media]
                    viewer_file.write(export_viewer.post_html(
                        post, [(m, media_member(m)) for m in media]))
                out.write((",\n" if count else "") + json.dumps(item, ensure_ascii=False))
                count += 1
                self.tick()
            out.write("\n]}\n")
            out.flush()
            out.detach()
        self.report.counts["outbox.json"] = count
        if quarantined:
            self.report.skipped["quarantined media"] = quarantined

    def copy_file(self, storage_name: str, member: str) -> bool:
        """Stream one stored file into the zip (False when storage has lost it)."""
        try:
            source = default_storage.open(storage_name, "rb")
        except (FileNotFoundError, OSError):
            return False
        with source:
            try:
                size = default_storage.size(storage_name)
            except (OSError, NotImplementedError):
                size = LARGE_FILE
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED  # images and videos are compressed
            with self.zf.open(info, "w", force_zip64=size >= LARGE_FILE) as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
        return True

    def media_files(self) -> None:
        copied = missing = 0
        for storage_name, member in self.media:
            if self.copy_file(storage_name, member):
                copied += 1
            else:
                missing += 1
            self.tick()
        self.report.counts[MEDIA_DIR.split("/")[0]] = copied
        if missing:
            self.report.skipped["media files missing from storage"] = missing

    def actor(self) -> None:
        document = serialize_actor(self.account)
        document.pop("endpoints", None)
        for key, prop in (("avatar", "icon"), ("header", "image")):
            stored = getattr(self.account, key)
            if not stored or not document.get(prop):
                document.pop(prop, None)
                continue
            suffix = Path(stored.name).suffix.lower() or ".png"
            if self.copy_file(stored.name, f"{key}{suffix}"):
                document[prop]["url"] = f"{key}{suffix}"
            else:
                document.pop(prop, None)
        self.json("actor.json", document)
        self.report.counts["actor.json"] = 1

    def collection(self, name: str, model) -> list[Post]:
        rows = list(model.objects.filter(account=self.account, post__removed_at__isnull=True)
                    .select_related("post__account").order_by("id"))
        found = [uris.post_uri(r.post) for r in rows]
        self.json(name, with_context({"id": name, "type": "OrderedCollection",
                                      "totalItems": len(found), "orderedItems": found}))
        self.report.counts[name] = len(found)
        return [r.post for r in rows]

    def relations(self, bookmarked: list[Post]) -> None:
        account = self.account
        self.csv("following_accounts.csv", (
            [handle(f.target_account), _flag(f.show_reblogs), _flag(f.notify), ""]
            for f in Follow.objects.filter(account=account).select_related("target_account")
            .order_by("id")))
        self.csv("muted_accounts.csv", (
            [handle(m.target_account), _flag(m.hide_notifications)]
            for m in Mute.objects.filter(account=account).select_related("target_account")
            .order_by("id")))
        self.csv("blocked_accounts.csv", (
            [handle(b.target_account)]
            for b in Block.objects.filter(account=account).select_related("target_account")
            .order_by("id")))
        self.csv("blocked_domains.csv", (
            [d.domain] for d in AccountDomainBlock.objects.filter(account=account)
            .order_by("domain")))
        self.csv("lists.csv", (
            [row.list.title, handle(row.account)]
            for row in ListAccount.objects.filter(list__account=account)
            .select_related("list", "account").order_by("list__title", "id")))
        self.csv("bookmarks.csv", ([uris.post_uri(p)] for p in bookmarked))
        self.csv("followers.csv", (
            [handle(f.account)]
            for f in Follow.objects.filter(target_account=account).select_related("account")
            .order_by("id")))
        self.csv("account_notes.csv", (
            [handle(n.target_account), n.text]
            for n in AccountNote.objects.filter(account=account).select_related("target_account")
            .order_by("id")))


def _flag(value: bool) -> str:
    return "true" if value else "false"


def build_export(account: Account, path: str | Path,
                 progress: Progress | None = None) -> ExportReport:
    """Write ``account``'s export zip to ``path`` and return what went in.

    ``progress(done, total)`` is called as posts and media files are written.
    Raises ``ExportError`` when the file cannot be written (nothing is left at
    ``path`` then).
    """
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    report = ExportReport(path=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with (tempfile.TemporaryFile("w+", encoding="utf-8", dir=path.parent) as viewer,
              HashingZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf):
            writer = _Writer(zf, account, report, progress)
            posts = own_posts(account)
            writer.total = posts.count() + Media.objects.filter(
                post__in=posts, quarantined_at__isnull=True).exclude(file="").count()
            writer.actor()
            writer.posts(viewer)
            writer.media_files()
            bookmarked = writer.collection("bookmarks.json", Bookmark)
            writer.collection("likes.json", Favourite)
            writer.relations(bookmarked)
            viewer.seek(0)
            with zf.open("index.html", "w") as raw:
                out = io.TextIOWrapper(raw, encoding="utf-8")
                out.write(export_viewer.page_start(account, report.counts))
                shutil.copyfileobj(viewer, out)
                out.write(export_viewer.page_end())
                out.flush()
                out.detach()
            report.counts["index.html"] = 1
            zf.write_manifest(uris.actor_uri(account))
            report.counts[MANIFEST] = 1
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ExportError(_("The export could not be written: %(exc)s") % {"exc": exc}) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    report.size = path.stat().st_size
    if progress and writer.total == 0:
        progress(0, 0)
    return report
