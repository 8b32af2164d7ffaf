"""Lists: a reader's named sets of followed accounts, each with its own timeline.

As in Mastodon, only accounts the owner follows can be members (unfollowing
removes the account from the owner's lists at read time: the list timeline only
shows members still followed). ``replies_policy`` decides which replies show:
``followed`` (replies to anyone the owner follows), ``list`` (replies to members),
``none``. An ``exclusive`` list takes its members' posts out of the home timeline.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from rostra.accounts.models import Account, Follow
from rostra.core.read_scope import remembered
from rostra.timelines.errors import TimelineError
from rostra.timelines.models import List, ListAccount

MAX_TITLE = 200
POLICIES = tuple(List.RepliesPolicy.values)


def _title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise TimelineError(_("Title can't be blank"), "title")
    if len(title) > MAX_TITLE:
        raise TimelineError(_("Title is too long (at most %(max_title)s characters)")
            % {"max_title": MAX_TITLE}, "title")
    return title


def _policy(policy: str | None) -> str:
    if policy not in POLICIES:
        raise TimelineError(_("replies_policy must be one of %(policies)s")
            % {"policies": ', '.join(POLICIES)},
                            "replies_policy")
    return policy


def create_list(owner: Account, title: str, *, replies_policy: str = "list",
                exclusive: bool = False) -> List:
    return List.objects.create(account=owner, title=_title(title),
                               replies_policy=_policy(replies_policy), exclusive=exclusive)


def update_list(lst: List, *, title: str | None = None, replies_policy: str | None = None,
                exclusive: bool | None = None) -> List:
    """Change what is given (None leaves a field as it is)."""
    if title is not None:
        lst.title = _title(title)
    if replies_policy is not None:
        lst.replies_policy = _policy(replies_policy)
    if exclusive is not None:
        lst.exclusive = exclusive
    lst.save()
    return lst


def delete_list(lst: List) -> None:
    lst.delete()


def lists_of(owner: Account):
    return List.objects.filter(account=owner).order_by("id")


def get_list(owner: Account, list_id: int) -> List | None:
    """The owner's list ``list_id``; None for anyone else's (lists are private)."""
    return List.objects.filter(account=owner, pk=list_id).first()


def lists_containing(owner: Account, member: Account):
    """The owner's lists that ``member`` belongs to."""
    return lists_of(owner).filter(members__account=member)


def add_accounts(lst: List, accounts: list[Account]) -> None:
    """Add members; every one must be followed by the list's owner (else nothing is
    added). Adding a member twice is not an error."""
    followed = set(Follow.objects.filter(account_id=lst.account_id,
                                         target_account__in=accounts)
                   .values_list("target_account_id", flat=True))
    missing = [a for a in accounts if a.pk not in followed]
    if missing:
        raise TimelineError(_("You must follow an account to add it to a list"), "account_ids")
    with transaction.atomic():
        for account in accounts:
            ListAccount.objects.get_or_create(list=lst, account=account)


def remove_accounts(lst: List, accounts: list[Account]) -> None:
    ListAccount.objects.filter(list=lst, account__in=accounts).delete()


def member_rows(lst: List):
    """The membership rows of ``lst`` (page over their ids), with the account."""
    return ListAccount.objects.filter(list=lst).select_related("account")


def member_ids(lst: List) -> list[int]:
    """Members the owner still follows (an unfollow takes an account off its lists)."""
    followed = Follow.objects.filter(account_id=lst.account_id).values("target_account_id")
    return list(ListAccount.objects.filter(list=lst, account_id__in=followed)
                .values_list("account_id", flat=True))


def exclusive_member_ids(owner: Account) -> set[int]:
    """Accounts in any of the owner's exclusive lists: their posts leave home."""
    return set(remembered(("exclusive_members", owner.pk), lambda: frozenset(
        ListAccount.objects.filter(list__account=owner, list__exclusive=True)
        .values_list("account_id", flat=True))))
