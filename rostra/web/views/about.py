"""Public pages about this server: the servers it moderates
(``federation.moderated_servers``)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from rostra.federation import moderated_servers as published
from rostra.web.views.common import viewer


def moderated_servers(request):
    if not published.shown_to(viewer(request) is not None):
        raise Http404
    return render(request, "web/about_moderated_servers.html",
                  {"blocks": published.moderated_servers()})
