"""Mastodon's CSV imports: follows, mutes, blocks, domain blocks, lists and bookmarks
(and Rostra's private notes on accounts).

Files as Mastodon exports them: ``following_accounts.csv`` (``Account
address,Show boosts,Notify on new posts,Languages``), ``muted_accounts.csv``
(``Account address,Hide notifications``), ``blocked_accounts.csv`` (one
address a line), ``blocked_domains.csv`` (one domain a line, under a
``#domain`` header in newer exports), ``lists.csv`` (``list name,account
address``), ``bookmarks.csv`` (one post URL a line), and Rostra's own
``account_notes.csv`` (``Account address,Note``: private notes on accounts,
which Mastodon does not export). Headers are optional: older exports have none.

A file is checked whole before anything happens (``parse``): a row of the
wrong shape rejects the file with its line named. The rows then become an
``ImportJob`` (source ``csv``) that ``run`` works through, resolving remote
accounts and posts over the network (``federation.remote``), so the doors run
it as a background task. Every action is idempotent and the job records how
far it got, so a killed run resumes; each row's outcome goes to the report.
``overwrite`` then removes what the file does not list, as Mastodon does.

A list member must be followed; when the follow waits for its server's (or its
owner's) acceptance, the row waits too (status ``waiting``) and
``add_waiting_members`` adds it when the follow is made.
"""

from __future__ import annotations

import csv
import io
import re

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rostra.accounts import domain_blocks
from rostra.accounts import notes as account_notes
from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, AccountNote, Block, Follow, Mute
from rostra.core import i18n
from rostra.portability.models import ImportJob
from rostra.posts import services as posts
from rostra.posts.errors import PostError
from rostra.posts.models import Bookmark, Post
from rostra.timelines import lists as lists_service
from rostra.timelines.errors import TimelineError

SOURCE = "csv"
KINDS = {
    "following": gettext_noop("Follows (following_accounts.csv)"),
    "muting": gettext_noop("Muted accounts (muted_accounts.csv)"),
    "blocking": gettext_noop("Blocked accounts (blocked_accounts.csv)"),
    "domain_blocking": gettext_noop("Blocked domains (blocked_domains.csv)"),
    "lists": gettext_noop("Lists (lists.csv)"),
    "bookmarks": gettext_noop("Bookmarks (bookmarks.csv)"),
    "account_notes": gettext_noop("Private notes on accounts (account_notes.csv)"),
}
MODES = ("merge", "overwrite")
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
SAVE_EVERY = 50
_ACCT = re.compile(r"^@?[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,63})(?:@[A-Za-z0-9.\-]+(?::\d{1,5})?)?$")
_HEADERS = {"account address", "list name", "#domain", "domain"}


class CsvImportError(ValueError):
    """The file cannot be imported; the message names the problem (and the line)."""


def _flag(value: str, line: int, default: bool) -> bool:
    value = (value or "").strip().lower()
    if value == "":
        return default
    if value in {"true", "1", "yes"}:
        return True
    if value in {"false", "0", "no"}:
        return False
    raise CsvImportError(_("Line %(line)s: %(value)s is not true or false.")
        % {"line": line, "value": repr(value)})


def _acct(value: str, line: int) -> str:
    value = (value or "").strip()
    if not _ACCT.match(value):
        raise CsvImportError(_("Line %(line)s: %(value)s is not an account address "
          "(user@domain). Is this the right file for this kind?")
            % {"line": line, "value": repr(value[:80])})
    return value.lstrip("@")


def _domain(value: str, line: int) -> str:
    try:
        return domain_blocks.normalize_domain(value)
    except AccountError as exc:
        raise CsvImportError(_("Line %(line)s: %(exc)s Is this the right file for this kind?")
            % {"line": line, "exc": exc}) from exc


