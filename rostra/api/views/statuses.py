"""``/api/v1/statuses``: post, show several, show, edit, delete, history, source and
context.
The buttons under a status (like, boost, bookmark, pin) are in status_actions.py."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from rostra.api.auth import by_method, endpoint
from rostra.api.errors import from_domain, not_found, validation
from rostra.api.models import IdempotentPost
from rostra.api.serializers.scheduled_status import serialize_scheduled_status
from rostra.api.serializers.status import (
    serialize_edit,
    serialize_source,
    serialize_status,
    serialize_statuses,
)
from rostra.api.views.lookups import as_id, batch_ids, get_own_post, get_post
from rostra.api.views.scheduled_statuses import parse_when
from rostra.posts import scheduling
from rostra.posts import services as posts
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.models import Media, Post, Source
from rostra.posts.queries import with_relations
from rostra.posts.visibility import can_see
from rostra.timelines import filters
from rostra.timelines import services as timelines

IDEMPOTENCY_WINDOW = timedelta(hours=1)


def _media(request, ids: list) -> list[Media]:
    wanted = [as_id(i) for i in ids if str(i).strip()]
    found = {m.pk: m for m in Media.objects.filter(pk__in=wanted, account=request.api_account)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise validation(_("Media not found or not yours."), "media_ids")
    return [found[i] for i in wanted]


def _poll(p) -> posts.PollSpec | None:
    poll = p.dict("poll")
    if not poll:
        return None
    options = poll.get("options") or []
    if isinstance(options, dict):
        options = [options[k] for k in sorted(options)]
    if not isinstance(options, list):
        options = [options]
    try:
        seconds = int(poll.get("expires_in") or 0)
    except (TypeError, ValueError) as exc:
        raise validation(_("expires_in must be a number of seconds."), "poll") from exc
    if not 0 <= seconds <= 10 * 365 * 86400:  # beyond overflowed the date (a 500)
        raise validation(_("expires_in is out of range."), "poll")
    flag = lambda name: str(poll.get(name, "")).lower() in ("1", "true", "on")  # noqa: E731
    return posts.PollSpec([str(o) for o in options], timedelta(seconds=seconds),
                          multiple=flag("multiple"), hide_totals=flag("hide_totals"))


def _remembered(request, key: str) -> Post | None:
    since = timezone.now() - IDEMPOTENCY_WINDOW
    row = IdempotentPost.objects.filter(user=request.api_user, key=key,
                                        created_at__gte=since).first()
    return Post.objects.filter(pk=row.post_id).first() if row else None


@endpoint(["POST"], scope="write:statuses")
def create(request):
    p = request.params
    key = (request.headers.get("Idempotency-Key") or "").strip()[:200]
    if key:
        earlier = _remembered(request, key)
        if earlier is not None:
            return serialize_status(earlier, request.api_account)
    reply_id = p.str("in_reply_to_id")
    in_reply_to = get_post(reply_id, request.api_account) if reply_id else None
    fields = dict(
        visibility=p.str("visibility") or None,
        spoiler_text=p.str("spoiler_text", "") or "",
        sensitive=bool(p.bool("sensitive")),
        language=p.str("language", "") or "",
        in_reply_to=in_reply_to,
        media=_media(request, p.list("media_ids")),
        poll=_poll(p),
    )
    text = p.str("status", "") or ""
    try:
        if p.str("scheduled_at"):
            scheduled = scheduling.schedule_post(
                request.api_account, text, scheduled_at=parse_when(p.str("scheduled_at")),
                **fields)
            return serialize_scheduled_status(scheduled)
        app = request.api_token.application
        post = posts.create_post(request.api_account, text, source=Source.API,
                                 application={"name": app.name, "website": app.website},
                                 **fields)
    except NotVisible as exc:
        raise not_found() from exc
    except PostError as exc:
        raise from_domain(exc) from exc
    if key:
        IdempotentPost.objects.filter(user=request.api_user, key=key).delete()
        try:
            IdempotentPost.objects.create(user=request.api_user, key=key, post_id=post.pk)
        except IntegrityError:
            pass
    return serialize_status(Post.objects.get(pk=post.pk), request.api_account)


BATCH_STATUSES = 20  # as Mastodon


@endpoint(["GET"], auth="optional", scope="read:statuses")
def several(request):
    """``id[]``: up to ``BATCH_STATUSES`` statuses at once, in the order asked; those
    that do not exist or that the reader may not see are left out (Mastodon 4.3)."""
    ids = batch_ids(request, BATCH_STATUSES)
    found = {p.pk: p for p in with_relations(Post.objects.filter(pk__in=ids))}
    shown = [found[i] for i in ids if i in found and can_see(request.api_account, found[i])]
    return serialize_statuses(shown, request.api_account)


collection = by_method(GET=several, POST=create)


@endpoint(["GET"], auth="optional", scope="read:statuses")
def show(request, status_id):
    return serialize_status(get_post(status_id, request.api_account), request.api_account)


@endpoint(["DELETE"], scope="write:statuses")
def delete(request, status_id):
    post = get_own_post(status_id, request.api_account)
    data = serialize_status(post, request.api_account)
    data["text"] = post.text
    posts.delete_post(request.api_account, post)
    return data


@endpoint(["PUT"], scope="write:statuses")
def edit(request, status_id):
    post = get_own_post(status_id, request.api_account)
    p = request.params
    attached = [m.pk for m in post.media.all()]
    if p.has("media_ids") and sorted(as_id(i) for i in p.list("media_ids")) != sorted(attached):
        raise validation(_("Changing the attached media of a post is not supported; alt texts "
          "can be changed with media_attributes."), "media_ids")
    if p.dict("poll"):
        raise validation(_("Polls cannot be edited."), "poll")
    descriptions = {}
    for item in p.list("media_attributes"):
        if isinstance(item, dict) and "id" in item and "description" in item:
            descriptions[as_id(item["id"])] = str(item["description"] or "")
    posts.edit_post(
        request.api_account, post, p.str("status", "") or "",
        spoiler_text=p.str("spoiler_text", post.spoiler_text) or "",
        sensitive=bool(p.bool("sensitive", post.sensitive)),
        language=p.str("language"),
        media_descriptions=descriptions or None,
    )
    return serialize_status(get_post(post.pk, request.api_account), request.api_account)


@endpoint(["GET"], auth="optional", scope="read:statuses")
def history(request, status_id):
    post = get_post(status_id, request.api_account)
    edits = list(post.edits.all())
    if not edits:
        from rostra.posts.models import PostEdit

        edits = [PostEdit(post=post, text=post.text, content=post.content,
                          spoiler_text=post.spoiler_text, sensitive=post.sensitive,
                          media_descriptions=[m.description for m in post.media.all()],
                          created_at=post.published)]
    return [serialize_edit(e, post) for e in edits]


@endpoint(["GET"], scope="read:statuses")
def source(request, status_id):
    return serialize_source(get_own_post(status_id, request.api_account))


@endpoint(["GET"], auth="optional", scope="read:statuses")
def context(request, status_id):
    viewer = request.api_account
    post = get_post(status_id, viewer)
    ancestors, descendants = timelines.thread(viewer, post)
    ancestors = filters.apply(viewer, ancestors, "thread")
    descendants = filters.apply(viewer, descendants, "thread")
    return {"ancestors": serialize_statuses(ancestors, viewer),
            "descendants": serialize_statuses(descendants, viewer)}


status = by_method(GET=show, DELETE=delete, PUT=edit)
