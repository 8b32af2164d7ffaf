"""The compose door: one POST target for every compose form (home, thread,
the compose page), and a GET page to write a reply. Images go through
``posts.media.upload_media`` one by one, then ``posts.services.create_post``;
if anything fails, the stored uploads are discarded and the form comes back
with the message next to the field at fault and what was typed kept.

The alt-text nudge: a post whose image or video has no description is not sent
at once. The files are stored (through the same gate) and kept by id in the form
(``keep_N``), which comes back with a polite request beside each one and a "Post
without descriptions" box; no JavaScript needed. The API never nudges: Mastodon
apps ask for alt text in their own way."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rostra.accounts.errors import AccountError
from rostra.core import throttles
from rostra.posts import media as media_service
from rostra.posts import services as post_service
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.models import Media, Post, Visibility
from rostra.posts.queries import hydrate, with_relations
from rostra.posts.visibility import can_see
from rostra.web.forms.posts import ComposeForm
from rostra.web.views.common import refused, safe_next, viewer

# Replies default to the narrower of the parent's visibility and the user's default.
_NARROWNESS = [Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE, Visibility.DIRECT]


def default_visibility(user, parent: Post | None = None) -> str:
    chosen = getattr(user, "default_visibility", "") or Visibility.PUBLIC
    if chosen not in Visibility.values:
        chosen = Visibility.PUBLIC
    if parent is not None and _NARROWNESS.index(parent.visibility) > _NARROWNESS.index(chosen):
        chosen = parent.visibility
    return chosen


def reply_prefill(me, parent: Post) -> str:
    """"@author @mentioned " for a reply, without the replier themself."""
    accts = [parent.account.acct]
    accts += [m.account.acct if m.account else m.acct for m in parent.mentions.all()]
    seen, out = set(), []
    for acct in accts:
        if acct.lower() in seen or (me is not None and acct.lower() == me.acct.lower()):
            continue
        seen.add(acct.lower())
        out.append(f"@{acct}")
    return " ".join(out) + " " if out else ""


def compose_form_for(request, parent: Post | None = None) -> ComposeForm:
    """A fresh compose form with the user's defaults (and a reply's prefill)."""
    initial = {
        "visibility": default_visibility(request.user, parent),
        "sensitive": getattr(request.user, "default_sensitive", False),
        "poll_duration": 86400,
    }
    if parent is not None:
        initial["in_reply_to"] = parent.pk
        initial["text"] = reply_prefill(viewer(request), parent)
        if parent.spoiler_text:
            initial["spoiler_text"] = parent.spoiler_text
    return ComposeForm(initial=initial)


def _parent(me, post_id: int | None) -> Post | None:
    if not post_id:
        return None
    parent = with_relations(Post.objects.filter(pk=post_id)).first()
    if parent is None or not can_see(me, parent):
        raise NotVisible()
    return parent


_FIELD_OF_ERROR = {"text": "text", "visibility": "visibility", "poll": "poll_option_1",
                   "spoiler_text": "spoiler_text"}


def _kept_media(me, form: ComposeForm) -> tuple[dict[int, Media], list[Media]]:
    """The uploads an earlier answer kept (``keep_N``), by slot, and those the author
    removed or replaced with a new file. Only their own unattached, unheld uploads."""
    kept, dropped = {}, []
    cleaned = getattr(form, "cleaned_data", {})
    for slot, pk in form.kept_ids().items():
        media = Media.objects.filter(pk=pk, account=me, post__isnull=True,
                                     quarantined_at__isnull=True,
                                     scheduled_post__isnull=True).first()
        if media is None:
            continue  # gone (used or removed meanwhile): the slot is empty again
        if cleaned.get(f"drop_{slot}") or cleaned.get(f"media_{slot}"):
            dropped.append(media)
        else:
            kept[slot] = media
    return kept, dropped


def _store_media(me, form: ComposeForm, kept: dict[int, Media], ip: str) -> dict[int, Media]:
    """Kept uploads plus the new files (each through the media gate), by slot. On a
    refused file, every upload of this form is discarded and the ``PostError`` raised."""
    stored = dict(kept)
    try:
        for slot, upload, alt in form.uploads():
            try:
                stored[slot] = media_service.upload_media(
                    me, upload, description=alt, source="web", ip=ip,
                    ai_generated=form.self_labelled(slot))
            except PostError as exc:
                exc.field = f"alt_{slot}" if exc.field == "description" else f"media_{slot}"
                raise
    except Exception:
        for item in stored.values():
            media_service.discard_upload(me, item)
        raise
    return stored


def _publish(me, form: ComposeForm, stored: dict[int, Media]) -> Post:
    """Create the post with the stored media (their descriptions as now typed);
    discard the uploads on failure."""
    try:
        uploads = []
        for slot in sorted(stored):
            uploads.append(media_service.update_media(
                me, stored[slot], description=form.cleaned_data.get(f"alt_{slot}", ""),
                ai_generated=form.self_labelled(slot)))
        options = form.poll_options()
        poll = None
        if options:
            poll = post_service.PollSpec(
                options, expires_in=form.poll_expires_in(),
                multiple=form.cleaned_data["poll_multiple"],
            )
        data = form.cleaned_data
        return post_service.create_post(
            me,
            data["text"],
            visibility=data["visibility"],
            spoiler_text=data["spoiler_text"],
            sensitive=data["sensitive"],
            in_reply_to=_parent(me, data.get("in_reply_to")),
            media=uploads,
            poll=poll,
            source="web",
        )
    except Exception:
        for item in stored.values():
            media_service.discard_upload(me, item)
        raise


def _not_kept() -> str:
    return _("Your images were not kept: please select them again.")


@login_required
def compose(request):
    me = viewer(request)
    if me is None:
        raise Http404("This log-in has no account.")
    parent = refusal = None
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES)
        valid = form.is_valid()
        kept, dropped = _kept_media(me, form)
        form.kept = kept
        refusal = throttles.hit("statuses", throttles.account_key(me.pk)) if valid else None
        status = 400  # 429 past the posting limit (``refused``)
        if refusal is not None:
            if form.uploads():  # new files are lost; kept ones stay kept
                messages.info(request, _not_kept())
            form.add_error(None, refusal.message)
        elif valid:
            for item in dropped:
                media_service.discard_upload(me, item)
            try:
                stored = _store_media(me, form, kept, request.META.get("REMOTE_ADDR", ""))
                form.kept = stored
                form.nudged = [] if form.cleaned_data["post_without_alt"] \
                    else form.slots_without_description(stored)
                if not form.nudged:
                    _publish(me, form, stored)
            except (PostError, AccountError) as exc:
                form.kept = {}
                field = getattr(exc, "field", None) or ""
                if field not in form.fields:
                    field = _FIELD_OF_ERROR.get(field)
                if kept or form.uploads():
                    messages.info(request, _not_kept())
                form.add_error(field, str(exc))
            else:
                if not form.nudged:
                    messages.success(request, _("Your post is published."))
                    return redirect(safe_next(request, reverse("web:home")))
                status = 200  # a request, not an error: nothing is lost
        try:
            parent = _parent(me, form.cleaned_data.get("in_reply_to")) if hasattr(
                form, "cleaned_data") else None
        except NotVisible:
            parent = None
    else:
        try:
            parent = _parent(me, _int(request.GET.get("in_reply_to")))
        except NotVisible as exc:
            raise Http404(str(exc)) from exc
        form = compose_form_for(request, parent)
        status = 200
    if parent is not None:
        hydrate([parent], me)
    response = render(
        request,
        "web/compose.html",
        {"form": form, "parent": parent, "next": safe_next(request, "")},
        status=status,
    )
    return refused(response, refusal) if refusal is not None else response


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
