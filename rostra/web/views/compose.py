"""The compose door: one POST target for every compose form (home, thread,
the compose page), and a GET page to write a reply. Images go through
``posts.media.upload_media`` one by one, then ``posts.services.create_post``;
if anything fails, the stored uploads are discarded and the form comes back
with the message next to the field at fault and what was typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from rostra.accounts.errors import AccountError
from rostra.core import throttles
from rostra.posts import media as media_service
from rostra.posts import services as post_service
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.models import Post, Visibility
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


def _publish(me, form: ComposeForm, ip: str = "") -> Post:
    """Upload the images, then create the post; discard the uploads on failure."""
    uploads = []
    try:
        for slot, upload, alt in form.uploads():
            try:
                uploads.append(media_service.upload_media(
                    me, upload, description=alt, source="web", ip=ip,
                    ai_generated=form.self_labelled(slot)))
            except PostError as exc:
                exc.field = f"alt_{slot}" if exc.field == "description" else f"media_{slot}"
                raise
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
        for item in uploads:
            media_service.discard_upload(me, item)
        raise


@login_required
def compose(request):
    me = viewer(request)
    if me is None:
        raise Http404("This log-in has no account.")
    parent = refusal = None
    if request.method == "POST":
        form = ComposeForm(request.POST, request.FILES)
        refusal = throttles.hit("statuses", throttles.account_key(me.pk)) \
            if form.is_valid() else None
        if refusal is not None:
            if form.uploads():
                messages.info(request, "Your images were not kept: please select them again.")
            form.add_error(None, refusal.message)
        elif form.is_valid():
            try:
                _publish(me, form, request.META.get("REMOTE_ADDR", ""))
            except (PostError, AccountError) as exc:
                field = getattr(exc, "field", None) or ""
                if field not in form.fields:
                    field = _FIELD_OF_ERROR.get(field)
                if form.uploads():
                    messages.info(request, "Your images were not kept: please select them again.")
                form.add_error(field, str(exc))
            else:
                messages.success(request, "Your post is published.")
                return redirect(safe_next(request, reverse("web:home")))
        try:
            parent = _parent(me, form.cleaned_data.get("in_reply_to")) if hasattr(
                form, "cleaned_data") else None
        except NotVisible:
            parent = None
        status = 400  # 429 past the posting limit (``refused``)
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
