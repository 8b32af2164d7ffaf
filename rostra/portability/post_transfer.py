"""Bring my posts from my old account: a live copy from another server (LOLA).

The flow, on this (the destination) server:

1. ``start``: the old actor must be one of the account's aliases
   (``Account.also_known_as``: the owner said it is theirs). We read its actor
   document (``lola_client.discover``), register as an OAuth client of the old
   server, and send the user to authorize the ``activitypub_account_portability``
   scope. The job is an ``ImportJob`` (source ``activitypub``) whose ``options``
   hold the client, the ``state`` and, once granted, the token: that token reads
   private posts, so it is revoked and erased when the job no longer needs it.
2. ``finish_authorization``: the callback checks ``state``, and LOLA's
   ``activitypub_actor`` when sent (it must be the old actor), trades the code for
   the token and queues ``tasks.run_post_transfer``.
3. ``run``: pages through the old account's (migration) outbox with the token,
   maps each ``Create`` as the Mastodon archive importer does
   (``mastodon_mapping.map_activity``: text, audience, content warning, language,
   media, old id and page), and creates the posts through ``PostBatch``: quietly
   (no timelines, no notifications: LOLA says copies are not news), with their
   original dates, threads re-linked to the copies (or to a post held here), media
   downloaded through ``core.net`` and the safety gate. Each copy keeps its old id
   in ``Post.uri`` and old page in ``Post.origin_url`` (LOLA's breadcrumbs).
   ``ImportedItem`` rows keyed by the old id make it idempotent and resumable.
4. ``report_copies``: the old→new mapping goes to the source's ``movedObjects``
   endpoint (Rostra's), which redirects the old addresses and tells the servers
   holding the old posts. The source accepts it only after the old account moved
   here; until then the job says so and the user can ask again.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rostra.core import net
from rostra.federation import remote, uris
from rostra.portability import lola_client as lola
from rostra.portability import mastodon_mapping as mm
from rostra.portability.importer import _already_imported
from rostra.portability.models import ImportedItem, ImportJob
from rostra.portability.post_batch import PostBatch
from rostra.portability.x_mapping import MEDIA_KINDS
from rostra.posts.errors import PostError
from rostra.posts.models import Post

SOURCE = "activitypub"
MAX_PAGES = 5000
REPORT_CHUNK = 500
MEDIA_ACCEPT = "image/*, video/*;q=0.9, */*;q=0.1"
TransferError = lola.TransferError


@dataclass
class TransferReport:
    total: int = 0
    imported: int = 0
    already_imported: int = 0
    media_imported: int = 0
    skipped: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    redirects: str = ""  # "", "done", "waiting", "unsupported", "failed: ..."
    redirected: int = 0


class _Downloads:
    """What ``PostBatch`` reads media from: the files' URLs, fetched through
    ``core.net`` (without the grant: media need none). Failures become
    ``PostError`` so the post is copied without that file and the error reported."""

    def read_media(self, url: str) -> bytes:
        limit = max(settings.ROSTRA_MEDIA_MAX_BYTES, settings.ROSTRA_VIDEO_MAX_BYTES)
        try:
            response = net.fetch(url, accept=MEDIA_ACCEPT, max_bytes=limit, timeout=60)
        except net.NetError as exc:
            raise PostError(f"could not be fetched: {exc}") from exc
        if not response.ok:
            raise PostError(f"could not be fetched: HTTP {response.status}")
        return response.content


# --- 1 and 2: the grant -------------------------------------------------------------

def _old_actor(account, given: str) -> str:
    given = (given or "").strip()
    aliases = list(account.also_known_as or [])
    if not given and len(aliases) == 1:
        given = aliases[0]
    if not given.startswith(("https://", "http://")):
        try:
            given = remote.resolve_handle(given).uri if given else ""
        except remote.RemoteError as exc:
            raise TransferError(_("That account could not be found: %(exc)s")
                                % {"exc": exc}) from exc
    if not given or given not in aliases:
        raise TransferError(_("First add your old account as an alias of this one (Settings → "
          "Account), then bring its posts over."))
    return given


def start(user, old_account: str, callback_url: str) -> tuple[ImportJob, str]:
    """Begin a transfer into ``user``'s account; returns the job and the old
    server's authorization URL to send the browser to. Raises ``TransferError``."""
    actor_uri = _old_actor(user.account, old_account)
    source = lola.discover(actor_uri)
    client_id, secret = lola.register_client(
        source["origin"], callback_url, f"Rostra at {settings.ROSTRA_DOMAIN}",
        uris.origin() + "/")
    state = secrets.token_urlsafe(24)
    job = ImportJob.objects.create(user=user, source=SOURCE, options={
        **source, "stage": "authorizing", "client_id": client_id, "client_secret": secret,
        "state": state, "callback": callback_url})
    return job, lola.authorize_url(source, client_id, callback_url, state)


