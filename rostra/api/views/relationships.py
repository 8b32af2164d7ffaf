"""Follow, block and mute buttons and the private note on an account (each
answers with the Relationship), the relationships look-up, and the lists of
follow requests, blocks and mutes."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from rostra.accounts import notes as account_notes
from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, Block, FollowRequest, Mute
from rostra.api.auth import endpoint
from rostra.api.errors import from_domain, not_found, validation
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.account import serialize_account
from rostra.api.serializers.relationship import serialize_relationship
from rostra.api.views.lookups import as_id, get_account
from rostra.timelines.pagination import paginate

FOLLOW = ("write:follows", "follow")
BLOCK = ("write:blocks", "follow")
MUTE = ("write:mutes", "follow")
MAX_MUTE_SECONDS = 100 * 365 * 86400


@endpoint(["POST"], scope=FOLLOW)
def follow(request, account_id):
    target = get_account(account_id)
    p = request.params
    accounts.follow(request.api_account, target, show_reblogs=p.bool("reblogs", True),
                    notify=p.bool("notify", False))
    return serialize_relationship(request.api_account, target)


@endpoint(["POST"], scope=FOLLOW)
def unfollow(request, account_id):
    target = get_account(account_id)
    accounts.unfollow(request.api_account, target)
    return serialize_relationship(request.api_account, target)


@endpoint(["POST"], scope=FOLLOW)
def remove_from_followers(request, account_id):
    target = get_account(account_id)
    accounts.remove_follower(request.api_account, target)
    return serialize_relationship(request.api_account, target)


@endpoint(["POST"], scope=BLOCK)
def block(request, account_id):
    target = get_account(account_id)
    accounts.block(request.api_account, target)
    return serialize_relationship(request.api_account, target)


@endpoint(["POST"], scope=BLOCK)
def unblock(request, account_id):
    target = get_account(account_id)
    accounts.unblock(request.api_account, target)
    return serialize_relationship(request.api_account, target)


@endpoint(["POST"], scope=MUTE)
def mute(request, account_id):
    target = get_account(account_id)
    p = request.params
    seconds = p.int("duration", 0) or 0
    if seconds > MAX_MUTE_SECONDS:  # a larger one overflowed the date (a 500)
        raise validation(_("duration is too long"), "duration")
    accounts.mute(request.api_account, target,
                  duration=timedelta(seconds=seconds) if seconds > 0 else None,
                  notifications=p.bool("notifications", True))
    return serialize_relationship(request.api_account, target)


@endpoint(["POST"], scope=MUTE)
def unmute(request, account_id):
    target = get_account(account_id)
    accounts.unmute(request.api_account, target)
    return serialize_relationship(request.api_account, target)


@endpoint(["GET"], scope=("read:follows", "follow"))
def relationships(request):
    ids = []
    for value in request.params.list("id")[:80]:
        try:
            ids.append(as_id(value))
        except Exception:  # noqa: BLE001 — a bad id is skipped, as Mastodon does
            continue
    found = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    notes = account_notes.notes_on(request.api_account, found)
    return [serialize_relationship(request.api_account, found[i], notes)
            for i in ids if i in found]


@endpoint(["POST"], scope="write:accounts")
def note(request, account_id):
    """Set (or, with an empty or missing ``comment``, remove) the reader's private
    note on the account; notes on oneself are allowed, as in Mastodon."""
    target = get_account(account_id)
    try:
        account_notes.set_note(request.api_account, target, request.params.str("comment", ""))
    except AccountError as exc:
        raise from_domain(exc, {"text": "comment"}) from exc
    return serialize_relationship(request.api_account, target)


# --- follow requests ----------------------------------------------------------------

@endpoint(["GET"], scope=("read:follows", "follow"))
def follow_requests(request):
    rows = paginate(FollowRequest.objects.filter(target_account=request.api_account)
                    .select_related("account"), page_of(request, 40))
    return paged(request, [serialize_account(r.account) for r in rows], [r.pk for r in rows])


def _request_from(request, account_id) -> FollowRequest:
    found = FollowRequest.objects.filter(
        target_account=request.api_account, account_id=as_id(account_id)
    ).first()
    if found is None:
        raise not_found()
    return found


@endpoint(["POST"], scope=FOLLOW)
def authorize_follow_request(request, account_id):
    found = _request_from(request, account_id)
    accounts.accept_follow_request(request.api_account, found)
    return serialize_relationship(request.api_account, found.account)


@endpoint(["POST"], scope=FOLLOW)
def reject_follow_request(request, account_id):
    found = _request_from(request, account_id)
    accounts.reject_follow_request(request.api_account, found)
    return serialize_relationship(request.api_account, found.account)


# --- blocks and mutes -----------------------------------------------------------------

@endpoint(["GET"], scope=("read:blocks", "follow"))
def blocks(request):
    rows = paginate(Block.objects.filter(account=request.api_account)
                    .select_related("target_account"), page_of(request, 40))
    return paged(request, [serialize_account(r.target_account) for r in rows],
                 [r.pk for r in rows])


@endpoint(["GET"], scope=("read:mutes", "follow"))
def mutes(request):
    rows = paginate(Mute.objects.filter(accounts.active_mutes_q(), account=request.api_account)
                    .select_related("target_account"), page_of(request, 40))
    out = []
    for row in rows:
        data = serialize_account(row.target_account)
        data["mute_expires_at"] = row.expires_at.isoformat() if row.expires_at else None
        out.append(data)
    return paged(request, out, [r.pk for r in rows])
