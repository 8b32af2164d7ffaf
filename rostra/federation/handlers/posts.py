"""Create, Update, Delete, Like and Announce: posts through ``posts.services``.

A Create is stored only when it concerns this server: addressed to (or mentioning)
a local account, written by someone a local account follows, or replying to a
local post. Anything else is acknowledged and dropped.
"""

from __future__ import annotations

from rostra.accounts import services as accounts
from rostra.accounts.models import Account, Follow
from rostra.core import text as text_mod
from rostra.federation import notes, remote, uris
from rostra.federation.handlers import Ignored
from rostra.posts import services as posts
from rostra.posts.errors import NotVisible, PostError
from rostra.posts.models import Poll, Post


def _object(activity: dict) -> dict:
    inner = activity.get("object")
    if isinstance(inner, str):
        try:
            document, final_url = remote.fetch_document(inner)
        except remote.RemoteError as exc:
            raise Ignored(str(exc)) from exc
        remote._check_origin(document, final_url)
        return document
    if not isinstance(inner, dict) or not isinstance(inner.get("id"), str):
        raise Ignored("The activity carries no object.")
    return inner


def followed_here(actor: Account) -> bool:
    return Follow.objects.filter(target_account=actor, account__domain="").exists()


def concerns_us(document: dict, actor: Account) -> bool:
    hrefs = notes.id_list(document.get("to")) + notes.id_list(document.get("cc"))
    tags = document.get("tag") if isinstance(document.get("tag"), list) else []
    hrefs += [notes.first_id(t.get("href")) for t in tags[:50] if isinstance(t, dict)]
    if any(uris.is_local_uri(h) and remote.local_account_for(h) for h in hrefs):
        return True
    parent = notes.first_id(document.get("inReplyTo"))
    if parent and uris.is_local_uri(parent) and remote.local_post_for(parent):
        return True
    return followed_here(actor)


def create(activity: dict, actor: Account) -> None:
    document = _object(activity)
    if document.get("type") not in remote.OBJECT_TYPES:
        raise Ignored(f"Creating {document.get('type')!r} is not handled.")
    if _vote(document, actor):
        return
    if not concerns_us(document, actor):
        raise Ignored("The post concerns no one here.")
    try:
        remote.store_object(document, fetched_from=actor.uri, author=actor)
    except remote.RemoteError as exc:
        raise Ignored(str(exc)) from exc


def _vote(document: dict, actor: Account) -> bool:
    """Record ``document`` if it is a vote in a local poll: a ``Note`` with a ``name``
    in reply to a local ``Question`` (as Mastodon recognises them; one per choice)."""
    name, parent = document.get("name"), notes.first_id(document.get("inReplyTo"))
    if document.get("type") != "Note" or not isinstance(name, str) or not name or not parent:
        return False
    post = remote.local_post_for(parent) if uris.is_local_uri(parent) else None
    poll = Poll.objects.filter(post=post).first() if post is not None else None
    if poll is None:
        return False
    if notes.first_id(document.get("attributedTo")) != actor.uri:
        raise Ignored("A vote must be the voter's own.")
    if name not in poll.options:
        raise Ignored("The vote names no option of the poll.")
    try:
        posts.add_remote_vote(actor, poll, poll.options.index(name))
    except PostError as exc:
        raise Ignored(str(exc)) from exc
    return True


def update(activity: dict, actor: Account) -> None:
    document = _object(activity)
    kind = document.get("type")
    if kind in remote.ACTOR_TYPES:
        if document.get("id") != actor.uri:
            raise Ignored("An actor can only update itself.")
        remote.store_actor(document, fetched_from=actor.uri)
        return
    if kind not in remote.OBJECT_TYPES:
        raise Ignored(f"Updating {kind!r} is not handled.")
    if notes.first_id(document.get("attributedTo")) != actor.uri:
        raise Ignored("Only the author may update a post.")
    post = Post.objects.filter(uri=document["id"], account=actor).first()
    if post is None:
        raise Ignored("The post is unknown here.")
    content, language = notes.content_of(document)
    summary = document.get("summary")
    spoiler = text_mod.plain_text(summary) if isinstance(summary, str) else ""
    poll = Poll.objects.filter(post=post).first()
    stated = notes.poll_of(document, post.published)
    if poll is not None and stated is not None and stated.counts is not None:
        posts.record_remote_poll_counts(poll, stated.counts, stated.voters)
        sensitive = document.get("sensitive") is True or bool(spoiler)
        if (content, spoiler[:500], sensitive) == (post.content, post.spoiler_text,
                                                   post.sensitive):
            return  # new tallies only (Mastodon re-sends the Question): not an edit
    media = notes.attachments(document, actor.domain)
    try:
        posts.update_remote_post(
            post,
            content_html=content,
            spoiler_text=spoiler,
            sensitive=document.get("sensitive") is True,
            language=language or None,
            edited_at=notes.parse_time(document.get("updated")),
            mentions=notes.mentioned_accounts(document),
            tags=notes.hashtags(document),
            media_descriptions=[m.description for m in media],
        )
    except PostError as exc:
        raise Ignored(str(exc)) from exc


def delete(activity: dict, actor: Account) -> None:
    target = notes.first_id(activity.get("object"))
    if target == actor.uri:
        accounts.remove_remote_account(actor)
        return
    post = Post.objects.filter(uri=target, account=actor).first() if target else None
    if post is None:
        raise Ignored("No post of this actor has this id.")
    posts.delete_post(actor, post, as_moderator=True)


def like(activity: dict, actor: Account) -> None:
    post = remote.known_post(notes.first_id(activity.get("object")))
    if post is None:
        raise Ignored("The liked post is unknown here.")
    try:
        posts.favourite(actor, post)
    except (NotVisible, PostError) as exc:
        raise Ignored("The actor may not see this post.") from exc


def announce(activity: dict, actor: Account) -> None:
    target = notes.first_id(activity.get("object"))
    post = remote.known_post(target)
    if post is None:
        if not target or uris.is_local_uri(target) or not followed_here(actor):
            raise Ignored("The boosted post concerns no one here.")
        try:
            post = remote.fetch_object(target)
        except remote.RemoteError as exc:
            raise Ignored(str(exc)) from exc
    if not post.account.local and not followed_here(actor):
        raise Ignored("The boost concerns no one here.")
    try:
        posts.reblog(actor, post)
    except (NotVisible, PostError) as exc:
        raise Ignored(str(exc) or "The actor may not boost this post.") from exc