def finish_authorization(user, state: str, code: str, actor: str = "",
                         error: str = "") -> ImportJob:
    """The old server sent the browser back: take the token and queue the copy."""
    job = ImportJob.objects.filter(user=user, source=SOURCE, options__state=state or "-",
                                   options__stage="authorizing").first()
    if job is None:
        raise TransferError(_("This authorization does not match a transfer you started."))
    options = dict(job.options)
    if error or not code:
        _fail(job, "The old server did not authorize the transfer "
                   f"({error or 'no code'}). Start again when you are ready.")
        raise TransferError(job.error)
    if actor and actor != options["actor"]:
        _fail(job, f"You authorized {actor}, not your old account {options['actor']}.")
        raise TransferError(job.error)
    try:
        token = lola.exchange_code(options, options["client_id"], options["client_secret"],
                                   code, options["callback"])
    except TransferError as exc:
        _fail(job, str(exc))
        raise
    options.update(token=token, stage="copying", state="")
    ImportJob.objects.filter(pk=job.pk).update(options=options,
                                               status=ImportJob.Status.RUNNING)
    job.refresh_from_db()
    from rostra.portability.tasks import run_post_transfer

    transaction.on_commit(lambda: run_post_transfer.enqueue(job.pk))
    return job


def _fail(job: ImportJob, message: str) -> None:
    job.status, job.error, job.finished_at = ImportJob.Status.FAILED, message, timezone.now()
    job.options = {k: v for k, v in job.options.items() if k != "state"}
    job.save(update_fields=["status", "error", "finished_at", "options"])


# --- 3: the copy ---------------------------------------------------------------------

def _pages(options: dict, token: str):
    """Every item of the old account's migration outbox (pages on its server only)."""
    actor = options["actor"]
    document = lola.get_json(actor, token)
    migration = document.get("migration") if isinstance(document.get("migration"), dict) else {}
    outbox = lola._on_source(migration.get("outbox") or document.get("outbox"), actor, "outbox")
    options["moved_url"] = str(migration.get("movedObjects") or "")
    collection = lola.get_json(outbox, token)
    page = collection.get("first") if "first" in collection else collection
    seen: set[str] = set()
    for _n in range(MAX_PAGES):
        if isinstance(page, str):
            if page in seen:
                return
            seen.add(page)
            page = lola.get_json(lola._on_source(page, actor, "outbox page"), token)
        if not isinstance(page, dict):
            return
        items = page.get("orderedItems") or page.get("items") or []
        yield from (i for i in items if isinstance(i, dict)) if isinstance(items, list) else ()
        page = page.get("next")
        if not page:
            return


def _mapped(job: ImportJob, token: str, report: TransferReport) -> list[mm.MastodonPost]:
    found: dict[str, mm.MastodonPost] = {}
    options = job.options
    for item in _pages(options, token):
        try:
            post = mm.map_activity(item, owner_uri=options["actor"],
                                   followers_url=options.get("followers", ""))
        except (ValueError, KeyError, TypeError) as exc:
            report.errors.append({"id": str(item.get("id", ""))[:300], "error": str(exc)})
            continue
        if post is None or post.kind == mm.ANNOUNCE:
            report.skipped["other"] = report.skipped.get("other", 0) + 1
            continue
        found.setdefault(post.source_id, post)
    return sorted(found.values(), key=lambda p: (p.published, p.uri))


