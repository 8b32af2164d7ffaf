"""Account rules: registration, profiles and the social graph.

Every door (web, API, federation, imports, CLI) calls these functions; none
writes account models directly.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rostra.accounts import events
from rostra.accounts.domain_blocks import blocked_across, is_domain_blocked
from rostra.accounts.errors import AccountError
from rostra.accounts.models import (
    Account,
    Block,
    Follow,
    FollowRequest,
    Invite,
    Mute,
    SiteSettings,
    User,
)
from rostra.accounts.reserved import RESERVED_USERNAMES
from rostra.core import text as text_mod
from rostra.core.images import ImageError, process_image
from rostra.core.links import absolute_url
from rostra.core.read_scope import remembered

USERNAME_RE = re.compile(r"[A-Za-z0-9_]{1,30}")  # used with fullmatch: "$" accepts "name\n"
MAX_PROFILE_FIELDS = 4
MAX_DISPLAY_NAME = 30
MAX_BIO = 500
AVATAR_SIDE = 400
HEADER_SIDE = 1500


# --- registration -------------------------------------------------------------

def validate_username(username: str) -> str:
    """Return ``username`` if it may be registered, else raise ``AccountError``."""
    if not USERNAME_RE.fullmatch(username or ""):
        raise AccountError(
            _("Use 1 to 30 letters (a–z), digits or underscores for the username."), "username"
        )
    if username.lower() in RESERVED_USERNAMES:
        raise AccountError(_("This username is reserved."), "username")
    if Account.objects.filter(username__iexact=username, domain="").exists():
        raise AccountError(_("This username is taken."), "username")
    return username


def registration_mode() -> str:
    return SiteSettings.current().registration_mode or settings.ROSTRA_REGISTRATION


@transaction.atomic
def register(
    username: str,
    email: str,
    password: str,
    *,
    invite_code: str = "",
    reason: str = "",
    locale: str = "",
    admin: bool = False,
    bypass_policy: bool = False,
) -> User:
    """Create a local user and its account, following the registration mode.

    In ``approval`` mode the user exists but cannot log in until approved; in
    ``closed`` mode only a valid invite opens the door. ``bypass_policy`` is for
    the CLI and the demo (the operator creates accounts directly).
    """
    validate_username(username)
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise AccountError(_("Enter a valid e-mail address."), "email")
    if User.objects.filter(email__iexact=email).exists():
        raise AccountError(_("This e-mail address is already registered."), "email")
    invite = None
    if invite_code:
        invite = Invite.objects.select_for_update().filter(code=invite_code).first()
        if invite is None or not invite.usable():
            raise AccountError(_("This invite link is invalid or has expired."), "invite")
    approved = True
    if not bypass_policy:
        mode = registration_mode()
        if mode == "closed" and invite is None:
            raise AccountError(_("Registrations are closed; you need an invite."), "invite")
        if mode == "approval" and invite is None:
            approved = False
    user = User(username=username, email=email, approved=approved, locale=locale)
    user.registration_reason = reason
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), "password") from exc
    user.set_password(password)
    user.is_staff = user.is_superuser = admin
    user.invite = invite
    try:
        account = Account.objects.create(
            username=username,
            url=absolute_url(f"/@{username}"),
            uri=absolute_url(f"/users/{username}"),
        )
    except IntegrityError as exc:
        raise AccountError(_("This username is taken."), "username") from exc
    user.account = account
    user.save()
    if invite is not None:
        Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    return user


def approve(user: User) -> None:
    user.approved = True
    user.save(update_fields=["approved"])


def create_invite(
    user: User, *, max_uses: int | None = None, expires_in: timedelta | None = None
) -> Invite:
    expires_at = timezone.now() + expires_in if expires_in else None
    return Invite.objects.create(
        code=secrets.token_urlsafe(12), created_by=user, max_uses=max_uses, expires_at=expires_at
    )


# --- profile ------------------------------------------------------------------

def _profile_image(data: bytes, side: int, kind: str) -> ContentFile:
    from rostra.safety.gate import inspect_media

    try:
        image = process_image(data, max_side=side)
    except ImageError as exc:
        raise AccountError(str(exc), kind) from exc
    verdict = inspect_media(data)
    if not verdict.allowed:
        raise AccountError(_("This image cannot be used."), kind)
    return ContentFile(image.data, name=f"{kind}.{image.extension}")


def update_profile(
    account: Account,
    *,
    display_name: str | None = None,
    note: str | None = None,
    fields: list[dict[str, str]] | None = None,
    locked: bool | None = None,
    bot: bool | None = None,
    discoverable: bool | None = None,
    avatar: bytes | None = None,
    header: bytes | None = None,
) -> Account:
    """Change what was given, validate it, re-render the bio. Returns the account."""
    if display_name is not None:
        display_name = display_name.strip()
        if len(display_name) > MAX_DISPLAY_NAME:
            raise AccountError(
                _("The display name is limited to %(max_display_name)s characters.")
                    % {"max_display_name": MAX_DISPLAY_NAME}, "display_name"
            )
        account.display_name = display_name
    if note is not None:
        if len(note) > MAX_BIO:
            raise AccountError(_("The bio is limited to %(max_bio)s characters.")
                % {"max_bio": MAX_BIO}, "note")
        account.note = note
        account.note_html = render_text(note) if note.strip() else ""
    if fields is not None:
        cleaned = [
            {"name": f.get("name", "").strip()[:255], "value": f.get("value", "").strip()[:255]}
            for f in fields
            if f.get("name", "").strip() or f.get("value", "").strip()
        ]
        if len(cleaned) > MAX_PROFILE_FIELDS:
            raise AccountError(_("Up to %(max_profile_fields)s profile links.")
                % {"max_profile_fields": MAX_PROFILE_FIELDS}, "fields")
        account.fields = cleaned
    for name, value in (("locked", locked), ("bot", bot), ("discoverable", discoverable)):
        if value is not None:
            setattr(account, name, value)
    if avatar is not None:
        account.avatar = _profile_image(avatar, AVATAR_SIDE, "avatar")
    if header is not None:
        account.header = _profile_image(header, HEADER_SIDE, "header")
    account.save()
    if locked is False:
        for request in FollowRequest.objects.filter(target_account=account):
            accept_follow_request(account, request)
    events.profile_updated.send(Account, account=account)
    return account


def render_text(raw: str, find=None) -> str:
    """Render text typed by a local user (bio or post) with links to known accounts
    (looked up with ``find(username, domain)``, by default ``find_account``)."""
    find = find or find_account

    def mention_url(ref: text_mod.MentionRef) -> str | None:
        target = find(ref.username, ref.domain)
        return target.url if target else None

    return text_mod.render(raw, mention_url, lambda tag: f"/tags/{tag.lower()}")


def account_finder():
    """``find_account`` remembering its answers: for a batch of posts naming the same
    people (an import), one query per person rather than per mention."""
    known: dict[tuple[str, str], Account | None] = {}

    def find(username: str, domain: str = "") -> Account | None:
        key = (username.lower(), (domain or "").lower())
        if key not in known:
            known[key] = find_account(username, domain)
        return known[key]

    return find


def local_domain_names() -> set[str]:
    return {settings.ROSTRA_DOMAIN.lower(), settings.ROSTRA_DOMAIN.split(":")[0].lower()}


def find_account(username: str, domain: str = "", *,
                 suspended: bool = False) -> Account | None:
    """The account ``username@domain`` if known here (``domain`` "" or ours = local);
    a suspended one only with ``suspended``."""
    domain = (domain or "").lower()
    if domain in local_domain_names():
        domain = ""
    found = Account.objects.filter(username__iexact=username, domain=domain)
    return (found if suspended else found.filter(suspended_at__isnull=True)).first()


# --- social graph ---------------------------------------------------------------

def is_blocked_between(a: Account, b: Account) -> bool:
    return Block.objects.filter(
        Q(account=a, target_account=b) | Q(account=b, target_account=a)
    ).exists()


def blocked_account_ids(account: Account) -> set[int]:
    """Accounts ``account`` blocked or is blocked by: they are mutually invisible."""
    def read() -> frozenset[int]:
        rows = Block.objects.filter(Q(account=account) | Q(target_account=account)).values_list(
            "account_id", "target_account_id"
        )
        return frozenset(a if b == account.id else b for a, b in rows)

    return set(remembered(("blocked", account.pk), read))


def active_mutes_q(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now)


def muted_account_ids(account: Account, *, notifications_only: bool = False) -> set[int]:
    def read() -> frozenset[int]:
        qs = Mute.objects.filter(active_mutes_q(), account=account)
        if notifications_only:
            qs = qs.filter(hide_notifications=True)
        return frozenset(qs.values_list("target_account_id", flat=True))

    return set(remembered(("muted", account.pk, notifications_only), read))


def _add_follow(account: Account, target: Account, *, show_reblogs: bool, notify: bool, uri: str):
    follow, created = Follow.objects.get_or_create(
        account=account,
        target_account=target,
        defaults={"show_reblogs": show_reblogs, "notify": notify, "uri": uri},
    )
    if created:
        Account.objects.filter(pk=account.pk).update(following_count=F("following_count") + 1)
        Account.objects.filter(pk=target.pk).update(followers_count=F("followers_count") + 1)
    return follow, created


@transaction.atomic
def follow(
    account: Account,
    target: Account,
    *,
    show_reblogs: bool = True,
    notify: bool = False,
    uri: str = "",
) -> Follow | FollowRequest:
    """Follow ``target``, or ask to when it is locked. Idempotent.

    Returns the ``Follow`` (open account, or already following) or the pending
    ``FollowRequest``. Raises ``AccountError`` for oneself, blocks and suspensions.
    """
    if account.pk == target.pk:
        raise AccountError(_("You cannot follow yourself."))
    if target.suspended_at:
        raise AccountError(_("This account is suspended."))
    if is_blocked_between(account, target):
        raise AccountError(_("You cannot follow this account."))
    if blocked_across(account, target):  # Mastodon's FollowService refuses it too
        raise AccountError(_("You cannot follow this account: its server is blocked. "
                             "Unblock the domain first.") if not target.local else
                           _("You cannot follow this account."))
    existing = Follow.objects.filter(account=account, target_account=target).first()
    if existing:
        if existing.show_reblogs != show_reblogs or existing.notify != notify:
            existing.show_reblogs, existing.notify = show_reblogs, notify
            existing.save(update_fields=["show_reblogs", "notify"])
        return existing
    if target.locked or not target.local:
        # A remote account is followed only once its server accepts (federation
        # sends the Follow under ``uri`` and turns the Accept into the Follow).
        if not uri and account.local and not target.local:
            uri = f"{account.uri or absolute_url('/users/' + account.username)}" \
                  f"#follows/{secrets.token_hex(16)}"
        request, created = FollowRequest.objects.get_or_create(
            account=account,
            target_account=target,
            defaults={"show_reblogs": show_reblogs, "notify": notify, "uri": uri},
        )
        if created:
            transaction.on_commit(lambda: events.follow_requested.send(Account, request=request))
        return request
    result, created = _add_follow(
        account, target, show_reblogs=show_reblogs, notify=notify, uri=uri
    )
    if created:
        transaction.on_commit(lambda: events.followed.send(Account, follow=result))
    return result


def _remove_follow(account: Account, target: Account) -> bool:
    deleted, __ = Follow.objects.filter(account=account, target_account=target).delete()
    if deleted:
        Account.objects.filter(pk=account.pk).update(following_count=F("following_count") - 1)
        Account.objects.filter(pk=target.pk).update(followers_count=F("followers_count") - 1)
    return bool(deleted)


@transaction.atomic
def unfollow(account: Account, target: Account) -> None:
    """Stop following ``target`` (or withdraw a pending request). Idempotent."""
    withdrawn, __ = FollowRequest.objects.filter(account=account, target_account=target).delete()
    if _remove_follow(account, target) or withdrawn:
        transaction.on_commit(
            lambda: events.unfollowed.send(Account, account=account, target=target)
        )


@transaction.atomic
def accept_follow_request(target: Account, request: FollowRequest) -> Follow:
    if request.target_account_id != target.pk:
        raise AccountError(_("This follow request is not addressed to you."))
    follow_obj, created = _add_follow(
        request.account,
        target,
        show_reblogs=request.show_reblogs,
        notify=request.notify,
        uri=request.uri,
    )
    request.delete()
    if created:
        transaction.on_commit(
            lambda: events.follow_request_accepted.send(Account, follow=follow_obj)
        )
    return follow_obj


def reject_follow_request(target: Account, request: FollowRequest) -> None:
    if request.target_account_id != target.pk:
        raise AccountError(_("This follow request is not addressed to you."))
    request.delete()
    transaction.on_commit(lambda: events.follow_request_rejected.send(Account, request=request))


def remove_follower(account: Account, follower: Account) -> None:
    """End ``follower``'s follow of ``account`` (Mastodon's "remove from followers"; a
    remote follower's server is told with a Reject of its Follow)."""
    with transaction.atomic():
        uri = (Follow.objects.filter(account=follower, target_account=account)
               .values_list("uri", flat=True).first())
        if _remove_follow(follower, account):
            transaction.on_commit(lambda: events.follower_removed.send(
                Account, account=account, follower=follower, follow_uri=uri or ""))


