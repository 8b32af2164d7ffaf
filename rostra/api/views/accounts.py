"""``/api/v1/accounts``: the own profile, other profiles, their posts and lists,
look-up, search and registration. Follow/block/mute buttons: relationships.py."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Account, Follow
from rostra.api import oauth
from rostra.api.auth import by_method, endpoint
from rostra.api.errors import Throttled, from_domain, not_found, validation
from rostra.api.pagination import page_of, paged
from rostra.api.serializers.account import serialize_account, serialize_credential_account
from rostra.api.serializers.status import serialize_statuses
from rostra.api.views.lookups import batch_ids, get_account
from rostra.core import rate_limits, throttles
from rostra.timelines import filters
from rostra.timelines import services as timelines
from rostra.timelines.pagination import paginate

PROFILE_FIELDS = {"display_name": "display_name", "note": "note"}


@endpoint(["GET"], scope=("read:accounts", "profile"))
def verify_credentials(request):
    return serialize_credential_account(request.api_account)


def _read_upload(request, name: str) -> bytes | None:
    upload = request.params.file(name)
    return upload.read() if upload is not None else None


def _fields(p) -> list[dict] | None:
    if not p.has("fields_attributes"):
        return None
    return [
        {"name": str(f.get("name", "")), "value": str(f.get("value", ""))}
        for f in p.list("fields_attributes") if isinstance(f, dict)
    ]


@endpoint(["PATCH", "PUT", "POST"], scope="write:accounts")
def update_credentials(request):
    p = request.params
    account = request.api_account
    try:
        accounts.update_profile(
            account,
            display_name=p.str("display_name"),
            note=p.str("note"),
            fields=_fields(p),
            locked=p.bool("locked", None),
            bot=p.bool("bot", None),
            discoverable=p.bool("discoverable", None),
            avatar=_read_upload(request, "avatar"),
            header=_read_upload(request, "header"),
        )
        source = p.dict("source")
        if source:
            accounts.update_preferences(
                request.api_user,
                default_visibility=source.get("privacy"),
                default_sensitive=None if "sensitive" not in source
                else str(source["sensitive"]).lower() in ("1", "true", "on"),
            )
    except AccountError as exc:
        raise from_domain(exc, {"fields": "fields_attributes"}) from exc
    account.refresh_from_db()
    return serialize_credential_account(account)


@endpoint(["GET"], auth="optional", scope="read:accounts")
def show(request, account_id):
    account = get_account(account_id)
    return serialize_account(account)


@endpoint(["GET"], auth="optional", scope="read:statuses")
def statuses(request, account_id):
    account = get_account(account_id)
    p = request.params
    viewer = request.api_account
    if p.bool("pinned"):
        posts = timelines.pinned(viewer, account)
        return paged(request, serialize_statuses(posts, viewer), [])
    posts = timelines.profile(
        viewer, account, page_of(request),
        with_replies=not p.bool("exclude_replies"),
        only_media=p.bool("only_media"),
        exclude_reblogs=p.bool("exclude_reblogs"),
    )
    tagged = (p.str("tagged") or "").lstrip("#").lower()
    if tagged:
        posts = [x for x in posts if x.post_tags.filter(tag__name=tagged).exists()]
    ids = [x.pk for x in posts]
    posts = filters.apply(viewer, posts, "account")
    return paged(request, serialize_statuses(posts, viewer), ids)


def _follow_list(request, rows, pick):
    rows = paginate(rows.select_related("account", "target_account"), page_of(request, 40))
    people = [pick(r) for r in rows]
    return paged(request, [serialize_account(a) for a in people if not a.suspended_at],
                 [r.pk for r in rows])


@endpoint(["GET"], auth="optional", scope="read:accounts")
def followers(request, account_id):
    account = get_account(account_id)
    rows = Follow.objects.filter(target_account=account)
    return _follow_list(request, rows, lambda r: r.account)


@endpoint(["GET"], auth="optional", scope="read:accounts")
def following(request, account_id):
    account = get_account(account_id)
    rows = Follow.objects.filter(account=account)
    return _follow_list(request, rows, lambda r: r.target_account)


@endpoint(["GET"], auth="optional", scope="read:accounts")
def lookup(request):
    acct = (request.params.str("acct") or "").strip().lstrip("@")
    username, __, domain = acct.partition("@")
    found = accounts.find_account(username, domain) if username else None
    if found is None and username and domain:
        found = _resolve_handle(acct)
    if found is None:
        raise not_found()
    return serialize_account(found)


def _resolve_handle(acct: str):
    """A remote account found by WebFinger (``federation.remote``), or None."""
    from rostra.core.net import NetError
    from rostra.federation.remote import RemoteError, resolve_handle

    try:
        return resolve_handle(acct)
    except (RemoteError, NetError):
        return None


@endpoint(["GET"], scope="read:accounts")
def search(request):
    p = request.params
    limit = max(1, min(p.int("limit", 40) or 40, 80))
    found = accounts.search_accounts(p.str("q", ""), request.api_account, limit=limit)
    if p.bool("following"):
        followed = set(Follow.objects.filter(account=request.api_account)
                       .values_list("target_account_id", flat=True))
        found = [a for a in found if a.pk in followed]
    return [serialize_account(a) for a in found]


BATCH_ACCOUNTS = 40  # as Mastodon


@endpoint(["GET"], auth="optional", scope="read:accounts")
def several(request):
    """``id[]``: up to ``BATCH_ACCOUNTS`` accounts at once, in the order asked; unknown
    and suspended ones are left out (Mastodon 4.3)."""
    ids = batch_ids(request, BATCH_ACCOUNTS)
    found = {a.pk: a for a in Account.objects.filter(pk__in=ids, suspended_at__isnull=True)}
    return [serialize_account(found[i]) for i in ids if i in found]


@endpoint(["POST"], auth="app", scope="write:accounts")
def register(request):
    """Registration by an app token, following the server's registration mode. The
    token returned works at once when no approval is needed; otherwise it is
    refused (403) until a moderator approves the account."""
    p = request.params
    refusal = throttles.hit("sign_up", rate_limits.client_key(request))
    if refusal is not None:
        raise Throttled(refusal.message, refusal.retry_after)
    if not p.bool("agreement"):
        raise validation(_("must be accepted"), "agreement", "ERR_ACCEPTED")
    try:
        user = accounts.register(
            p.str("username", ""), p.str("email", ""), p.str("password", ""),
            reason=p.str("reason", ""), locale=p.str("locale", ""),
            invite_code=p.str("invite_code", ""),
        )
    except AccountError as exc:
        raise from_domain(exc) from exc
    app = request.api_token.application
    issued = oauth.issue_token(app, user, app.scope_list)
    if not user.approved:
        return {**issued.as_json(), "approval_required": True}
    return issued.as_json()


collection = by_method(GET=several, POST=register)