def parse(kind: str, data: bytes, *, allow_empty: bool = False) -> list[list]:
    """Check a whole file; return its rows normalised, or raise ``CsvImportError``
    (also for a file without rows, unless ``allow_empty``)."""
    if kind not in KINDS:
        raise CsvImportError(_("Unknown kind of import %(kind)s.") % {"kind": repr(kind)})
    if len(data) > MAX_BYTES:
        raise CsvImportError(_("The file is larger than %(value)s MB.")
            % {"value": MAX_BYTES // (1024 * 1024)})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvImportError(_("This is not a CSV text file (it is not UTF-8 text).")) from exc
    if "\x00" in text:
        raise CsvImportError(_("This is not a CSV text file (it holds binary data)."))
    try:
        raw = [r for r in csv.reader(io.StringIO(text), strict=True) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise CsvImportError(_("This is not a readable CSV file (%(exc)s).")
                             % {"exc": exc}) from exc
    if raw and raw[0][0].strip().lower() in _HEADERS:
        raw, offset = raw[1:], 2
    else:
        offset = 1
    if not raw:
        if allow_empty:
            return []
        raise CsvImportError(_("The file has no rows to import."))
    if len(raw) > MAX_ROWS:
        raise CsvImportError(_("The file has more than %(max_rows)s rows.")
            % {"max_rows": MAX_ROWS})
    return [_row(kind, cells, n) for n, cells in enumerate(raw, offset)]


def _row(kind: str, cells: list[str], line: int) -> list:
    cells = [c.strip() for c in cells]
    if kind == "following":
        return [_acct(cells[0], line), _flag((cells + [""])[1], line, True),
                _flag((cells + ["", ""])[2], line, False)]
    if kind == "muting":
        return [_acct(cells[0], line), _flag((cells + [""])[1], line, True)]
    if kind == "blocking":
        return [_acct(cells[0], line)]
    if kind == "domain_blocking":
        return [_domain(cells[0], line)]
    if kind == "lists":
        if len(cells) < 2 or not cells[0]:
            raise CsvImportError(_("Line %(line)s: expected 'list name,account address'.")
                % {"line": line})
        if len(cells[0]) > lists_service.MAX_TITLE:
            raise CsvImportError(_("Line %(line)s: the list name is too long.") % {"line": line})
        return [cells[0], _acct(cells[1], line)]
    if kind == "account_notes":
        if len(cells) < 2 or not cells[1]:
            raise CsvImportError(_("Line %(line)s: expected 'account address,note'.")
                % {"line": line})
        if len(cells[1]) > account_notes.MAX_NOTE:
            raise CsvImportError(_("Line %(line)s: the note is longer than %(max_note)s "
                                   "characters.") % {"line": line,
                                                     "max_note": account_notes.MAX_NOTE})
        return [_acct(cells[0], line), cells[1]]
    url = cells[0]
    if not re.match(r"^https?://\S+$", url) or len(url) > 2048:
        raise CsvImportError(_("Line %(line)s: %(url)s is not a post URL. Is this the right file "
          "for this kind?") % {"line": line, "url": repr(url[:80])})
    return [url]


def create_job(user, kind: str, rows: list[list], *, mode: str = "merge",
               origin: str = "") -> ImportJob:
    """A pending job holding checked ``rows`` (from ``parse`` or an archive)."""
    if mode not in MODES:
        raise CsvImportError(_("mode must be one of %(modes)s") % {"modes": ', '.join(MODES)})
    return ImportJob.objects.create(
        user=user, source=SOURCE, options={"kind": kind, "mode": mode, "rows": rows,
                                           "origin": origin, "language": _language(user)},
        counts={"done": 0, "total": len(rows)}, report={"kind": kind, "rows": []})


def _language(user) -> str:
    """The language the job's report is written in: the user's choice, else the one
    the request that made the job spoke (a row's outcome is stored as text)."""
    return i18n.supported(user.locale or "") or translation.get_language() or ""


def start(user, kind: str, data: bytes, *, mode: str = "merge") -> ImportJob:
    """Check the file and create its job (raises ``CsvImportError``; no job then)."""
    return create_job(user, kind, parse(kind, data), mode=mode, origin=KINDS.get(kind, kind))


def enqueue(job: ImportJob) -> None:
    from rostra.portability.tasks import run_csv_import

    run_csv_import.enqueue(job.pk)


# --- running ------------------------------------------------------------------------------

def _resolve_account(acct: str) -> Account:
    from rostra.federation.remote import RemoteError, resolve_handle

    try:
        return resolve_handle(acct)
    except RemoteError as exc:
        raise AccountError(str(exc)) from exc


def _resolve_post(url: str) -> Post:
    from rostra.federation.remote import RemoteError, resolve_url

    try:
        found = resolve_url(url)
    except RemoteError as exc:
        raise PostError(str(exc)) from exc
    if not isinstance(found, Post):
        raise PostError(_("This URL names no post."))
    return found


class Waiting(str):
    """A row's outcome that waits for a follow to be accepted (``account_id``)."""

    account_id: int


def _waiting(message: str, account_id: int) -> Waiting:
    outcome = Waiting(message)
    outcome.account_id = account_id
    return outcome


def _apply(account: Account, kind: str, row: list) -> str:
    """Do one row; return its outcome (raises the domain errors for a failed row)."""
    if kind == "bookmarks":
        post = _resolve_post(row[0])
        posts.bookmark(account, post)
        return _("bookmarked")
    if kind == "domain_blocking":
        domain_blocks.block_domain(account, row[0])
        return _("domain blocked")
    target = _resolve_account(row[-1] if kind == "lists" else row[0])
    if kind == "following":
        result = accounts.follow(account, target, show_reblogs=row[1], notify=row[2])
        return _("followed") if isinstance(result, Follow) else _("follow requested")
    if kind == "muting":
        accounts.mute(account, target, notifications=row[1])
        return _("muted")
    if kind == "blocking":
        accounts.block(account, target)
        return _("blocked")
    if kind == "account_notes":
        account_notes.set_note(account, target, row[1])
        return _("note saved")
    lst = (lists_service.lists_of(account).filter(title=row[0]).first()
           or lists_service.create_list(account, row[0]))
    if not Follow.objects.filter(account=account, target_account=target).exists():
        if not isinstance(accounts.follow(account, target), Follow):
            return _waiting(_("follow requested; added to the list once accepted"),
                            target.pk)
    lists_service.add_accounts(lst, [target])
    return _("added to %(list)s") % {"list": row[0]}


def run(job: ImportJob, *, progress=None) -> dict:
    """Work through ``job``'s rows from where it stopped; return its report, written
    in the job's language."""
    with translation.override(job.options.get("language") or None):
        return _run(job, progress)


def _run(job: ImportJob, progress) -> dict:
    account = job.user.account
    kind, mode = job.options["kind"], job.options.get("mode", "merge")
    rows = job.options["rows"]
    report = dict(job.report or {})
    outcomes = list(report.get("rows", []))
    start_at = int((job.counts or {}).get("done", 0))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, error="")
    for n in range(start_at, len(rows)):
        row = rows[n]
        value = row[-1] if kind == "lists" else row[0]
        try:
            with transaction.atomic():
                message = _apply(account, kind, row)
            outcome = {"row": n + 1, "value": value, "status": "ok", "message": str(message)}
            if isinstance(message, Waiting):
                outcome.update(status="waiting", list=row[0], account_id=message.account_id)
        except (AccountError, PostError, TimelineError) as exc:
            outcome = {"row": n + 1, "value": value, "status": "error", "message": str(exc)}
        except Exception as exc:
            report["rows"] = outcomes
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.FAILED, error=f"Row {n + 1}: {exc}", report=report,
                counts={"done": n, "total": len(rows)}, finished_at=timezone.now())
            raise
        outcomes.append(outcome)
        if progress:
            progress(n + 1, len(rows))
        if (n + 1) % SAVE_EVERY == 0:
            report["rows"] = outcomes
            ImportJob.objects.filter(pk=job.pk).update(
                counts={"done": n + 1, "total": len(rows)}, report=report)
    removed = _overwrite(account, kind, rows) if mode == "overwrite" else 0
    followed = set(Follow.objects.filter(account=account).values_list("target_account_id",
                                                                      flat=True))
    for outcome in outcomes:  # a follow accepted while the rows ran
        if outcome["status"] == "waiting" and outcome["account_id"] in followed:
            _add_waiting(account, outcome)
    report.update(rows=outcomes, removed=removed)
    _tally(report)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, counts={"done": len(rows), "total": len(rows)},
        report=report, finished_at=timezone.now(),
        options={**job.options, "waiting": report["waiting"] > 0})
    job.refresh_from_db()
    return report


