"""Posts as ActivityStreams ``Note`` objects (``Question`` for polls: see question.py).

Addressing follows Mastodon, so every server files our posts where theirs go:

=========  =======================  ===================================
visibility ``to``                   ``cc``
=========  =======================  ===================================
public     Public                   followers, mentioned
unlisted   followers                Public, mentioned
private    followers                mentioned
direct     mentioned                —
=========  =======================  ===================================
"""

from __future__ import annotations

from django.conf import settings

from rostra.federation import uris
from rostra.federation.serializers.common import absolute_html, iso
from rostra.federation.serializers.context import with_context
from rostra.posts.models import Poll, Post, PostTag, Visibility

REPLIES_PAGE_SIZE = 20


def mentioned_uris(post: Post) -> list[str]:
    """Actor ids of the accounts ``post`` mentions (unresolved remote mentions have none)."""
    found = []
    for mention in post.mentions.all():
        if mention.account is not None:
            uri = uris.actor_uri(mention.account)
            if uri and uri not in found:
                found.append(uri)
    return found


def addressing(post: Post) -> tuple[list[str], list[str]]:
    """(``to``, ``cc``) of ``post`` by its visibility (see the module table)."""
    author = post.account
    followers = uris.followers_uri(author) if author.local else ""
    mentioned = mentioned_uris(post)
    followers_list = [followers] if followers else []
    if post.visibility == Visibility.PUBLIC:
        return [uris.PUBLIC], followers_list + mentioned
    if post.visibility == Visibility.UNLISTED:
        return followers_list, [uris.PUBLIC, *mentioned]
    if post.visibility == Visibility.PRIVATE:
        return followers_list, mentioned
    return mentioned, []


def _handle(account) -> str:
    return f"@{account.username}@{account.domain or settings.ROSTRA_DOMAIN}"


def tags(post: Post) -> list[dict]:
    """``Mention`` and ``Hashtag`` tags of ``post``."""
    result = [
        {"type": "Mention", "href": uris.actor_uri(m.account), "name": _handle(m.account)}
        for m in post.mentions.all()
        if m.account is not None and uris.actor_uri(m.account)
    ]
    for post_tag in PostTag.objects.filter(post=post).select_related("tag").order_by("pk"):
        tag = post_tag.tag
        result.append({"type": "Hashtag", "href": uris.tag_url(tag.name),
                       "name": f"#{tag.display_name or tag.name}"})
    return result


# What an AI-generated attachment says it is (one term for every declaration: the
# file's own C2PA/IPTC one, the author's, or its origin server's).
AI_GENERATED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


def attachment(media) -> dict:
    """A ``Document`` as Mastodon sends every attachment, videos included: the
    receiver tells a video from its ``mediaType``. A video's poster frame is its
    ``icon`` (what Mastodon sends as a video's thumbnail); ``focalPoint`` is an
    image's only. AI-generated media carry ``digitalSourceType`` (see context.py)."""
    url = uris.media_url(media.file.url) if media.file else media.remote_url
    document = {
        "type": "Document",
        "mediaType": media.mime_type or "application/octet-stream",
        "url": url,
        "name": media.description or None,
        "blurhash": media.blurhash or None,
    }
    if media.kind == "image":
        document["focalPoint"] = [media.focus_x, media.focus_y]
    if media.width and media.height:
        document["width"], document["height"] = media.width, media.height
    if media.ai_generated:
        document["digitalSourceType"] = AI_GENERATED
    if media.kind != "image" and media.thumbnail:
        document["icon"] = {"type": "Image", "mediaType": "image/jpeg",
                            "url": uris.media_url(media.thumbnail.url)}
    return document


def replies_collection(post: Post) -> dict:
    """The ``replies`` Collection of ``post``, its first page of public replies inline."""
    from rostra.federation.serializers.collections import replies_page

    collection_id = f"{uris.post_uri(post)}/replies"
    return {
        "id": collection_id,
        "type": "Collection",
        "first": replies_page(post, None, embedded=True),
    }


def note_fields(post: Post) -> dict:
    """Every field a ``Note`` (or ``Question``) carries, without ``@context``."""
    note_id = uris.post_uri(post)
    to, cc = addressing(post)
    content = absolute_html(post.content or "")
    fields = {
        "id": note_id,
        "type": "Note",
        "summary": post.spoiler_text or None,
        "inReplyTo": uris.post_uri(post.in_reply_to) if post.in_reply_to_id else None,
        "published": iso(post.published),
        "url": uris.post_url(post),
        "attributedTo": uris.actor_uri(post.account),
        "to": to,
        "cc": cc,
        "sensitive": post.sensitive,
        "content": content,
    }
    if post.language:
        fields["contentMap"] = {post.language: content}
    if post.account.local and post.uri and post.uri != note_id:
        fields["previously"] = [{"id": post.uri}]  # LOLA: where a moved post was before
    if post.edited_at:
        fields["updated"] = iso(post.edited_at)
    fields["attachment"] = [attachment(m) for m in post.media.all()]
    fields["tag"] = tags(post)
    fields["replies"] = replies_collection(post)
    return fields


def serialize_note(post: Post, *, context: bool = True) -> dict:
    """``post`` as its ActivityStreams object (a ``Question`` when it has a poll)."""
    from rostra.federation.serializers.question import question_fields

    try:
        poll = post.poll
    except Poll.DoesNotExist:
        poll = None
    fields = question_fields(post, poll) if poll is not None else note_fields(post)
    return with_context(fields) if context else fields
