"""ActivityStreams ``Note``/``Question`` documents → the arguments of
``posts.services.create_remote_post`` (the inbound converter; ``serializers/note.py``
is the outbound one).

Everything here treats the document as hostile: values of the wrong type are
ignored, HTML goes through ``core.text.sanitize``, only http(s) links are kept, and
lists are capped.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from rostra.accounts.models import Account
from rostra.core import text as text_mod
from rostra.federation import policy, uris
from rostra.posts.models import Visibility
from rostra.posts.services import RemoteMedia, RemotePoll
from rostra.safety.provenance import ai_source_type

PUBLIC_IDS = frozenset({uris.PUBLIC, "as:Public", "Public"})
MAX_TAGS = 50
MAX_ADDRESSEES = 200
_TAG_NAME = re.compile(r"\w{1,200}", re.UNICODE)


def first_id(value) -> str:
    """The id a property names: a string, an object's ``id``/``href``, or the first of a
    list. "" when there is none (or it is not an http(s) URL)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("id") or value.get("href")
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value
    return ""


def id_list(value) -> list[str]:
    """Every id in a property that may be a string, an object or a list of them."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items[:MAX_ADDRESSEES]:
        if isinstance(item, dict):
            item = item.get("id") or item.get("href")
        if isinstance(item, str) and item:
            found.append(item)
    return found


def _str(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def parse_time(value, default: datetime | None = None) -> datetime | None:
    if not isinstance(value, str):
        return default
    try:
        moment = parse_datetime(value.strip())
    except ValueError:
        return default
    if moment is None or moment.tzinfo is None:
        return default
    return moment


def published_of(doc: dict) -> datetime:
    """When the post was published; the future is clamped to now (ids sort by it)."""
    now = timezone.now()
    moment = parse_time(doc.get("published"), now)
    return min(moment, now)


def visibility_of(doc: dict, followers_url: str) -> str:
    to, cc = set(id_list(doc.get("to"))), set(id_list(doc.get("cc")))
    if to & PUBLIC_IDS:
        return Visibility.PUBLIC
    if cc & PUBLIC_IDS:
        return Visibility.UNLISTED
    addressed = to | cc
    if (followers_url and followers_url in addressed) or any(
        a.endswith("/followers") for a in addressed
    ):
        return Visibility.PRIVATE
    return Visibility.DIRECT


def mentioned_accounts(doc: dict) -> list[Account]:
    """Known accounts the post mentions (``Mention`` tags) or addresses directly: a
    local account addressed in ``to``/``cc`` may see the post even without a tag."""
    hrefs = []
    tags = doc.get("tag") if isinstance(doc.get("tag"), list) else [doc.get("tag")]
    for tag in tags[:MAX_TAGS]:
        if isinstance(tag, dict) and tag.get("type") == "Mention":
            href = first_id(tag.get("href"))
            if href:
                hrefs.append(href)
    hrefs += [a for a in id_list(doc.get("to")) + id_list(doc.get("cc"))
              if a not in PUBLIC_IDS]
    if not hrefs:
        return []
    found = {a.uri: a for a in Account.objects.filter(uri__in=hrefs[:MAX_ADDRESSEES])}
    return list({found[h].pk: found[h] for h in hrefs if h in found}.values())


def hashtags(doc: dict) -> list[str]:
    names = []
    tags = doc.get("tag") if isinstance(doc.get("tag"), list) else [doc.get("tag")]
    for tag in tags[:MAX_TAGS]:
        if isinstance(tag, dict) and tag.get("type") == "Hashtag":
            name = _str(tag.get("name"), 201).lstrip("#")
            if _TAG_NAME.fullmatch(name):
                names.append(name)
    return names


def _media_url(value) -> tuple[str, str]:
    """(url, media type) of an attachment's ``url`` (a string, a Link or a list)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return first_id(value.get("href")), _str(value.get("mediaType"), 64)
    return first_id(value), ""


# When an attachment names no media type: guessed from its type or file name,
# so a remote video is recorded (and shown) as a video, not an image.
_VIDEO_SUFFIXES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm",
                   ".mov": "video/quicktime"}


def _guess_type(kind: str, url: str) -> str:
    path = urlsplit(url).path.lower()
    for suffix, mime_type in _VIDEO_SUFFIXES.items():
        if path.endswith(suffix):
            return mime_type
    return "video/mp4" if kind == "Video" else ""


# An attachment's digital source type, under the names senders give it (our context
# term, a schema.org prefix, the full IRI); schema.org's own enumeration members too.
_SOURCE_TYPE_KEYS = ("digitalSourceType", "schema:digitalSourceType",
                     "https://schema.org/digitalSourceType", "http://schema.org/digitalSourceType")
