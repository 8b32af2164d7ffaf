"""Account labels: "state-affiliated media", "government account", "official body".

A label is this server's moderators' statement of fact about an account, local or
remote, with where the fact comes from (``source_url``/``source_note``) and since
when. Moderators add and remove labels (soft: ``removed_at``), every change is in
the audit log, and an account's owner can neither set nor lift a label on their
own account. Doors show labels through ``labels_for`` (one query for many
accounts) or ``labels_of`` (one account; inside a request it reads a memo that
``LabelMemoMiddleware`` opens, so a page of posts or accounts costs one query).

A remote server's claims about its own accounts are never read in: labels come
only from this server's moderators (see docs/api-compat.md).
"""

from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from rostra.accounts import events as account_events
from rostra.accounts.models import Account
from rostra.integrity.models import AccountLabel
from rostra.moderation.services import audit

Kind = AccountLabel.Kind
MAX_NOTE = 500


class LabelError(ValueError):
    """A label that cannot be set or lifted; the message says why."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ShownLabel:
    """What doors show of a label (no moderator names, no internal ids beyond ``id``)."""

    id: int
    account_id: int
    kind: str
    country: str
    source_url: str
    source_note: str
    since: date

    @property
    def name(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def text(self) -> str:
        """"State-affiliated media · Russia": the label as one line."""
        return " · ".join(p for p in (self.name, self.country_name) if p)


_FIELDS = ("id", "account_id", "kind", "country", "source_url", "source_note", "since")


def _shown(row: dict) -> ShownLabel:
    return ShownLabel(**{name: row[name] for name in _FIELDS})


# --- reading --------------------------------------------------------------------

def labels_for(accounts: Iterable[Account | int]) -> dict[int, list[ShownLabel]]:
    """The live labels of ``accounts`` (objects or ids), by account id, in one query.
    Accounts without a label are absent from the result."""
    ids = {a if isinstance(a, int) else a.pk for a in accounts}
    found: dict[int, list[ShownLabel]] = {}
    if not ids:
        return found
    rows = (AccountLabel.objects.filter(account_id__in=ids, removed_at__isnull=True)
            .order_by("kind").values(*_FIELDS))
    for row in rows:
        found.setdefault(row["account_id"], []).append(_shown(row))
    return found


class _Memo:
    """Every live label, loaded on first need within one request."""

    def __init__(self):
        self.loaded = False
        self.labels: dict[int, list[ShownLabel]] = {}

    def get(self, account_id: int) -> list[ShownLabel]:
        if not self.loaded:
            rows = AccountLabel.objects.filter(removed_at__isnull=True).order_by("kind")
            self.labels = {}
            for row in rows.values(*_FIELDS):
                self.labels.setdefault(row["account_id"], []).append(_shown(row))
            self.loaded = True
        return self.labels.get(account_id, [])


_memo: contextvars.ContextVar[_Memo | None] = contextvars.ContextVar("rostra_label_memo",
                                                                     default=None)


def labels_of(account: Account | int) -> list[ShownLabel]:
    """The live labels of one account. Inside a request scope (the middleware), the
    first call loads every live label at once (labels are few: hundreds, not
    millions) and later calls read that memo; outside one, it queries."""
    account_id = account if isinstance(account, int) else account.pk
    memo = _memo.get()
    if memo is None:
        return labels_for([account_id]).get(account_id, [])
    return memo.get(account_id)


class LabelMemoMiddleware:
    """Opens a per-request memo for ``labels_of`` (nothing is read unless a page or
    an API answer shows an account), and closes it when the response is made, so a
    change is seen by the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set(_Memo())
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)


def _forget_memo() -> None:
    """A change in this request: show it at once (the memo is reloaded)."""
    memo = _memo.get()
    if memo is not None:
        memo.loaded = False


# --- countries ------------------------------------------------------------------

_CODE = re.compile(r"^[A-Z]{2}$")


