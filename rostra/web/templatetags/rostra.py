"""Template helpers of the web door: visibility labels and icons, and the
short relative times shown on posts."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy, pgettext

register = template.Library()

VISIBILITY = {
    "public": ("🌐", gettext_lazy("Public")),
    "unlisted": ("🔓", gettext_lazy("Unlisted")),
    "private": ("🔒", gettext_lazy("Followers only")),
    "direct": ("✉", gettext_lazy("Mentioned people only")),
}


@register.filter
def visibility_icon(value: str) -> str:
    return VISIBILITY.get(value, ("", ""))[0]


@register.filter
def visibility_label(value: str) -> str:
    return str(VISIBILITY.get(value, ("", value))[1])


@register.filter
def short_age(value: datetime | None) -> str:
    """"now", "5m", "3h", "2d", then a date: the compact time of a post.

    Each unit goes through translation ("time since" context) and the date uses the
    active language's month names."""
    if value is None:
        return ""
    seconds = (timezone.now() - value).total_seconds()
    if seconds < 60:
        return pgettext("time since", "now")
    if seconds < 3600:
        return pgettext("time since", "%(count)sm") % {"count": int(seconds // 60)}
    if seconds < 86400:
        return pgettext("time since", "%(count)sh") % {"count": int(seconds // 3600)}
    if seconds < 7 * 86400:
        return pgettext("time since", "%(count)sd") % {"count": int(seconds // 86400)}
    local = timezone.localtime(value)
    if local.year == timezone.localtime().year:
        return dateformat.format(local, "j M")
    return dateformat.format(local, "j M Y")


@register.filter
def initial(value: str) -> str:
    """The first letter of a name, for an avatar placeholder."""
    return (value or "?")[:1].upper()
