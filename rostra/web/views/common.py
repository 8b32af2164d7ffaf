"""Small helpers shared by the web views: who is looking, where to go back to,
and loading the account or post a URL names (404 when it is not there for the
viewer)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from rostra.accounts.models import Account
from rostra.accounts.services import find_account
from rostra.core import rate_limits, throttles
from rostra.posts.models import Post
from rostra.posts.queries import hydrate, with_relations
from rostra.posts.visibility import can_see
from rostra.timelines.pagination import Page


def viewer(request: HttpRequest) -> Account | None:
    """The logged-in user's account, or None for a visitor."""
    if request.user.is_authenticated:
        return getattr(request.user, "account", None)
    return None


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` target from the form or query, if it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def redirect_next(request: HttpRequest, default: str):
    return redirect(safe_next(request, default))


def account_or_404(acct: str) -> Account:
    """The account named ``username`` or ``username@domain`` in a URL."""
    username, _, domain = acct.lstrip("@").partition("@")
    account = find_account(username, domain)
    if account is None:
        raise Http404("No such account.")
    return account


def visible_post_or_404(request: HttpRequest, post_id: int) -> Post:
    """The post with its relations and the viewer's state; 404 unless ``can_see``."""
    post = with_relations(Post.objects.filter(pk=post_id)).first()
    me = viewer(request)
    if post is None or not can_see(me, post):
        raise Http404("This post does not exist or is not visible to you.")
    hydrate([post], me)
    return post


def older_link(posts: list, page: Page, key: str = "pk") -> int | None:
    """The ``max_id`` of the next (older) page, or None when this page is the last."""
    if len(posts) < page.limit or not posts:
        return None
    return getattr(posts[-1], key)


def throttled(request: HttpRequest, name: str, *, account_id: int | None = None,
              extra: tuple[str, ...] = ()) -> throttles.Refusal | None:
    """Count a ``name`` action of the requesting address (and of ``account_id`` and the
    ``extra`` keys); the refusal past a limit. The form is then shown again, filled
    in as it was sent, with the refusal's message, by ``refused``."""
    whos = [rate_limits.client_key(request), *extra]
    if account_id is not None:
        whos.append(throttles.account_key(account_id))
    return throttles.hit(name, *whos)


def refused(response: HttpResponse, refusal: throttles.Refusal) -> HttpResponse:
    """``response`` (the form page with the message) as 429 with ``Retry-After``."""
    response.status_code = 429
    response["Retry-After"] = str(refusal.retry_after)
    return response
