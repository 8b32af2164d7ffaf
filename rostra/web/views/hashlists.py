"""The staff page of the image-abuse shield's hash lists (``/moderation/hashlists``):
the lists and their counts, switching one off or on, deleting one (after a
confirmation page), importing a file, subscribing to a trusted server's feed and
pulling it now, and the allow-list of cleared hashes.

A thin door over ``safety.lists`` and ``federation.hash_feeds``; every change goes
to the moderation audit log."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rostra.federation import hash_feeds
from rostra.moderation.services import audit
from rostra.safety import lists
from rostra.safety.models import AllowEntry, HashList
from rostra.web.forms.hashlists import AllowForm, ImportForm, SubscribeForm
from rostra.web.views.settings import staff_required

ALLOWED_SHOWN = 50
ERRORS_SHOWN = 10


def _rows() -> list[dict]:
    by_name = {hl.name: hl for hl in HashList.objects.all()}
    rows = []
    for summary in lists.summaries():
        hash_list = by_name.get(summary["name"])
        if hash_list is None:  # deleted in between
            continue
        rows.append({**summary, "list": hash_list, "total": sum(summary["counts"].values()),
                     "published": hash_feeds.feed_url(hash_list)
                     if hash_list.source == HashList.Source.VICTIMS else "",
                     "pull": _last_pull(hash_list)
                     if hash_list.source == HashList.Source.FEED else {}})
    return rows


def _last_pull(hash_list: HashList) -> dict:
    state = dict(hash_feeds.last_pull(hash_list))
    if state.get("at"):
        state["at"] = datetime.fromisoformat(state["at"])
    return state


def _page(request, *, import_form=None, subscribe_form=None, allow_form=None, status=200):
    return render(request, "web/moderation/hashlists.html", {
        "rows": _rows(),
        "allowed": list(AllowEntry.objects.select_related("created_by")
                        .order_by("-created_at", "-pk")[:ALLOWED_SHOWN]),
        "allowed_count": AllowEntry.objects.count(),
        "import_form": import_form or ImportForm(),
        "subscribe_form": subscribe_form or SubscribeForm(),
        "allow_form": allow_form or AllowForm(),
        "section": "moderation"}, status=status)


def _list(list_id: int) -> HashList:
    return get_object_or_404(HashList, pk=list_id)


@require_safe
@staff_required
def index(request):
    return _page(request)


def _spooled(upload) -> tuple[Path, bool]:
    """A path to the uploaded file, and whether it is ours to delete: large uploads
    are on disk already (Django's upload handlers spool them); small ones are
    written out, so that ``import_list`` always reads a file, never text."""
    if hasattr(upload, "temporary_file_path"):
        return Path(upload.temporary_file_path()), False
    suffix = Path(upload.name or "").suffix[:10]
    with tempfile.NamedTemporaryFile("wb", suffix=f".upload{suffix}", delete=False) as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return Path(out.name), True


@require_POST
@staff_required
def import_file(request):
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, import_form=form, status=400)
    data = form.cleaned_data
    path, ours = _spooled(data["file"])
    try:
        report = lists.import_list(path, name=data["name"], kind=data["kind"],
                                   action=data["action"], fmt=data["fmt"] or None,
                                   description=data["description"])
    except lists.HashListError as exc:
        form.add_error(None, str(exc))
        return _page(request, import_form=form, status=400)
    finally:
        if ours:
            os.unlink(path)
    audit(request.user, "hashlist.imported", None, list=report.hash_list.name,
          list_id=report.hash_list.pk, kind=data["kind"], list_action=data["action"],
          file=data["file"].name[:200], format=report.format, read=report.read,
          added=report.added, rejected=report.error_count, complete=report.complete)
    (messages.success if report.complete else messages.warning)(request, report.summary())
    for message in report.errors[:ERRORS_SHOWN]:
        messages.warning(request, message)
    if report.error_count > ERRORS_SHOWN:
        more = report.error_count - ERRORS_SHOWN
        messages.warning(request, ngettext("… and %(count)s more rejected line.",
                                           "… and %(count)s more rejected lines.", more)
                         % {"count": f"{more:,}"})
    return redirect("web:moderation_hashlists")


@require_POST
@staff_required
def subscribe(request):
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _page(request, subscribe_form=form, status=400)
    data = form.cleaned_data
    try:
        hash_list = hash_feeds.subscribe(data["url"], name=data["name"], action=data["action"])
    except hash_feeds.FeedError as exc:
        form.add_error("url", str(exc))
        return _page(request, subscribe_form=form, status=400)
    count = hash_list.entries.count()
    audit(request.user, "hashlist.subscribed", None, list=hash_list.name,
          list_id=hash_list.pk, url=hash_list.feed_url, list_action=hash_list.action,
          entries=count)
    messages.success(request, ngettext("Subscribed to %(url)s as %(name)s: %(count)s hash.",
                                       "Subscribed to %(url)s as %(name)s: %(count)s hashes.",
                                       count)
                     % {"url": hash_list.feed_url, "name": hash_list.name,
                        "count": f"{count:,}"})
    return redirect("web:moderation_hashlists")


@require_POST
@staff_required
def pull(request, list_id: int):
    hash_list = _list(list_id)
    report = hash_feeds.pull(hash_list)
    audit(request.user, "hashlist.pulled", None, list=hash_list.name, list_id=hash_list.pk,
          status=report.status, added=report.added, removed=report.removed,
          errors=report.errors[:ERRORS_SHOWN])
    (messages.success if report.ok else messages.error)(request, report.summary())
    return redirect("web:moderation_hashlists")


@require_POST
@staff_required
def toggle(request, list_id: int):
    hash_list = _list(list_id)
    enabled = request.POST.get("enabled") == "1"
    lists.set_enabled(hash_list, enabled)
    audit(request.user, "hashlist.enabled" if enabled else "hashlist.disabled", None,
          list=hash_list.name, list_id=hash_list.pk)
    messages.success(request, (_("%(name)s is on: it matches from now on.") if enabled else
                               _("%(name)s is off: it matches nothing from now on."))
                     % {"name": hash_list.name})
    return redirect("web:moderation_hashlists")


@require_http_methods(["GET", "POST"])
@staff_required
def delete(request, list_id: int):
    """A confirmation page; its form deletes the list and its entries."""
    hash_list = _list(list_id)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return render(request, "web/moderation/hashlists_delete.html", {
            "list": hash_list, "count": hash_list.entries.count(), "section": "moderation"})
    name, kind, source = hash_list.name, hash_list.kind, hash_list.source
    count = lists.delete_list(hash_list)
    audit(request.user, "hashlist.deleted", None, list=name, list_id=list_id, kind=kind,
          source=source, entries=count)
    messages.success(request, ngettext("Deleted %(name)s and its %(count)s hash.",
                                       "Deleted %(name)s and its %(count)s hashes.", count)
                     % {"name": name, "count": f"{count:,}"})
    return redirect("web:moderation_hashlists")


@require_POST
@staff_required
def allow(request):
    form = AllowForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = lists.allow(data["signal_type"], data["value"], by=request.user,
                                reason=data["reason"])
        except lists.HashListError as exc:
            form.add_error("value", str(exc))
        else:
            audit(request.user, "hash.allowed", None, signal_type=entry.signal_type,
                  value=entry.value, reason=entry.reason)
            messages.success(request, _("Cleared %(signal)s %(value)s: it matches no list "
                                        "from now on.")
                             % {"signal": entry.signal_type, "value": entry.value})
            return redirect("web:moderation_hashlists")
    return _page(request, allow_form=form, status=400)


@require_POST
@staff_required
def allow_remove(request, entry_id: int):
    entry = get_object_or_404(AllowEntry, pk=entry_id)
    lists.disallow(entry)
    audit(request.user, "hash.allow_removed", None, signal_type=entry.signal_type,
          value=entry.value)
    messages.success(request, _("%(signal)s %(value)s matches the lists again.")
                     % {"signal": entry.signal_type, "value": entry.value})
    return redirect("web:moderation_hashlists")