_SCHEMA_AI_MEMBERS = frozenset({"TrainedAlgorithmicMediaDigitalSource",
                                "CompositeWithTrainedAlgorithmicMediaDigitalSource"})


def declares_ai_generated(item: dict) -> bool:
    """Whether an attachment's ``digitalSourceType`` says AI-generated: an IPTC
    trained-algorithmic term (see ``safety.provenance``) or its schema.org member,
    as a string, an ``{"id": ...}`` object or a list of them."""
    for key in _SOURCE_TYPE_KEYS:
        values = item.get(key)
        for value in (values if isinstance(values, list) else [values])[:8]:
            if isinstance(value, dict):
                value = value.get("id") or value.get("@id")
            if not isinstance(value, str):
                continue
            if ai_source_type(value):
                return True
            member = value.rsplit("/", 1)[-1].removeprefix("schema:")
            if member in _SCHEMA_AI_MEMBERS and "schema" in value:
                return True
    return False


def attachments(doc: dict, host: str) -> list[RemoteMedia]:
    """The attachments of a remote post (images and videos, as remote URLs)."""
    if policy.rejects_media(host):
        return []
    items = doc.get("attachment") if isinstance(doc.get("attachment"), list) else [
        doc.get("attachment")]
    media = []
    for item in items[:4]:
        if not isinstance(item, dict) or item.get("type") not in (
            "Document", "Image", "Video", "Audio"
        ):
            continue
        url, link_type = _media_url(item.get("url"))
        if not url:
            continue
        width, height = item.get("width"), item.get("height")
        media.append(RemoteMedia(
            url=url,
            mime_type=(_str(item.get("mediaType"), 64) or link_type
                       or _guess_type(str(item.get("type")), url)),
            description=_str(item.get("name"), 1500),
            blurhash=_str(item.get("blurhash"), 64),
            width=width if isinstance(width, int) and 0 < width < 100_000 else None,
            height=height if isinstance(height, int) and 0 < height < 100_000 else None,
            ai_generated=declares_ai_generated(item),
        ))
    return media


def poll_of(doc: dict, published: datetime) -> RemotePoll | None:
    if doc.get("type") != "Question":
        return None
    multiple = isinstance(doc.get("anyOf"), list)
    choices = doc.get("anyOf") if multiple else doc.get("oneOf")
    if not isinstance(choices, list):
        return None
    options = [_str(c.get("name"), 200) for c in choices[:20] if isinstance(c, dict)]
    options = [o for o in options if o]
    if len(options) < 2:
        return None
    ends = parse_time(doc.get("endTime")) or parse_time(doc.get("closed"))
    counts = [_total(c.get("replies")) for c in choices[:20] if isinstance(c, dict)
              and _str(c.get("name"), 200)]
    voters = doc.get("votersCount")
    return RemotePoll(options=options, multiple=multiple,
                      expires_at=ends or published + timedelta(days=1),
                      counts=[c or 0 for c in counts] if any(c is not None for c in counts)
                      else None,
                      voters=voters if isinstance(voters, int) and voters >= 0 else None)


def _total(replies) -> int | None:
    """``replies.totalItems`` of a poll option (its vote count), if stated."""
    total = replies.get("totalItems") if isinstance(replies, dict) else None
    return total if isinstance(total, int) and 0 <= total < 10**9 else None


def content_of(doc: dict) -> tuple[str, str]:
    """(sanitized HTML, language) of a post."""
    content = doc.get("content")
    language = ""
    content_map = doc.get("contentMap")
    if isinstance(content_map, dict) and content_map:
        language, mapped = next(iter(content_map.items()))
        if not isinstance(content, str):
            content = mapped
    html = content if isinstance(content, str) else ""
    return text_mod.sanitize(html), _str(language, 16)


def note_arguments(doc: dict, author: Account, followers_url: str) -> dict:
    """The keyword arguments of ``create_remote_post`` for the object ``doc``."""
    content, language = content_of(doc)
    published = published_of(doc)
    summary = doc.get("summary")
    return {
        "uri": doc["id"],
        "content_html": content,
        "published": published,
        "visibility": visibility_of(doc, followers_url),
        "spoiler_text": text_mod.plain_text(summary)[:500] if isinstance(summary, str) else "",
        "sensitive": doc.get("sensitive") is True,
        "language": language,
        "mentions": mentioned_accounts(doc),
        "tags": hashtags(doc),
        "media": attachments(doc, policy.host_of(doc["id"])),
        "poll": poll_of(doc, published),
        "url": first_id(doc.get("url")) or "",
    }
