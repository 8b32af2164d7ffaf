"""Endorsements ("feature on profile") and familiar followers.

As in Mastodon, an account can endorse only accounts it follows; the list is the
owner's choice, shown on their profile (``GET /api/v1/accounts/:id/endorsements``
is not served; the owner reads it at ``/api/v1/endorsements``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, Endorsement, Follow

MAX_ENDORSEMENTS = 100


def endorse(account: Account, target: Account) -> Endorsement:
    """Feature ``target`` on ``account``'s profile; endorsing twice is not an error."""
    if not Follow.objects.filter(account=account, target_account=target).exists():
        raise AccountError(_("You must be following an account to feature it on your profile"))
    found = Endorsement.objects.filter(account=account, target_account=target).first()
    if found is not None:
        return found
    if Endorsement.objects.filter(account=account).count() >= MAX_ENDORSEMENTS:
        raise AccountError(_("You can feature at most %(max_endorsements)s accounts")
            % {"max_endorsements": MAX_ENDORSEMENTS})
    return Endorsement.objects.create(account=account, target_account=target)


def unendorse(account: Account, target: Account) -> None:
    Endorsement.objects.filter(account=account, target_account=target).delete()


def is_endorsed(account: Account, target: Account) -> bool:
    return Endorsement.objects.filter(account=account, target_account=target).exists()


def endorsement_rows(account: Account):
    """The owner's endorsements (page over their ids) with the featured account."""
    return (Endorsement.objects.filter(account=account, target_account__suspended_at__isnull=True)
            .select_related("target_account"))


def familiar_followers(viewer: Account, target: Account) -> list[Account]:
    """Accounts ``viewer`` follows that follow ``target`` (neither of them included)."""
    followed = Follow.objects.filter(account=viewer).values("target_account_id")
    return list(
        Account.objects.filter(pk__in=followed, suspended_at__isnull=True,
                               following_set__target_account=target)
        .exclude(pk__in=(viewer.pk, target.pk)).order_by("id")
    )
