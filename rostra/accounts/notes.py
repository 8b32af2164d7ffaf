"""Private notes on accounts (Mastodon's account notes).

A note is what one account keeps about another for itself ("met at the
conference", "prefers they/them"). Only its author ever reads it: the API's
Relationship ``note`` and the profile page show it to them alone, nothing
federates it, and it goes into its author's own export and no one else's. As
in Mastodon, a note on one's own account is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, AccountNote

MAX_NOTE = 2000  # characters, as Mastodon's AccountNote


def set_note(account: Account, target: Account, text: str | None) -> AccountNote | None:
    """Keep ``text`` as ``account``'s note on ``target``, replacing the one before.

    The text is stripped (NUL characters and Windows line ends too, so a browser's
    ``\\r\\n`` counts as one character); an empty text removes the note. Returns
    the note, or None when there is none now. Raises ``AccountError`` (field
    ``text``) past ``MAX_NOTE`` characters, leaving the note as it was.
    """
    text = (text or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        AccountNote.objects.filter(account=account, target_account=target).delete()
        return None
    if len(text) > MAX_NOTE:
        raise AccountError(_("A note can be at most %(max_note)s characters long (this one has "
                             "%(length)s).") % {"max_note": MAX_NOTE, "length": len(text)},
                           "text")
    note, __ = AccountNote.objects.update_or_create(
        account=account, target_account=target, defaults={"text": text})
    return note


def note_on(account: Account | None, target: Account) -> str:
    """``account``'s note on ``target`` ("" when there is none, or no reader)."""
    if account is None:
        return ""
    return notes_on(account, [target.pk]).get(target.pk, "")


def notes_on(account: Account, target_ids: Iterable[int]) -> dict[int, str]:
    """Target id -> ``account``'s note, for many targets in one query (targets
    without a note are absent)."""
    ids = list(target_ids)
    if not ids:
        return {}
    return dict(AccountNote.objects.filter(account=account, target_account_id__in=ids)
                .values_list("target_account_id", "text"))