@transaction.atomic
def block(account: Account, target: Account) -> Block:
    """Block ``target``: mutual invisibility, and every follow between them ends."""
    if account.pk == target.pk:
        raise AccountError(_("You cannot block yourself."))
    obj, created = Block.objects.get_or_create(account=account, target_account=target)
    _remove_follow(account, target)
    _remove_follow(target, account)
    FollowRequest.objects.filter(
        Q(account=account, target_account=target) | Q(account=target, target_account=account)
    ).delete()
    if created:
        transaction.on_commit(lambda: events.blocked.send(Account, block=obj))
    return obj


def unblock(account: Account, target: Account) -> None:
    deleted, __ = Block.objects.filter(account=account, target_account=target).delete()
    if deleted:
        transaction.on_commit(
            lambda: events.unblocked.send(Account, account=account, target=target)
        )


def mute(
    account: Account,
    target: Account,
    *,
    duration: timedelta | None = None,
    notifications: bool = True,
) -> Mute:
    """Hide ``target``'s posts (and, with ``notifications``, its notifications),
    for ``duration`` or until unmuted."""
    if account.pk == target.pk:
        raise AccountError(_("You cannot mute yourself."))
    expires_at = timezone.now() + duration if duration else None
    obj, __ = Mute.objects.update_or_create(
        account=account,
        target_account=target,
        defaults={"expires_at": expires_at, "hide_notifications": notifications},
    )
    return obj