def copy_posts(job: ImportJob, report: TransferReport) -> None:
    """Create every post not copied yet (see the module doc)."""
    user, token = job.user, job.options["token"]
    posts = _mapped(job, token, report)
    report.total = len(posts)
    ids = {p.source_id for p in posts}
    done_ids = _already_imported(user, SOURCE)
    with PostBatch(user.account, job, _Downloads(), report, done_ids) as batch:
        for n, post in enumerate(posts, 1):
            if n % 50 == 0:
                ImportJob.objects.filter(pk=job.pk).update(
                    counts={"done": n, "total": report.total})
            if post.source_id in done_ids:
                report.already_imported += 1
                continue
            parent_id, text = _parent(post, ids, done_ids)
            photos = [(ref, ref.filename) for ref in post.media if ref.kind in MEDIA_KINDS]
            batch.add(post, text, post.visibility, parent_id, photos,
                      spoiler_text=post.spoiler_text, sensitive=post.sensitive,
                      on_created=_counted(report), uri=post.uri)
    ImportJob.objects.filter(pk=job.pk).update(counts={"done": report.total,
                                                       "total": report.total})


def _parent(post: mm.MastodonPost, ids: set[str], done_ids: dict) -> tuple[str | None, str]:
    """(the parent's source id, the text): a copied parent, else one held here
    (remembered under its source id), else a link to it in the text."""
    if not post.in_reply_to_uri:
        return None, post.text
    if post.in_reply_to_id in ids or done_ids.get(post.in_reply_to_id):
        return post.in_reply_to_id, post.text
    known = remote.known_post(post.in_reply_to_uri)
    if known is not None:
        done_ids[post.in_reply_to_id] = known.pk
        return post.in_reply_to_id, post.text
    return None, f"{post.text}\n\nIn reply to {post.in_reply_to_url}".strip()


def _counted(report: TransferReport):
    def created(_post) -> None:
        report.imported += 1
    return created


# --- 4: telling the old server ------------------------------------------------------------

def copies(user) -> list[Post]:
    """Every copy made by ``user``'s transfers (each keeps its old id in ``uri``)."""
    post_ids = ImportedItem.objects.filter(job__user=user, job__source=SOURCE,
                                           post__isnull=False).values("post_id")
    return list(Post.objects.filter(pk__in=post_ids).exclude(uri="").select_related("account"))


def report_copies(job: ImportJob, report: TransferReport) -> None:
    """Send the old→new mapping to the old server (see the module doc)."""
    options = job.options
    url = options.get("moved_url", "")
    if not url:
        report.redirects = "unsupported"
        return
    lola._on_source(url, options["actor"], "moved-objects endpoint")
    items = [{"object": p.uri, "target": uris.post_uri(p), "url": uris.post_url(p)}
             for p in copies(job.user) if remote.same_origin(p.uri, options["actor"])]
    actor = uris.actor_uri(job.user.account)
    total = 0
    for start_at in range(0, len(items), REPORT_CHUNK):
        status, body = lola.report_moved(url, options["token"], {
            "actor": actor, "items": items[start_at:start_at + REPORT_CHUNK]})
        if status == 409:
            report.redirects = "waiting"
            return
        if status != 200:
            report.redirects = f"failed: {body.get('error') or f'HTTP {status}'}"[:300]
            return
        total += int(body.get("recorded") or 0)
    report.redirects, report.redirected = "done", report.redirected + total


def run(job: ImportJob) -> ImportJob:
    """Copy (unless done) then report; the job records progress and the outcome."""
    report = TransferReport(**{k: v for k, v in (job.report or {}).items()
                               if k in TransferReport.__dataclass_fields__})
    try:
        if job.options.get("stage") == "copying":
            report = TransferReport()  # counts of this run; earlier copies count as already
            copy_posts(job, report)
            job.options = {**job.options, "stage": "reporting"}
        report_copies(job, report)
    except lola.RateLimited:
        job.report = asdict(report)
        job.save(update_fields=["report", "options"])
        raise  # the task asks again after Retry-After
    except TransferError as exc:
        job.status, job.error = ImportJob.Status.FAILED, str(exc)
    else:
        job.status, job.error = ImportJob.Status.DONE, ""
        if report.redirects != "waiting":
            _release_grant(job)
    job.report, job.finished_at = asdict(report), timezone.now()
    job.save(update_fields=["status", "error", "report", "finished_at", "options"])
    return job


def _release_grant(job: ImportJob) -> None:
    """Give the token back and forget the secrets: nothing more to fetch or report."""
    options = job.options
    if options.get("token"):
        lola.revoke(options, options.get("client_id", ""), options.get("client_secret", ""),
                    options["token"])
    job.options = {k: v for k, v in options.items()
                   if k not in {"token", "client_secret", "state"}} | {"stage": "finished"}
