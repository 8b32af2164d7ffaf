"""Mastodon archive activities -> what Rostra posts (the wire mapping of that importer).

Pure functions: no database. ``map_activity`` turns one outbox activity into a
``MastodonPost``; the importer decides threads from the whole archive and calls
``posts.services``. Rules:

- visibility comes from ``to``/``cc`` as Mastodon encodes it: Public in ``to``
  is public, in ``cc`` unlisted, the followers collection in ``to`` is
  followers-only, none of these is direct. A direct post stays direct: its
  audience is its Mention tags (``mentions``: actor URI and ``@user@domain``),
  which the importer resolves by actor URI first, so a name reaches the same
  person here and never a namesake;
- HTML goes through ``core.text.sanitize`` then to plain text, mentions keeping
  their ``@user@domain`` from the Note's tags; the post service renders it again;
- a poll (Question) becomes its text followed by the options and their final
  counts: the votes cannot move, and a Rostra poll needs a future end;
- Announces (boosts of others) are counted, not imported.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from rostra.core.text import plain_text, sanitize
from rostra.federation.notes import declares_ai_generated
from rostra.portability.x_mapping import MediaRef, language

PUBLIC = {"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"}
ORIGINAL, SELF_REPLY, REPLY, ANNOUNCE, DIRECT = (
    "original", "self_reply", "reply", "announce", "direct")
_ANCHOR = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


@dataclass
class ArchiveMedia(MediaRef):
    """An attachment: what ``MediaRef`` says, plus the focal point and AI label."""

    focus: tuple[float, float] | None = None
    ai_generated: bool = False


@dataclass
class MastodonPost:
    source_id: str
    uri: str
    published: datetime
    text: str
    kind: str
    visibility: str
    language: str = ""
    in_reply_to_uri: str = ""
    in_reply_to_id: str = ""  # source id of the parent (a thread when it is imported)
    in_reply_to_url: str = ""
    spoiler_text: str = ""
    sensitive: bool = False
    origin_url: str = ""
    media: list[ArchiveMedia] = field(default_factory=list)
    mentions: list[list[str]] = field(default_factory=list)  # [actor URI, @user@domain]

    def to_json(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k not in {"published", "media"}}
        data["published"] = self.published.isoformat()
        data["media"] = [[m.filename, m.kind, m.description,
                          list(m.focus) if m.focus else None, m.ai_generated]
                         for m in self.media]
        return data

    @classmethod
    def from_json(cls, data: dict) -> MastodonPost:
        data = dict(data)
        data["published"] = datetime.fromisoformat(data["published"])
        data["media"] = [ArchiveMedia(m[0], m[1], m[2], tuple(m[3]) if m[3] else None, m[4])
                         for m in data["media"]]
        return cls(**data)


def source_id(uri: str) -> str:
    """The import key of a Note: its URI, hashed to fit (URIs run past 64 characters)."""
    return "m" + hashlib.sha256(uri.encode()).hexdigest()[:40]


def parse_date(value) -> datetime:
    parsed = datetime.fromisoformat(str(value or "").strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _ids(value) -> list[str]:
    return [str(v.get("id", "")) if isinstance(v, dict) else str(v) for v in as_list(value)]


def visibility(obj: dict, followers_url: str) -> str:
    to, cc = set(_ids(obj.get("to"))), set(_ids(obj.get("cc")))
    if to & PUBLIC:
        return "public"
    if cc & PUBLIC:
        return "unlisted"
    if followers_url and followers_url in to:
        return "private"
    return "direct"


def _focus(att: dict) -> tuple[float, float] | None:
    point = att.get("focalPoint")
    if (isinstance(point, list) and len(point) == 2
            and all(isinstance(v, int | float) and -1 <= v <= 1 for v in point)):
        return float(point[0]), float(point[1])
    return None


def _mentions(tags: list) -> dict[str, str]:
    """Profile URL -> ``@user@domain`` for each Mention tag."""
    found = {}
    for tag in tags:
        if not isinstance(tag, dict) or tag.get("type") != "Mention" or not tag.get("href"):
            continue
        name = str(tag.get("name") or "").strip()
        if not name.startswith("@"):
            name = "@" + name
        if name.count("@") == 1:
            name += "@" + (urlsplit(str(tag["href"])).hostname or "")
        found[str(tag["href"])] = name
    return found


def html_to_text(content: str, mentions: dict[str, str] | None = None) -> str:
    """Sanitized HTML -> the plain text a user would have typed."""
    mentions = mentions or {}
    safe = sanitize(content or "")

    # Servers link a mention to the profile page and tag it with the actor URI: a
    # link whose text is a tagged name (``@zed``), on that name's server, is that name.
    by_label: dict[str, str | None] = {}
    for full in mentions.values():
        user = full.lstrip("@").partition("@")[0]
        for label in (f"@{user}".lower(), full.lower()):
            by_label[label] = full if by_label.get(label, full) == full else None

    def anchor(match: re.Match) -> str:
        href = html.unescape(match.group(1))
        if href in mentions:
            return html.escape(mentions[href])
        full = by_label.get(plain_text(match.group(2)).strip().lower())
        if full and urlsplit(href).netloc.lower() == full.rsplit("@", 1)[-1].lower():
            return html.escape(full)
        return match.group(0)

    text = plain_text(_ANCHOR.sub(anchor, safe))
    return re.sub(r"[ \t]+\n", "\n", text).strip()


def _media(obj: dict) -> list[MediaRef]:
    refs = []
    for att in as_list(obj.get("attachment")):
        if not isinstance(att, dict) or att.get("type") == "PropertyValue":
            continue
        url = att.get("url")
        if isinstance(url, list):  # [{"href": ...}] in some servers' output
            url = next((u.get("href") for u in url if isinstance(u, dict)), "")
        elif isinstance(url, dict):
            url = url.get("href", "")
        mime = str(att.get("mediaType") or "")
        kind = ("photo" if mime.startswith("image/") and mime != "image/gif"
                else "animated_gif" if mime == "image/gif" else mime.split("/")[0] or "file")
        refs.append(ArchiveMedia(str(url or ""), kind, str(att.get("name") or ""),
                                 _focus(att), declares_ai_generated(att)))
    return refs


def _poll_text(obj: dict) -> str:
    options = as_list(obj.get("oneOf")) or as_list(obj.get("anyOf"))
    lines = []
    for opt in options:
        if not isinstance(opt, dict):
            continue
        votes = int((opt.get("replies") or {}).get("totalItems") or 0)
        lines.append(f"- {opt.get('name', '')} ({votes} vote{'s' if votes != 1 else ''})")
    return ("Poll:\n" + "\n".join(lines)) if lines else ""


def map_activity(activity: dict, *, owner_uri: str, followers_url: str) -> MastodonPost | None:
    """One outbox activity -> ``MastodonPost`` (kind ``announce`` for a boost).

    A reply is kind ``reply``; the importer makes it a ``self_reply`` (a thread)
    when its parent is among the archive's own posts.

    Raises ``ValueError`` (or ``KeyError``/``TypeError``) for an activity that
    cannot be read; returns None for activity types that carry no post.
    """
    kind = activity.get("type")
    if kind == "Announce":
        target = activity.get("object")
        uri = str(activity.get("id") or target or "")
        return MastodonPost(source_id(uri), uri, parse_date(activity.get("published")), "",
                            ANNOUNCE, "public")
    if kind != "Create":
        return None
    obj = activity.get("object")
    if not isinstance(obj, dict) or obj.get("type") not in {"Note", "Question", "Article"}:
        return None
    uri = obj.get("id")
    if not isinstance(uri, str) or not uri:
        raise ValueError("a post without an id")
    attributed = _ids(obj.get("attributedTo")) or _ids(activity.get("actor"))
    if attributed and attributed[0] != owner_uri:
        raise ValueError(f"{uri} is not by the archive's owner")
    vis = visibility(obj, followers_url)
    tags = as_list(obj.get("tag"))
    content = obj.get("content") or ""
    content_map = obj.get("contentMap") or {}
    lang = ""
    if isinstance(content_map, dict) and content_map:
        lang, mapped = next(iter(content_map.items()))
        content = content or mapped
    text = html_to_text(str(content), _mentions(tags))
    if obj.get("type") == "Article" and obj.get("name"):
        text = f"{obj['name']}\n\n{text}".strip()
    if obj.get("type") == "Question":
        text = f"{text}\n\n{_poll_text(obj)}".strip()
    reply = obj.get("inReplyTo")
    reply = str(reply.get("id", "") if isinstance(reply, dict) else reply or "")
    post_kind = REPLY if reply else ORIGINAL
    url = obj.get("url")
    url = url.get("href") if isinstance(url, dict) else url
    return MastodonPost(
        source_id=source_id(uri), uri=uri, published=parse_date(obj.get("published")),
        text=text, kind=post_kind, visibility=vis,
        language=language(str(lang)), in_reply_to_uri=reply,
        in_reply_to_id=source_id(reply) if reply else "",
        in_reply_to_url=reply,
        spoiler_text=html.unescape(str(obj.get("summary") or "")).strip(),
        sensitive=bool(obj.get("sensitive")),
        origin_url=str(url or uri) if str(url or uri).startswith(("https://", "http://")) else "",
        media=_media(obj),
        mentions=[[href, name] for href, name in _mentions(tags).items()],
    )