def unmute(account: Account, target: Account) -> None:
    Mute.objects.filter(account=account, target_account=target).delete()


def relationship(account: Account, target: Account) -> dict[str, object]:
    """How ``account`` relates to ``target`` (Mastodon's Relationship, as a dict)."""
    follow_obj = Follow.objects.filter(account=account, target_account=target).first()
    mute_obj = Mute.objects.filter(active_mutes_q(), account=account, target_account=target).first()
    return {
        "id": target.pk,
        "following": follow_obj is not None,
        "showing_reblogs": follow_obj.show_reblogs if follow_obj else False,
        "notifying": follow_obj.notify if follow_obj else False,
        "followed_by": Follow.objects.filter(account=target, target_account=account).exists(),
        "blocking": Block.objects.filter(account=account, target_account=target).exists(),
        "blocked_by": Block.objects.filter(account=target, target_account=account).exists(),
        "muting": mute_obj is not None,
        "muting_notifications": bool(mute_obj and mute_obj.hide_notifications),
        "requested": FollowRequest.objects.filter(account=account, target_account=target).exists(),
        "requested_by": FollowRequest.objects.filter(
            account=target, target_account=account
        ).exists(),
        "domain_blocking": not target.local and is_domain_blocked(account, target.domain),
    }


# --- preferences and site settings (web settings pages) -------------------------

