"""Settings → Bring my posts: copy the posts of your old account on another server
into this one, live, with its permission (LOLA).

Thin door over ``portability.post_transfer``: the page starts a transfer (the
browser then goes to the old server to authorize it), the callback takes the
grant and queues the copy, and the page shows each transfer's progress and
whether the old server now redirects the old addresses (with a button to tell it
again once the account has moved).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rostra.core.links import absolute_url
from rostra.portability import post_transfer
from rostra.portability.models import ImportJob
from rostra.portability.tasks import run_post_transfer


def _jobs(user) -> list[ImportJob]:
    jobs = list(ImportJob.objects.filter(user=user, source=post_transfer.SOURCE)[:10])
    for job in jobs:
        counts = job.counts or {}
        job.percent = (int(100 * counts.get("done", 0) / counts["total"])
                       if counts.get("total") else 0)
    return jobs


@login_required
@require_http_methods(["GET", "POST"])
def transfer(request):
    account = request.user.account
    if request.method == "POST":
        action = request.POST.get("action", "start")
        if action == "report":
            job = get_object_or_404(ImportJob, pk=request.POST.get("job"), user=request.user,
                                    source=post_transfer.SOURCE,
                                    options__stage="reporting")
            transaction.on_commit(lambda: run_post_transfer.enqueue(job.pk))
            messages.success(request, _("Asking your old server again."))
            return redirect("web:transfer")
        callback = absolute_url(reverse("web:transfer_callback"))
        try:
            _job, authorize = post_transfer.start(request.user,
                                                  request.POST.get("old_account", ""),
                                                  callback)
        except post_transfer.TransferError as exc:
            messages.error(request, str(exc))
            return redirect("web:transfer")
        return HttpResponseRedirect(authorize)
    jobs = _jobs(request.user)
    return render(request, "web/settings/transfer.html", {
        "section": "transfer", "jobs": jobs, "aliases": account.also_known_as or [],
        "refresh": any(j.status == ImportJob.Status.RUNNING for j in jobs),
    })


@login_required
@require_GET
def callback(request):
    """Where the old server sends the browser back with the grant's code."""
    try:
        post_transfer.finish_authorization(
            request.user, request.GET.get("state", ""), request.GET.get("code", ""),
            request.GET.get("activitypub_actor", ""), request.GET.get("error", ""))
    except post_transfer.TransferError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your old server agreed: your posts are being copied."))
    return redirect("web:transfer")
