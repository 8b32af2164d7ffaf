"""Followed hashtags: the Follow/Unfollow button of a hashtag page, and the
settings page that lists them (``timelines.followed_tags`` says what following
does: the tag's public posts join home)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rostra.timelines import followed_tags
from rostra.timelines.errors import TimelineError


def _act(request, name: str) -> str:
    """Follow or unfollow ``name`` as the form asks; the error message, or ""."""
    me = request.user.account
    try:
        if request.POST.get("action") == "unfollow":
            tag = followed_tags.unfollow_tag(me, name)
            shown = tag.display_name if tag is not None else name.lstrip("#")
            messages.success(request, _("You no longer follow #%(tag)s.") % {"tag": shown})
        else:
            tag = followed_tags.follow_tag(me, name)
            messages.success(request, _("You follow #%(tag)s: its public posts now appear "
                                        "in your home timeline.") % {"tag": tag.display_name})
    except TimelineError as exc:
        return str(exc)
    return ""


@login_required
@require_POST
def toggle(request, tag: str):
    """The button on ``/tags/<tag>``; back to that page either way."""
    error = _act(request, tag)
    if error:
        messages.error(request, error)
    return redirect("web:tag", tag=tag)


@login_required
@require_http_methods(["GET", "POST"])
def page(request):
    error, typed = "", ""
    if request.method == "POST":
        typed = (request.POST.get("name") or "").strip()
        error = _act(request, typed)
        if not error:
            return redirect("web:followed_tags")
    return render(request, "web/settings/followed_tags.html",
                  {"section": "followed_tags", "error": error, "typed": typed,
                   "follows": followed_tags.followed(request.user.account)},
                  status=400 if error else 200)