POST_VISIBILITIES = ("public", "unlisted", "private", "direct")


def update_preferences(
    user: User, *, default_visibility: str | None = None, default_sensitive: bool | None = None,
    locale: str | None = None,
) -> User:
    """Change a user's posting defaults and interface language ("" = the browser's).
    Raises ``AccountError`` for an unknown visibility or language."""
    fields = []
    if default_visibility is not None:
        if default_visibility not in POST_VISIBILITIES:
            raise AccountError(_("Choose one of the listed visibilities."), "default_visibility")
        user.default_visibility = default_visibility
        fields.append("default_visibility")
    if default_sensitive is not None:
        user.default_sensitive = default_sensitive
        fields.append("default_sensitive")
    if locale is not None:
        from rostra.core.i18n import supported

        if locale and supported(locale) is None:
            raise AccountError(_("Choose one of the listed languages."), "locale")
        user.locale = supported(locale) or ""
        fields.append("locale")
    if fields:
        user.save(update_fields=fields)
    return user


def update_site_settings(
    *,
    registration_mode: str | None = None,
    title: str | None = None,
    description: str | None = None,
    rules: str | None = None,
) -> SiteSettings:
    """Change the run-time site settings (staff only; the door checks who asks)."""
    site = SiteSettings.current()
    if registration_mode is not None:
        if registration_mode not in dict(SiteSettings.REGISTRATION_MODES):
            raise AccountError(_("Choose open, approval or closed."), "registration_mode")
        site.registration_mode = registration_mode
    if title is not None:
        title = title.strip()
        if not title:
            raise AccountError(_("The server needs a title."), "title")
        site.title = title[:100]
    if description is not None:
        site.description = description.strip()
    if rules is not None:
        site.rules = rules.strip()
    site.save()
    return site


