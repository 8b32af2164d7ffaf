"""A person leaves for good (GDPR Art. 17): "Delete my account" in the settings.

**The request** (``request_deletion``) deactivates the account and schedules its
deletion ``ROSTRA_ACCOUNT_DELETION_GRACE_DAYS`` later (30 by default; 0 deletes at
once). While it is pending the account is hidden from every door exactly as a
suspended one is, through the one rule (``suspended_at`` set: ``posts.visibility``,
``find_account``, the timelines, the API's tokens, the actor document, which answers
404, never 410). ``suspended_at`` then holds the deletion date itself: that both
hides the account and marks that its owner, not a moderator, hid it (a moderator's
suspension writes its own time over it, and its undoing writes the date back).
Nothing is federated during the grace period: remote servers keep their copies,
and nothing they would delete needs re-sending if the owner changes their mind.
The owner can still sign in, only to see the date and cancel (``cancel_deletion``),
which puts the two fields back and leaves everything else as it was. An e-mail
confirms the request with the date and how to cancel.

**The deletion** (``delete_account``), at ``delete_after`` (a task queued with
``run_after``, and ``delete_overdue`` when a worker starts), or at once from the
CLI: in one transaction the account is marked deleted, its profile emptied, its
log-in disabled and its e-mail address erased; after commit ``events.account_deleted``
is sent (federation sends ``Delete`` of the actor to every server that may hold a
copy; each app drops what it keeps for the account) and ``purge_account`` is
queued, which removes the social graph (keeping everyone's counters right) and,
through the posts app's subscriber, every post and its media files. Quarantined
media files stay in quarantine: they are the evidence of the moderation case the
media gate opened for each of them, and moderation decides their fate.

The ``Account`` row stays, emptied: its username stays taken (nobody can later
pose as the deleted person on the fediverse), and its key still signs the
``Delete`` deliveries while they are retried.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django_tasks import task

from rostra.accounts import events
from rostra.accounts.errors import AccountError
from rostra.accounts.models import (
    Account,
    AccountDomainBlock,
    AccountNote,
    Block,
    Endorsement,
    Follow,
    FollowRequest,
    Mute,
    SuggestionDismissal,
    User,
)
from rostra.core import mail
from rostra.core.links import absolute_url

SIGN_IN_PATH = "/auth/login"


def grace_period() -> timedelta:
    return timedelta(days=max(0, settings.ROSTRA_ACCOUNT_DELETION_GRACE_DAYS))


def awaiting_deletion(account: Account) -> bool:
    """Whether ``account`` is hidden by its owner's pending deletion request only
    (not also suspended by moderators since): its owner may sign in to cancel."""
    return (account.delete_after is not None and account.deleted_at is None
            and account.suspended_at == account.delete_after)


def when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%d %B %Y, %H:%M} UTC"


def request_deletion(account: Account) -> datetime:
    """Deactivate ``account`` (a local one, not suspended) now and delete it after the
    grace period; return when. Asking again changes nothing. Raises ``AccountError``."""
    if not account.local:
        raise AccountError(_("Only accounts of this server can be deleted here."))
    if awaiting_deletion(account):
        return account.delete_after
    if account.deleted_at:
        raise AccountError(_("This account is already deleted."))
    if account.suspended_at:
        raise AccountError(_("A suspended account cannot ask for its deletion; an admin can "
          "delete it."))
    now = timezone.now()
    if not grace_period():
        delete_account(account)
        return now
    due = now + grace_period()
    with transaction.atomic():
        if not Account.objects.filter(pk=account.pk, suspended_at__isnull=True,
                                      deleted_at__isnull=True).update(
                suspended_at=due, delete_after=due):
            raise AccountError(_("This account changed meanwhile; try again."))
        account.suspended_at = account.delete_after = due

        def after() -> None:
            delete_when_due.using(run_after=due).enqueue(account.pk)
            _mail(account, lambda: (
                _("Your account will be deleted on %(when)s") % {"when": _when(due)},
                _("You asked to delete your account @%(username)s. It is hidden now and "
                  "will be deleted for good on %(when)s: your posts, media and followers, "
                  "and the copies on other servers.\n\nChanged your mind? Sign in before "
                  "then at %(url)s and choose “Cancel deletion”: everything comes "
                  "back as it was.\n\nIf you did not ask for this, sign in, cancel, and "
                  "change your password.\n")
                % {"username": account.username, "when": _when(due),
                   "url": absolute_url(SIGN_IN_PATH)}))

        transaction.on_commit(after)
    return due


def cancel_deletion(account: Account) -> None:
    """Undo ``request_deletion``: ``account`` is shown again exactly as before.
    Raises ``AccountError`` when no deletion of it is pending, or when moderators
    suspended it meanwhile (the deletion then goes ahead)."""
    if not awaiting_deletion(account):
        raise AccountError(_("No deletion of this account is pending."))
    due = account.delete_after
    if not Account.objects.filter(pk=account.pk, deleted_at__isnull=True, delete_after=due,
                                  suspended_at=due).update(suspended_at=None,
                                                           delete_after=None):
        raise AccountError(_("Too late: this account is being deleted."))
    account.suspended_at = account.delete_after = None
    transaction.on_commit(lambda: _mail(account, lambda: (
        _("The deletion of your account was cancelled"),
        _("Your account @%(username)s will not be deleted: it is back as it was.\n")
        % {"username": account.username})))


@task()
def delete_when_due(account_id: int) -> bool:
    """Delete the account whose grace period is over (once; a cancelled or
    postponed request is left alone). Returns whether it deleted."""
    with transaction.atomic():
        account = (Account.objects.select_for_update()
                   .filter(pk=account_id, domain="", deleted_at__isnull=True,
                           delete_after__lte=timezone.now()).first())
        if account is None:
            return False
        delete_account(account)
    return True


def delete_overdue() -> int:
    """Delete every account whose grace period ended while no worker ran (the
    worker's safety net, run when it starts)."""
    due = (Account.objects.filter(domain="", deleted_at__isnull=True,
                                  delete_after__lte=timezone.now())
           .values_list("pk", flat=True))
    return sum(delete_when_due.call(pk) for pk in list(due))


def delete_account(account: Account) -> None:
    """Close ``account`` (a local one) now and queue the removal of what it made."""
    if not account.local:
        raise AccountError(_("Only accounts of this server can be deleted here."))
    if account.deleted_at:
        return
    files = [f for f in (account.avatar, account.header) if f]
    now = timezone.now()
    # a moderator's suspension keeps its own time; the pending request's date goes
    suspended = account.suspended_at if (
        account.suspended_at and not awaiting_deletion(account)) else now
    holder = User.objects.filter(account=account).first()
    email = holder.email if holder is not None else ""
    language = mail.language_of(holder)
    with transaction.atomic():
        Account.objects.filter(pk=account.pk).update(
            deleted_at=now, suspended_at=suspended, display_name="",
            note="", note_html="", fields=[], avatar="", header="", discoverable=False,
            locked=False)
        user = User.objects.filter(account=account).first()
        if user is not None:
            user.is_active = False
            user.set_unusable_password()
            user.email = f"deleted-{account.pk}@invalid"
            user.totp_secret = ""
            user.save(update_fields=["is_active", "password", "email", "totp_secret"])
        account.refresh_from_db()

        def after() -> None:
            for f in files:
                f.storage.delete(f.name)
            events.account_deleted.send(Account, account=account)
            purge_account.enqueue(account.pk)
            if email:
                mail.send_in(language, lambda: (
                    _("Your account @%(username)s was deleted")
                    % {"username": account.username},
                    _("Your account, its posts and media were deleted, and the servers that "
                      "knew it were asked to delete their copies.\nThis is the last message "
                      "we send to this address.\n")), [email])

        transaction.on_commit(after)


def _when(moment: datetime) -> str:
    """``when`` in the active language (month names), for e-mails."""
    return _("%(date)s UTC") % {"date": dateformat.format(moment.astimezone(UTC),
                                                          "d F Y, H:i")}


def _mail(account: Account, compose) -> None:
    """E-mail ``account``'s holder what ``compose()`` writes, in their language."""
    user = User.objects.filter(account=account).first()
    if user is not None and user.email:
        mail.send_in(mail.language_of(user), compose, [user.email])


@task()
def purge_account(account_id: int) -> None:
    account = Account.objects.filter(pk=account_id, deleted_at__isnull=False).first()
    if account is not None:
        purge_graph(account)


def purge_graph(account: Account) -> None:
    """End every relation of ``account``, with the other side's counters kept right."""
    with transaction.atomic():
        following = list(Follow.objects.filter(account=account)
                         .values_list("target_account_id", flat=True))
        followers = list(Follow.objects.filter(target_account=account)
                         .values_list("account_id", flat=True))
        Follow.objects.filter(account=account).delete()
        Follow.objects.filter(target_account=account).delete()
        Account.objects.filter(pk__in=following, followers_count__gt=0).update(
            followers_count=F("followers_count") - 1)
        Account.objects.filter(pk__in=followers, following_count__gt=0).update(
            following_count=F("following_count") - 1)
        Account.objects.filter(pk=account.pk).update(followers_count=0, following_count=0)
        for model in (FollowRequest, Block, Mute, Endorsement, SuggestionDismissal,
                      AccountNote):
            model.objects.filter(account=account).delete()
            model.objects.filter(target_account=account).delete()
        AccountDomainBlock.objects.filter(account=account).delete()
