"""Profile pages (posts, posts and replies, media, followers, following) and
the relationship buttons on them (follow, block, mute, block the account's
server, and their undoing) and the viewer's private note on the account, each a
POST that calls one ``accounts`` service.
A moved account's profile redirects to its new account (see ``_moved_away``)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rostra.accounts import domain_blocks
from rostra.accounts import notes as account_notes
from rostra.accounts import services as accounts
from rostra.accounts.errors import AccountError
from rostra.accounts.models import Follow, FollowRequest
from rostra.timelines import services as timelines
from rostra.timelines.pagination import Page, paginate
from rostra.web.views.common import account_or_404, older_link, redirect_next, viewer

MUTE_DURATIONS = [
    ("", gettext_lazy("Forever")),
    ("3600", gettext_lazy("1 hour")),
    ("86400", gettext_lazy("1 day")),
    ("604800", gettext_lazy("7 days")),
]


def _header_context(request, account) -> dict:
    me = viewer(request)
    rel = accounts.relationship(me, account) if me is not None and me.pk != account.pk else None
    return {
        "account": account,
        "rel": rel,
        "is_me": me is not None and me.pk == account.pk,
        "mute_durations": MUTE_DURATIONS,
        # the viewer's own note, read for them alone (no ``rel``: a visitor, or one's own page)
        "private_note": account_notes.note_on(me, account) if rel is not None else "",
        "note_max": account_notes.MAX_NOTE,
    }


def _posts_page(request, acct: str, tab: str, **filters):
    account = account_or_404(acct)
    me = viewer(request)
    page = Page.from_params(request.GET)
    context = _header_context(request, account)
    if context["rel"] and context["rel"]["blocked_by"]:
        posts = []
    else:
        posts = timelines.profile(me, account, page, **filters)
    older_max_id = older_link(posts, page)
    pinned = []
    first_page = page.max_id is None and page.since_id is None and page.min_id is None
    if tab == "posts" and first_page and not (context["rel"] and context["rel"]["blocked_by"]):
        pinned = timelines.pinned(me, account)
        pinned_ids = {p.pk for p in pinned}
        posts = [p for p in posts if p.pk not in pinned_ids]
    context.update({
        "tab": tab,
        "posts": posts,
        "pinned": pinned,
        "older_max_id": older_max_id,
    })
    return render(request, "web/profile.html", context)


def _moved_away(request, account):
    """A moved account's profile sends its visitors to the new account, as a
    temporary redirect (the owner may cancel the move) with a note saying why.
    ``?stay`` shows the old profile (with its "has moved" banner), and so does a
    target that is suspended or moved on itself (no chains, no loops); the owner
    always sees their own profile."""
    target = account.moved_to if account.moved_to_id else None
    me = viewer(request)
    if (target is None or "stay" in request.GET or target.suspended_at
            or target.moved_to_id or (me is not None and me.pk == account.pk)):
        return None
    messages.info(request, f"@{account.acct} has moved to @{target.acct}.")
    return redirect(reverse("web:profile", args=[target.acct]))


def profile(request, acct: str):
    moved = _moved_away(request, account_or_404(acct))
    if moved is not None:
        return moved
    return _posts_page(request, acct, "posts")


def with_replies(request, acct: str):
    return _posts_page(request, acct, "replies", with_replies=True)


def media(request, acct: str):
    return _posts_page(request, acct, "media", only_media=True)


def _accounts_page(request, acct: str, tab: str):
    account = account_or_404(acct)
    page = Page.from_params(request.GET, default_limit=40)
    if tab == "followers":
        rows = paginate(
            Follow.objects.filter(target_account=account, account__suspended_at__isnull=True)
            .select_related("account"), page)
        people = [r.account for r in rows]
    else:
        rows = paginate(
            Follow.objects.filter(account=account, target_account__suspended_at__isnull=True)
            .select_related("target_account"), page)
        people = [r.target_account for r in rows]
    me = viewer(request)
    if me is not None:
        hidden = accounts.blocked_account_ids(me)
        people = [p for p in people if p.pk not in hidden]
    context = _header_context(request, account)
    context.update({"tab": tab, "people": people, "older_max_id": older_link(rows, page)})
    return render(request, "web/profile_accounts.html", context)


def followers(request, acct: str):
    return _accounts_page(request, acct, "followers")


def following(request, acct: str):
    return _accounts_page(request, acct, "following")


# --- relationship actions -----------------------------------------------------

def _follow(me, target, request):
    result = accounts.follow(me, target)
    if isinstance(result, FollowRequest):
        return _("You asked to follow @%(acct)s; they will decide.") % {"acct": target.acct}
    return _("You follow @%(acct)s.") % {"acct": target.acct}


def _unfollow(me, target, request):
    accounts.unfollow(me, target)
    return _("You no longer follow @%(acct)s.") % {"acct": target.acct}


def _block(me, target, request):
    accounts.block(me, target)
    return _("You blocked @%(acct)s.") % {"acct": target.acct}


def _unblock(me, target, request):
    accounts.unblock(me, target)
    return _("You unblocked @%(acct)s.") % {"acct": target.acct}


def _mute(me, target, request):
    seconds = request.POST.get("duration") or ""
    if seconds not in {value for value, _ in MUTE_DURATIONS}:
        raise AccountError(_("Choose how long to mute for."), "duration")
    duration = timedelta(seconds=int(seconds)) if seconds else None
    notifications = request.POST.get("notifications") == "on"
    accounts.mute(me, target, duration=duration, notifications=notifications)
    return _("You muted @%(acct)s.") % {"acct": target.acct}


def _unmute(me, target, request):
    accounts.unmute(me, target)
    return _("You unmuted @%(acct)s.") % {"acct": target.acct}


def _note(me, target, request):
    if account_notes.set_note(me, target, request.POST.get("note", "")) is None:
        return _("Your note on @%(acct)s was removed.") % {"acct": target.acct}
    return _("Your note on @%(acct)s was saved.") % {"acct": target.acct}


def _server_of(target) -> str:
    if target.local:
        raise AccountError(_("This account is on this server; block the account instead."))
    return target.domain.split(":")[0]


def _block_domain(me, target, request):
    block = domain_blocks.block_domain(me, _server_of(target))
    return _("You blocked %(domain)s: you will not see anything from it.") % {
        "domain": block.domain}


def _unblock_domain(me, target, request):
    server = _server_of(target)
    if not domain_blocks.unblock_domain(me, server):
        raise AccountError(_("%(server)s is covered by the block of a parent domain; lift it "
                             "on the Blocked domains settings page.") % {"server": server})
    return _("You unblocked %(server)s.") % {"server": server}


RELATIONSHIP_ACTIONS = {
    "follow": _follow, "unfollow": _unfollow, "block": _block,
    "unblock": _unblock, "mute": _mute, "unmute": _unmute, "note": _note,
    "block_domain": _block_domain, "unblock_domain": _unblock_domain,
}


@login_required
@require_POST
def relationship_action(request, acct: str, action: str):
    handler = RELATIONSHIP_ACTIONS.get(action)
    if handler is None:
        raise Http404("No such action.")
    target = account_or_404(acct)
    me = viewer(request)
    try:
        messages.success(request, handler(me, target, request))
    except AccountError as exc:
        messages.error(request, str(exc))
    return redirect_next(request, reverse("web:profile", args=[target.acct]))