@functools.cache
def _country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → English short name, from the tz database's
    ``iso3166.tab`` (the ``tzdata`` package, else the system's); empty if neither."""
    text = ""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        system = Path("/usr/share/zoneinfo/iso3166.tab")
        text = system.read_text("utf-8") if system.exists() else ""
    names = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "\t" in line:
            code, name = line.split("\t", 1)
            names[code.strip()] = name.strip()
    return names


def country_name(code: str) -> str:
    """The country's name for display; the code itself when it is not known."""
    return _country_names().get(code, code) if code else ""


# --- writing --------------------------------------------------------------------

def _changed(account: Account) -> None:
    """Show the change at once here, and tell followers' servers: a local account's
    actor document changed (``profile_updated`` sends an ``Update``)."""
    _forget_memo()
    if account.local:
        transaction.on_commit(
            lambda: account_events.profile_updated.send(Account, account=account))


def _check_moderator(by, account: Account) -> None:
    if by is None or not getattr(by, "is_staff", False):
        raise LabelError("Only moderators can set or lift account labels.")
    if getattr(by, "account_id", None) == account.pk:
        raise LabelError("You cannot set or lift a label on your own account.")


def _clean_source(source_url: str, source_note: str) -> tuple[str, str]:
    source_url, source_note = (source_url or "").strip(), (source_note or "").strip()
    if source_url:
        parts = urlsplit(source_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(source_url) > 2048:
            raise LabelError("The source must be an http(s) address.", "source_url")
    if not source_url and not source_note:
        raise LabelError("Say where this comes from: a source address or a note.",
                         "source_url")
    if len(source_note) > MAX_NOTE:
        raise LabelError(f"The source note is limited to {MAX_NOTE} characters.",
                         "source_note")
    return source_url, source_note


def add_label(account: Account, kind: str, *, by, country: str = "", source_url: str = "",
              source_note: str = "", since: date | None = None) -> AccountLabel:
    """Label ``account`` (local or remote) as ``kind``, citing a source.

    ``by`` is a staff user who is not the account's owner; ``country`` an ISO 3166-1
    alpha-2 code (required for state-affiliated media: whose state?); ``since`` the
    date the fact holds from (today by default, never in the future). One live label
    per kind and account. Raises ``LabelError``."""
    _check_moderator(by, account)
    if kind not in Kind.values:
        raise LabelError("Choose a kind of label.", "kind")
    country = (country or "").strip().upper()
    if country and not _CODE.match(country):
        raise LabelError("The country is a two-letter ISO code, such as RU or FR.", "country")
    if kind == Kind.STATE_MEDIA and not country:
        raise LabelError("Say which state the media is affiliated with.", "country")
    source_url, source_note = _clean_source(source_url, source_note)
    since = since or timezone.localdate()
    if since > timezone.localdate():
        raise LabelError("The date cannot be in the future.", "since")
    try:
        with transaction.atomic():
            label = AccountLabel.objects.create(
                account=account, kind=kind, country=country, source_url=source_url,
                source_note=source_note, since=since, created_by=by)
            audit(by, "label.added", None, account=account.acct, account_id=account.pk,
                  label_id=label.pk, kind=kind, country=country, source_url=source_url,
                  since=since.isoformat())
    except IntegrityError:
        raise LabelError(f"@{account.acct} already has this label.", "kind") from None
    _changed(account)
    return label


def remove_label(label: AccountLabel, *, by) -> AccountLabel:
    """Lift ``label`` (kept on record with ``removed_at``); idempotent once lifted."""
    _check_moderator(by, label.account)
    if label.removed_at is not None:
        return label
    with transaction.atomic():
        label.removed_at = timezone.now()
        AccountLabel.objects.filter(pk=label.pk).update(removed_at=label.removed_at)
        audit(by, "label.removed", None, account=label.account.acct,
              account_id=label.account_id, label_id=label.pk, kind=label.kind)
    _changed(label.account)
    return label


def live_labels():
    """Every live label, newest first (the moderators' list)."""
    return (AccountLabel.objects.filter(removed_at__isnull=True)
            .select_related("account", "created_by").order_by("-created_at", "-pk"))
