"""Mastodon's Instance entity, v1 and v2, from settings and the site settings."""

from __future__ import annotations

from django.conf import settings

from rostra.accounts import services as accounts
from rostra.accounts.models import Account, SiteSettings, User
from rostra.core.links import absolute_url
from rostra.core.versions import MASTODON_API_VERSION, rostra_version
from rostra.notifications import push
from rostra.posts import featured_tags
from rostra.posts import media as media_rules
from rostra.posts import services as post_rules
from rostra.posts.models import Post

IMAGE_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
VIDEO_TYPES = ["video/mp4", "video/quicktime", "video/webm"]


def version() -> str:
    return f"{MASTODON_API_VERSION} (compatible; Rostra {rostra_version()})"


def configuration() -> dict:
    return {
        "accounts": {"max_featured_tags": featured_tags.MAX_FEATURED,
                     "max_pinned_statuses": post_rules.MAX_PINS},
        "statuses": {
            "max_characters": settings.ROSTRA_POST_MAX_CHARS,
            "max_media_attachments": settings.ROSTRA_MEDIA_MAX_ATTACHMENTS,
            "characters_reserved_per_url": post_rules.URL_WEIGHT,
        },
        "media_attachments": {
            "supported_mime_types": IMAGE_TYPES + VIDEO_TYPES,
            "image_size_limit": settings.ROSTRA_MEDIA_MAX_BYTES,
            "image_matrix_limit": settings.ROSTRA_MEDIA_MAX_PIXELS,
            "video_size_limit": settings.ROSTRA_VIDEO_MAX_BYTES,
            "video_frame_rate_limit": settings.ROSTRA_VIDEO_MAX_FPS,
            "video_matrix_limit": settings.ROSTRA_VIDEO_MAX_PIXELS,
            "description_limit": media_rules.MAX_DESCRIPTION,
        },
        "polls": {
            "max_options": settings.ROSTRA_POLL_MAX_OPTIONS,
            "max_characters_per_option": post_rules.POLL_OPTION_MAX,
            "min_expiration": int(post_rules.POLL_MIN_DURATION.total_seconds()),
            "max_expiration": int(post_rules.POLL_MAX_DURATION.total_seconds()),
        },
    }


def instance_rules(site: SiteSettings) -> list[dict]:
    lines = [line.strip() for line in (site.rules or "").splitlines() if line.strip()]
    return [{"id": str(i), "text": text, "hint": ""} for i, text in enumerate(lines, 1)]


def _contact_account() -> Account | None:
    admin = User.objects.filter(is_staff=True, account__isnull=False).order_by("pk").first()
    return admin.account if admin else None


def streaming_url() -> str:
    """Where the WebSocket streaming API is (the same host: no separate server)."""
    scheme = "wss" if settings.ROSTRA_SCHEME == "https" else "ws"
    return f"{scheme}://{settings.ROSTRA_DOMAIN}"


def serialize_instance_v1() -> dict:
    from rostra.api.serializers.account import serialize_account

    site = SiteSettings.current()
    mode = accounts.registration_mode()
    contact = _contact_account()
    return {
        "uri": settings.ROSTRA_DOMAIN,
        "title": site.title,
        "short_description": site.description,
        "description": site.description,
        "email": settings.DEFAULT_FROM_EMAIL,
        "version": version(),
        "urls": {"streaming_api": streaming_url()},
        "stats": {
            "user_count": User.objects.filter(approved=True).count(),
            "status_count": Post.objects.filter(account__domain="", reblog_of__isnull=True)
            .count(),
            "domain_count": Account.objects.exclude(domain="").values("domain").distinct()
            .count(),
        },
        "thumbnail": None,
        "languages": [settings.LANGUAGE_CODE],
        "registrations": mode != "closed",
        "approval_required": mode == "approval",
        "invites_enabled": True,
        "configuration": configuration(),
        "contact_account": serialize_account(contact) if contact else None,
        "rules": instance_rules(site),
    }


def serialize_instance_v2() -> dict:
    from rostra.api.serializers.account import serialize_account

    site = SiteSettings.current()
    mode = accounts.registration_mode()
    contact = _contact_account()
    config = configuration()
    config["urls"] = {"streaming": streaming_url(), "status": None}
    config["translation"] = {"enabled": False}
    config["vapid"] = {"public_key": push.server_key()}
    return {
        "domain": settings.ROSTRA_DOMAIN,
        "title": site.title,
        "version": version(),
        "source_url": "",
        "description": site.description,
        "usage": {"users": {"active_month": User.objects.filter(approved=True).count()}},
        "thumbnail": {"url": absolute_url("/static/api/missing.png")},
        "icon": [],
        "languages": [settings.LANGUAGE_CODE],
        "configuration": config,
        "registrations": {"enabled": mode != "closed", "approval_required": mode == "approval",
                          "message": None, "url": None},
        "api_versions": {"mastodon": 2},
        "contact": {"email": settings.DEFAULT_FROM_EMAIL,
                    "account": serialize_account(contact) if contact else None},
        "rules": instance_rules(site),
    }
