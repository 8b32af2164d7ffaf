"""Template helpers of the web door: visibility labels and icons, and the
short relative times shown on posts."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()

VISIBILITY = {
    "public": ("🌐", "Public"),
    "unlisted": ("🔓", "Unlisted"),
    "private": ("🔒", "Followers only"),
    "direct": ("✉", "Mentioned people only"),
}


@register.filter
def visibility_icon(value: str) -> str:
    return VISIBILITY.get(value, ("", ""))[0]


@register.filter
def visibility_label(value: str) -> str:
    return VISIBILITY.get(value, ("", value))[1]


@register.filter
def short_age(value: datetime | None) -> str:
    """"now", "5m", "3h", "2d", then a date: the compact time of a post."""
    if value is None:
        return ""
    seconds = (timezone.now() - value).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d"
    local = timezone.localtime(value)
    if local.year == timezone.localtime().year:
        return local.strftime("%-d %b")
    return local.strftime("%-d %b %Y")


@register.filter
def initial(value: str) -> str:
    """The first letter of a name, for an avatar placeholder."""
    return (value or "?")[:1].upper()
