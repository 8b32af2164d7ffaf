"""Settings → Import from X → People from X: the opt-in to be found by one's X
account, and the people one knew on X who are here, with Follow and Follow all.

Thin door over ``portability.x_connections``. Every form is a POST with CSRF and
works without JavaScript. The page reads the database only; opting in schedules
the background lookup at other Rostra servers (``portability.x_lookup``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from rostra.portability import x_connections as xc
from rostra.portability.models import XConnection

LISTS = ("following", "followers")


@login_required
@require_http_methods(["GET", "POST"])
def x_connections(request):
    identity = xc.identity_of(request.user)
    if request.method == "POST":
        if identity is None:
            messages.error(request, _("Import your X archive first."))
        else:
            findable = request.POST.get("findable") == "on"
            xc.set_findable(request.user, findable)
            messages.success(request, _("You can now be found by the people you knew on X.")
                             if findable else _("Nobody can find you by your X account now."))
        return redirect("web:x_connections")
    xc.refresh_if_stale(request.user)
    counts = {d: XConnection.objects.filter(user=request.user, direction=d).count()
              for d in (xc.FOLLOWING, xc.FOLLOWER)}
    return render(request, "web/settings/x_connections.html", {
        "section": "import", "identity": identity, "people": xc.people_here(request.user),
        "counts": counts, "listed_max": xc.MAX_LISTED})


@login_required
@require_POST
def x_connections_follow(request):
    direction = request.POST.get("list", "")
    if direction not in LISTS:
        messages.error(request, _("Choose a list to follow from."))
        return redirect("web:x_connections")
    only = None
    if request.POST.get("account"):
        try:
            only = [int(request.POST["account"])]
        except ValueError:
            only = []
    made, errors = xc.follow_people(request.user, direction, only)
    if made:
        messages.success(request, ngettext(
            "Followed %(count)s person (locked and remote accounts get a follow request).",
            "Followed %(count)s people (locked and remote accounts get a follow request).",
            made) % {"count": made})
    elif not errors:
        messages.info(request, _("You already follow everyone there."))
    for error in errors[:5]:
        messages.error(request, error)
    return redirect("web:x_connections")
