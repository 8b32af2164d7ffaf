"""Single-post pages and the buttons under every post.

The thread page, edit history, edit and delete pages, and the small POST
actions (boost, like, bookmark, pin, mute the conversation, vote). Every page
checks ``posts.visibility.can_see`` (404 when false) before showing anything;
every action calls one post service and redirects back to ``next``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rostra.posts import conversation_mutes
from rostra.posts import services as post_service
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.models import Poll
from rostra.timelines import services as timelines
from rostra.web.forms.posts import EditForm
from rostra.web.views.common import account_or_404, redirect_next, viewer, visible_post_or_404
from rostra.web.views.compose import compose_form_for


def post_url(post) -> str:
    return reverse("web:post", args=[post.account.acct, post.pk])


def _post_of(request, acct: str, post_id: int):
    """The post ``post_id`` by ``acct``, visible to the viewer, else 404."""
    account = account_or_404(acct)
    post = visible_post_or_404(request, post_id)
    if post.account_id != account.pk:
        raise Http404("This post does not exist.")
    return post


def thread(request, acct: str, post_id: int):
    post = _post_of(request, acct, post_id)
    if post.reblog_of_id:
        return redirect(post_url(post.reblog_of))
    me = viewer(request)
    ancestors, descendants = timelines.thread(me, post)
    reply_form = compose_form_for(request, post) if me is not None else None
    # Who takes part anywhere in the thread may mute it from any of its posts.
    takes_part = me is not None and conversation_mutes.takes_part(me, post)
    return render(
        request,
        "web/thread.html",
        {"post": post, "ancestors": ancestors, "descendants": descendants,
         "reply_form": reply_form, "takes_part_in_thread": takes_part},
    )


def history(request, acct: str, post_id: int):
    post = _post_of(request, acct, post_id)
    versions = list(post.edits.all().order_by("-created_at"))
    return render(request, "web/post_history.html", {"post": post, "versions": versions})


# --- actions ---------------------------------------------------------------------

ACTIONS = {
    "reblog": (post_service.reblog, gettext_lazy("Boosted.")),
    "unreblog": (post_service.unreblog, gettext_lazy("Boost removed.")),
    "favourite": (post_service.favourite, gettext_lazy("Liked.")),
    "unfavourite": (post_service.unfavourite, gettext_lazy("Like removed.")),
    "bookmark": (post_service.bookmark, gettext_lazy("Bookmarked.")),
    "unbookmark": (post_service.unbookmark, gettext_lazy("Bookmark removed.")),
    "pin": (post_service.pin, gettext_lazy("Pinned to your profile.")),
    "unpin": (post_service.unpin, gettext_lazy("Unpinned.")),
    "mute": (conversation_mutes.mute_conversation,
             gettext_lazy("Conversation muted: it sends you no more notifications.")),
    "unmute": (conversation_mutes.unmute_conversation, gettext_lazy("Conversation unmuted.")),
}


@login_required
@require_POST
def action(request, post_id: int, action: str):
    if action not in ACTIONS:
        raise Http404("No such action.")
    service, done = ACTIONS[action]
    me = viewer(request)
    post = visible_post_or_404(request, post_id)
    try:
        service(me, post)
    except NotVisible as exc:
        raise Http404(str(exc)) from exc
    except PostError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, str(done))
    return redirect_next(request, post_url(post))


@login_required
@require_POST
def vote(request, post_id: int):
    me = viewer(request)
    post = visible_post_or_404(request, post_id)
    poll = Poll.objects.filter(post=post).first()
    if poll is None:
        raise Http404("This post has no poll.")
    try:
        choices = [int(c) for c in request.POST.getlist("choice")]
    except ValueError:
        choices = []
    try:
        post_service.vote(me, poll, choices)
    except NotVisible as exc:
        raise Http404(str(exc)) from exc
    except PostError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your vote is counted."))
    return redirect_next(request, post_url(post))


@login_required
def delete(request, post_id: int):
    me = viewer(request)
    post = visible_post_or_404(request, post_id)
    if post.account_id != me.pk or post.reblog_of_id:
        raise Http404("You can only delete your own posts.")
    if request.method == "POST":
        post_service.delete_post(me, post)
        messages.success(request, _("Your post is deleted."))
        fallback = reverse("web:profile", args=[me.acct])
        target = redirect_next(request, fallback)
        # Never send someone back to the page of the post that no longer exists.
        if str(post_id) in target.url:
            return redirect(fallback)
        return target
    return render(request, "web/post_delete.html", {"post": post})


@login_required
def edit(request, post_id: int):
    me = viewer(request)
    post = visible_post_or_404(request, post_id)
    if post.account_id != me.pk or post.reblog_of_id:
        raise Http404("You can only edit your own posts.")
    media = list(post.media.all())
    if request.method == "POST":
        form = EditForm(request.POST, media=media)
        if form.is_valid():
            try:
                post_service.edit_post(
                    me,
                    post,
                    form.cleaned_data["text"],
                    spoiler_text=form.cleaned_data["spoiler_text"],
                    sensitive=form.cleaned_data["sensitive"],
                    media_descriptions=form.media_descriptions(),
                )
            except PostError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, str(exc))
            else:
                messages.success(request, _("Your post is updated."))
                return redirect(post_url(post))
        status = 400
    else:
        form = EditForm(
            media=media,
            initial={"text": post.text, "spoiler_text": post.spoiler_text,
                     "sensitive": post.sensitive},
        )
        status = 200
    return render(request, "web/post_edit.html", {"post": post, "form": form}, status=status)
