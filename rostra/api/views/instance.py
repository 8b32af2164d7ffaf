"""Server information: ``/api/v1/instance``, ``/api/v2/instance``, its rules, peers,
moderated servers, weekly activity, extended description and translation languages, custom emojis,
announcements, and the OAuth server metadata (RFC 8414)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape

from django.utils import timezone

from rostra.accounts.models import Account, SiteSettings, User
from rostra.api import scopes
from rostra.api.auth import endpoint
from rostra.api.errors import not_found
from rostra.api.serializers.common import iso
from rostra.api.serializers.instance import (
    instance_rules,
    serialize_instance_v1,
    serialize_instance_v2,
)
from rostra.core.links import absolute_url
from rostra.federation import moderated_servers
from rostra.federation.models import DomainBlock, RemoteInstance
from rostra.posts.models import Post

ACTIVITY_WEEKS = 12


@endpoint(["GET"], auth="none")
def instance_v1(request):
    return serialize_instance_v1()


@endpoint(["GET"], auth="none")
def instance_v2(request):
    return serialize_instance_v2()


@endpoint(["GET"], auth="none")
def custom_emojis(request):
    """Rostra has no custom emojis: the empty list is the truth."""
    return []


@endpoint(["GET"], auth="optional")
def announcements(request):
    """Rostra has no announcements (no admin feature writes them): ``[]`` is the truth."""
    return []


@endpoint(["GET"], auth="none")
def rules(request):
    """The site rules, one a line of ``SiteSettings.rules``, as Mastodon's Rule entity."""
    return instance_rules(SiteSettings.current())


@endpoint(["GET"], auth="optional")
def domain_blocks(request):
    """The servers this one limits or suspends, with their public comment
    (``federation.moderated_servers``); 404 when not shown to this reader."""
    if not moderated_servers.shown_to(request.api_account is not None):
        raise not_found()
    return [{"domain": b.domain, "digest": moderated_servers.digest(b.domain),
             "severity": b.severity, "comment": b.public_comment or None}
            for b in moderated_servers.moderated_servers()]


@endpoint(["GET"], auth="none")
def peers(request):
    """Domains of the remote servers this one knows (delivered to, or has accounts
    from), without the suspended ones."""
    known = set(RemoteInstance.objects.values_list("domain", flat=True))
    known |= set(Account.objects.exclude(domain="").values_list("domain", flat=True)
                 .distinct())
    suspended = set(DomainBlock.objects.filter(severity=DomainBlock.Severity.SUSPEND)
                    .values_list("domain", flat=True))
    return sorted(d.lower() for d in known - suspended if d)


def _week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of the week ``now`` falls in (Mastodon's weeks)."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


@endpoint(["GET"], auth="none")
def activity(request):
    """The last 12 weeks, newest first: local statuses (not boosts), users whose last
    log-in fell in the week, and registrations. Counts are strings, as Mastodon's."""
    start = _week_start(timezone.now())
    weeks = []
    for i in range(ACTIVITY_WEEKS):
        begin = start - timedelta(weeks=i)
        end = begin + timedelta(weeks=1)
        weeks.append({
            "week": str(int(begin.timestamp())),
            "statuses": str(Post.objects.filter(
                account__domain="", reblog_of__isnull=True, published__gte=begin,
                published__lt=end).count()),
            "logins": str(User.objects.filter(last_login__gte=begin, last_login__lt=end)
                          .count()),
            "registrations": str(User.objects.filter(date_joined__gte=begin,
                                                     date_joined__lt=end).count()),
        })
    return weeks


@endpoint(["GET"], auth="none")
def extended_description(request):
    """The site description as HTML paragraphs (Mastodon's ExtendedDescription)."""
    site = SiteSettings.current()
    paragraphs = [p.strip() for p in (site.description or "").split("\n\n") if p.strip()]
    content = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return {"updated_at": iso(site.updated_at), "content": content}


@endpoint(["GET"], auth="optional")
def translation_languages(request):
    """Rostra translates nothing: no source language has targets, ``{}`` is the truth."""
    return {}


@endpoint(["GET"], auth="none")
def oauth_metadata(request):
    return {
        "issuer": absolute_url("/"),
        "authorization_endpoint": absolute_url("/oauth/authorize"),
        "token_endpoint": absolute_url("/oauth/token"),
        "revocation_endpoint": absolute_url("/oauth/revoke"),
        "app_registration_endpoint": absolute_url("/api/v1/apps"),
        "activitypub_account_portability": absolute_url("/oauth/authorize"),
        "scopes_supported": sorted(scopes.ALL),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "grant_types_supported": ["authorization_code", "password", "client_credentials",
                                  "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "none"],
        "code_challenge_methods_supported": ["S256"],
        "service_documentation": "https://docs.joinmastodon.org/",
    }