def _tally(report: dict) -> None:
    for key, status in (("ok", "ok"), ("failed", "error"), ("waiting", "waiting")):
        report[key] = sum(1 for o in report["rows"] if o["status"] == status)


def _add_waiting(account: Account, outcome: dict) -> None:
    target = Account.objects.get(pk=outcome["account_id"])
    try:
        with transaction.atomic():
            lst = (lists_service.lists_of(account).filter(title=outcome["list"]).first()
                   or lists_service.create_list(account, outcome["list"]))
            lists_service.add_accounts(lst, [target])
    except TimelineError as exc:
        outcome.update(status="error", message=str(exc))
        return
    outcome.update(status="ok", message=_("added to %(list)s") % {"list": outcome["list"]})


def add_waiting_members(sender, follow, **kwargs) -> None:
    """A follow was made (or accepted): add its target to the lists whose import
    waited for it (``accounts.events.followed`` / ``follow_request_accepted``)."""
    account = follow.account
    if account.domain:
        return
    for job in ImportJob.objects.filter(user__account=account, source=SOURCE,
                                        options__waiting=True):
        report = dict(job.report or {})
        waiting = [o for o in report.get("rows", []) if o.get("status") == "waiting"
                   and o.get("account_id") == follow.target_account_id]
        if not waiting:
            continue
        with translation.override(job.options.get("language") or None):
            for outcome in waiting:
                _add_waiting(account, outcome)
        _tally(report)
        ImportJob.objects.filter(pk=job.pk).update(
            report=report, options={**job.options, "waiting": report["waiting"] > 0})