def search_accounts(query: str, viewer: Account | None = None, *, limit: int = 20):
    """Accounts whose username or display name contains ``query`` (a leading @ and
    a ``@domain`` part are understood), best matches first: exact username, then
    prefix, then the rest. Suspended accounts and those across a block are left out."""
    query = (query or "").strip().lstrip("@")
    if not query:
        return []
    username, __, domain = query.partition("@")
    qs = Account.objects.filter(suspended_at__isnull=True)
    if domain:
        qs = qs.filter(username__icontains=username, domain__istartswith=domain)
    else:
        qs = qs.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    # A limited account (moderators' measure) is found only by its exact name.
    qs = qs.filter(Q(limited_at__isnull=True) | Q(username__iexact=username))
    if viewer is not None:
        hidden = blocked_account_ids(viewer)
        if hidden:
            qs = qs.exclude(pk__in=hidden)
    found = list(qs.order_by("username")[: limit * 5])
    lowered = username.lower()

    def rank(account: Account) -> tuple[int, int, str]:
        name = account.username.lower()
        return (0 if name == lowered else 1 if name.startswith(lowered) else 2,
                0 if account.local else 1, name)

    return sorted(found, key=rank)[:limit]


# --- remote accounts (federation is the door that calls these) -------------------

REMOTE_ACCOUNT_FIELDS = frozenset({
    "display_name", "note_html", "fields", "locked", "bot", "discoverable", "url",
    "inbox_url", "shared_inbox_url", "public_key",
})


@transaction.atomic
def upsert_remote_account(uri: str, username: str, domain: str, **fields) -> Account:
    """Create or update the remote account whose actor id is ``uri``.

    ``fields`` are among ``REMOTE_ACCOUNT_FIELDS`` and already safe: the caller
    (federation) sanitized ``note_html`` and profile field values. The account is
    found by ``uri`` first, then by ``username@domain`` (a server that changed the
    actor id of a handle keeps one row). Local accounts are never touched: raises
    ``AccountError`` for an empty or local ``domain``.
    """
    domain = (domain or "").lower()
    if not domain or domain in local_domain_names() or not uri:
        raise AccountError("A remote account needs its own domain and actor id.")
    unknown = set(fields) - REMOTE_ACCOUNT_FIELDS
    if unknown:
        raise ValueError(f"Unknown remote account fields: {sorted(unknown)}")
    username = username[:64]
    fields["display_name"] = (fields.get("display_name") or "")[:100]
    account = Account.objects.select_for_update().filter(uri=uri).exclude(domain="").first()
    if account is None:
        account = Account.objects.select_for_update().filter(
            username__iexact=username, domain=domain
        ).first()
    if account is None:
        try:
            with transaction.atomic():
                return Account.objects.create(uri=uri, username=username, domain=domain,
                                              **fields)
        except IntegrityError:  # created meanwhile by another process
            account = Account.objects.get(username__iexact=username, domain=domain)
    account.uri, account.username = uri, username
    for name, value in fields.items():
        setattr(account, name, value)
    account.save()
    return account


def record_move(account: Account, target: Account) -> Account:
    """Note that remote ``account`` moved to ``target`` (acting on it comes later)."""
    if account.local:
        raise AccountError("Local accounts move through the portability service.")
    Account.objects.filter(pk=account.pk).update(moved_to=target)
    account.moved_to = target
    return account


@transaction.atomic
def remove_remote_account(account: Account) -> None:
    """A remote actor deleted itself: suspend the row (its posts disappear from every
    view through ``visibility``) and end every follow and request with it."""
    if account.local:
        raise AccountError("Local accounts are deleted through their settings.")
    Account.objects.filter(pk=account.pk).update(suspended_at=timezone.now())
    for row in Follow.objects.filter(account=account):
        _remove_follow(account, row.target_account)
    for row in Follow.objects.filter(target_account=account):
        _remove_follow(row.account, account)
    FollowRequest.objects.filter(Q(account=account) | Q(target_account=account)).delete()
