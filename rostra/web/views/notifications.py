"""The notifications page: one page of notifications in words, marked read
when seen; and clearing them all."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rostra.notifications import services as notifications
from rostra.posts.visibility import can_see
from rostra.timelines.pagination import Page
from rostra.web.views.common import older_link, viewer


@login_required
def index(request):
    me = viewer(request)
    page = Page.from_params(request.GET, default_limit=30)
    items = notifications.for_account(me, page)
    for item in items:
        # A post may have changed audience since; show its excerpt only if visible.
        item.visible_post = item.post if item.post and can_see(me, item.post) else None
    if page.max_id is None and items:
        notifications.mark_read(me, up_to=items[0].pk)
    return render(
        request,
        "web/notifications.html",
        {"items": items, "older_max_id": older_link(items, page)},
    )


@login_required
@require_POST
def clear(request):
    notifications.clear(viewer(request))
    messages.success(request, _("All notifications are cleared."))
    return redirect("web:notifications")