def _norm(acct: str) -> str:
    acct = acct.lstrip("@").lower()
    user, __, domain = acct.partition("@")
    return user if not domain or domain in accounts.local_domain_names() else acct


def _remove_note(account: Account, target: Account) -> None:
    account_notes.set_note(account, target, "")


def _overwrite(account: Account, kind: str, rows: list[list]) -> int:
    """Remove what the file does not list (compared by address or URL, so a row
    that failed to resolve still keeps what it names)."""
    removed = 0
    if kind in {"following", "muting", "blocking", "account_notes"}:
        listed = {_norm(r[0]) for r in rows}
        model = {"following": Follow, "muting": Mute, "blocking": Block,
                 "account_notes": AccountNote}[kind]
        undo = {"following": accounts.unfollow, "muting": accounts.unmute,
                "blocking": accounts.unblock, "account_notes": _remove_note}[kind]
        for rel in model.objects.filter(account=account).select_related("target_account"):
            if _norm(rel.target_account.acct) not in listed:
                undo(account, rel.target_account)
                removed += 1
    elif kind == "domain_blocking":
        listed = {r[0] for r in rows}
        for block in domain_blocks.blocked_domains(account).exclude(domain__in=listed):
            domain_blocks.unblock_domain(account, block.domain)
            removed += 1
    elif kind == "lists":
        wanted: dict[str, set[str]] = {}
        for title, acct in rows:
            wanted.setdefault(title, set()).add(_norm(acct))
        for lst in lists_service.lists_of(account).filter(title__in=wanted):
            for member in lists_service.member_rows(lst):
                if _norm(member.account.acct) not in wanted[lst.title]:
                    lists_service.remove_accounts(lst, [member.account])
                    removed += 1
    elif kind == "bookmarks":
        listed = {r[0] for r in rows}
        for mark in Bookmark.objects.filter(account=account).select_related("post__account"):
            post = mark.post
            urls = {post.uri, post.origin_url, *_local_urls(post)}
            if not urls & listed:
                posts.unbookmark(account, post)
                removed += 1
    return removed


def _local_urls(post: Post) -> tuple[str, ...]:
    if post.account.domain:
        return ()
    from rostra.federation import uris

    return uris.post_uri(post), uris.post_url(post)
