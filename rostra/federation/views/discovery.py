"""Discovery: WebFinger (RFC 7033), host-meta (XRD) and NodeInfo 2.0/2.1."""

from __future__ import annotations

import re
from datetime import timedelta
from html import escape
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET

from rostra.accounts.models import Account
from rostra.accounts.services import find_account, local_domain_names, registration_mode
from rostra.core.links import absolute_url
from rostra.core.versions import MASTODON_API_VERSION, rostra_version
from rostra.federation import uris
from rostra.federation.negotiation import ACTIVITY_JSON, json_response
from rostra.federation.views import x_connections
from rostra.posts.models import Post

NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/{version}"


def _not_found(message: str) -> JsonResponse:
    response = JsonResponse({"error": message}, status=404)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _username_from_resource(resource: str) -> str | None:
    """The local username a WebFinger ``resource`` names, or None if it is not ours.

    Understands ``acct:user@domain``, ``user@domain``, ``@user@domain`` and our actor
    and profile URLs (``…/users/user``, ``…/@user``).
    """
    resource = resource.strip()
    origin = uris.origin()
    if resource.startswith(origin + "/"):
        path = resource[len(origin):]
        m = re.fullmatch(r"/users/([^/?#]+)|/@([^/?#@]+)", path)
        return (m.group(1) or m.group(2)) if m else None
    if resource.startswith("acct:"):
        resource = resource[5:]
    username, at, domain = resource.lstrip("@").rpartition("@")
    if not at or not username or domain.lower() not in local_domain_names():
        return None
    return username


def _instance_jrd() -> dict:
    actor = uris.instance_actor_uri()
    host = settings.ROSTRA_DOMAIN.split(":")[0]
    return {
        "subject": f"acct:{host}@{settings.ROSTRA_DOMAIN}",
        "aliases": [actor],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
             "href": absolute_url("/")},
        ],
    }


def _account_jrd(account: Account) -> dict:
    actor, profile = uris.actor_uri(account), uris.profile_url(account)
    return {
        "subject": f"acct:{account.username}@{settings.ROSTRA_DOMAIN}",
        "aliases": [profile, actor],
        "links": [
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
             "href": profile},
            {"rel": "self", "type": ACTIVITY_JSON, "href": actor},
            {"rel": "http://ostatus.org/schema/1.0/subscribe",
             "template": absolute_url("/authorize_interaction?uri={uri}")},
        ],
    }


@require_GET
def webfinger(request):
    resource = request.GET.get("resource", "")
    if not resource:
        return HttpResponseBadRequest("The resource parameter is required.")
    host = settings.ROSTRA_DOMAIN.split(":")[0]
    if resource in (uris.instance_actor_uri(), f"acct:{host}@{settings.ROSTRA_DOMAIN}",
                    f"acct:{host}@{host}"):
        return json_response(_instance_jrd(), "application/jrd+json")
    username = _username_from_resource(resource)
    account = find_account(username, "") if username else None
    if account is None or not account.local:
        return _not_found("No such account on this server.")
    return json_response(_account_jrd(account), "application/jrd+json")


@require_GET
def host_meta(request):
    template = escape(absolute_url("/.well-known/webfinger?resource={uri}"))
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/jrd+json" template="{template}"/>\n'
        "</XRD>\n"
    )
    response = HttpResponse(xml, content_type="application/xrd+xml; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def nodeinfo_index(request):
    return json_response({
        "links": [
            {"rel": NODEINFO_SCHEMA.format(version=v), "href": absolute_url(f"/nodeinfo/{v}")}
            for v in ("2.0", "2.1")
        ]
    })


def _usage() -> dict:
    now = timezone.now()
    people = Account.objects.filter(domain="", suspended_at__isnull=True, user__isnull=False,
                                    user__is_active=True)

    def active_since(days: int) -> int:
        since = now - timedelta(days=days)
        return people.filter(Q(user__last_login__gte=since) | Q(last_status_at__gte=since)
                             ).count()

    return {
        "users": {"total": people.count(), "activeMonth": active_since(30),
                  "activeHalfyear": active_since(180)},
        "localPosts": Post.objects.filter(account__domain="", reblog_of__isnull=True).count(),
    }


@require_GET
def nodeinfo(request, version: str):
    from rostra.accounts.models import SiteSettings

    software = {"name": "rostra", "version": rostra_version()}
    document = {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": []},
        "openRegistrations": registration_mode() == "open",
        "usage": _usage(),
        "metadata": {
            "nodeName": SiteSettings.current().title,
            "nodeDescription": SiteSettings.current().description,
            "upstream": {"name": "mastodon", "version": MASTODON_API_VERSION},
            "rostraXConnections": x_connections.capability(),
        },
    }
    schema = NODEINFO_SCHEMA.format(version=version)
    return json_response(document, f'application/json; profile="{schema}#"')


@require_GET
def authorize_interaction(request):
    """The OStatus ``subscribe`` template target: a remote user typed our URL into
    "follow/interact"; send them to the page that finds it (search resolves URLs)."""
    uri = request.GET.get("uri", "").strip()
    if not uri:
        return HttpResponseBadRequest("The uri parameter is required.")
    return redirect(f"/search?q={quote(uri, safe='')}")
