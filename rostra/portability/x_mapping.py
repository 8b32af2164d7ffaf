"""X archive records -> what Rostra posts (the wire mapping of the X importer).

Pure functions: no database. ``map_tweet`` turns one tweet record into an
``XPost`` following issue 5's rules; the importer decides threads and
visibility from the whole archive and calls ``posts.services``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

# X-private language codes (qaa-qtz: reserved for local use; "und", "zxx").
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")
_NOT_LANGUAGES = {"und", "zxx", "mis", "mul"}

ORIGINAL, SELF_REPLY, REPLY, REPOST = "original", "self_reply", "reply", "repost"
# X's media types the importer uploads; an ``animated_gif`` is an MP4 in the archive.
MEDIA_KINDS = frozenset({"photo", "video", "animated_gif"})
MentionLink = Callable[[str], "str | None"]
VISIBILITY_RANK = {"public": 0, "unlisted": 1, "private": 2}


@dataclass
class MediaRef:
    filename: str  # name in the archive's media folder: <tweet id>-<file>
    kind: str  # photo | video | animated_gif
    description: str = ""


@dataclass
class XPost:
    source_id: str
    published: datetime
    text: str
    kind: str
    language: str = ""
    in_reply_to_id: str = ""
    in_reply_to_url: str = ""
    origin_url: str = ""
    media: list[MediaRef] = field(default_factory=list)
    private: bool = False  # circle post or written while protected

    def to_json(self) -> dict:
        return {
            "id": self.source_id, "published": self.published.isoformat(), "text": self.text,
            "kind": self.kind, "language": self.language, "reply_id": self.in_reply_to_id,
            "reply_url": self.in_reply_to_url, "origin": self.origin_url,
            "media": [[m.filename, m.kind, m.description] for m in self.media],
            "private": self.private,
        }

    @classmethod
    def from_json(cls, data: dict) -> XPost:
        return cls(
            source_id=data["id"], published=datetime.fromisoformat(data["published"]),
            text=data["text"], kind=data["kind"], language=data["language"],
            in_reply_to_id=data["reply_id"], in_reply_to_url=data["reply_url"],
            origin_url=data["origin"], private=data["private"],
            media=[MediaRef(*m) for m in data["media"]],
        )


def stricter(*visibilities: str) -> str:
    return max(visibilities, key=VISIBILITY_RANK.__getitem__)


def parse_x_date(value: str) -> datetime:
    """``Fri Mar 06 13:02:05 +0000 2026`` (tweets) or ISO 8601 (everything else);
    ``ValueError`` for anything else."""
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}"[:80])
    value = value.strip()
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        pass
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def note_key(when: datetime) -> str:
    """Tweets and note tweets join on their creation time, to the second."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def language(code: str | None) -> str:
    code = (code or "").strip()
    if not _LANG_RE.match(code) or code in _NOT_LANGUAGES:
        return ""
    if re.match(r"^q[a-t][a-z]$", code):  # qme (media only), qht (hashtags only)...
        return ""
    return code


def unescape(text: str) -> str:
    """X stores ``&``, ``<`` and ``>`` HTML-escaped, and only those."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def x_post_url(screen_name: str, status_id: str) -> str:
    return f"https://x.com/{screen_name or 'i/web'}/status/{status_id}"


def _media_filename(tweet_id: str, media: dict) -> str:
    kind = media.get("type", "photo")
    url = media.get("media_url_https") or media.get("media_url") or ""
    if kind in {"video", "animated_gif"}:
        variants = [v for v in (media.get("video_info") or {}).get("variants") or []
                    if v.get("content_type") == "video/mp4" or ".mp4" in v.get("url", "")]
        if variants:
            best = max(variants, key=lambda v: int(v.get("bitrate") or 0))
            url = best.get("url", url)
    return f"{tweet_id}-{posixpath.basename(urlsplit(url).path)}"


def _replace_mentions(text: str, names: list[str], links: dict[str, str] | None = None) -> str:
    """``@name`` of an X account -> a link to its profile: on Rostra or the fediverse
    when ``links`` (lower-cased name -> URL) knows it, else on X."""
    links = links or {}
    for name in sorted(set(names), key=len, reverse=True):
        url = links.get(name.lower()) or f"https://x.com/{name}"
        text = re.sub(rf"(?<![\w/@])@{re.escape(name)}(?!\w)",
                      lambda _m, u=url: u, text, flags=re.IGNORECASE)
    return text


def _mention_links(mentions: list[dict], mention_link: MentionLink | None) -> dict[str, str]:
    """Lower-cased screen name -> profile URL, for the mentions whose X *id* (never
    the name, which X lets people change and reuse) ``mention_link`` knows."""
    links: dict[str, str] = {}
    for m in mentions if mention_link is not None else []:
        name = str(m.get("screen_name") or m.get("screenName") or "")
        x_id = str(m.get("id_str") or m.get("id") or m.get("userId") or "")
        url = mention_link(x_id) if name and x_id.isdigit() else None
        if url:
            links[name.lower()] = url
    return links


def map_tweet(tweet: dict, *, owner_id: str, owner_name: str, notes: dict[str, dict],
              private: bool = False, mention_link: MentionLink | None = None) -> XPost:
    """One tweet record (``{"tweet": {...}}`` or the inner object) -> ``XPost``.

    ``mention_link(x_id) -> URL or None`` names the Rostra/fediverse profile of a
    mentioned X account that opted in to be found (``x_connections.mention_linker``).
    """
    t = tweet.get("tweet", tweet)
    if not isinstance(t, dict) or not t.get("id_str") and not t.get("id"):
        raise ValueError("a tweet record without an id")
    source_id = str(t.get("id_str") or t.get("id"))
    if not source_id.isascii() or not source_id.isdigit() or len(source_id) > 19:
        raise ValueError(f"the tweet id {source_id!r} is not a number"[:80])
    published = parse_x_date(t.get("created_at", ""))
    full_text = str(t.get("full_text") or t.get("text") or "")
    entities = t.get("entities") or {}
    reply_to = str(t.get("in_reply_to_status_id_str") or t.get("in_reply_to_status_id") or "")
    reply_user = str(t.get("in_reply_to_user_id_str") or t.get("in_reply_to_user_id") or "")
    if full_text.startswith("RT @"):
        kind = REPOST
    elif reply_to:
        kind = SELF_REPLY if reply_user == owner_id else REPLY
    else:
        kind = ORIGINAL

    urls = {u.get("url"): u.get("expanded_url") or u.get("url")
            for u in entities.get("urls") or [] if u.get("url")}
    mentions = [m for m in entities.get("user_mentions") or [] if isinstance(m, dict)]
    mention_names = [m.get("screen_name", "") for m in mentions]
    media_entities = (t.get("extended_entities") or {}).get("media") or entities.get("media") or []
    media_links = {m.get("url") for m in media_entities if m.get("url")}

    text = full_text
    if reply_to:  # the leading @names X hides (outside display_text_range)
        start = int((t.get("display_text_range") or [0])[0] or 0)
        prefix = text[:start]
        if re.fullmatch(r"(?:\s*@\w+)*\s*", prefix):
            text = text[start:]
    note = notes.get(note_key(published))
    if note is not None:
        core = note.get("core") or {}
        text = str(core.get("text") or text)
        for u in core.get("urls") or []:
            if u.get("shortUrl"):
                urls[u["shortUrl"]] = u.get("expandedUrl") or u["shortUrl"]
        note_mentions = [m for m in core.get("mentions") or [] if isinstance(m, dict)]
        mentions += note_mentions
        mention_names += [m.get("screenName", "") for m in note_mentions]
    text = unescape(text)
    for link in media_links:
        text = text.replace(link, "")
    for short, expanded in urls.items():
        text = text.replace(short, expanded)
    text = _replace_mentions(text, [n for n in mention_names if n],
                             _mention_links(mentions, mention_link))
    text = re.sub(r"[ \t]+\n", "\n", text).strip()

    quote = (t.get("quoted_status_permalink") or {}).get("expanded", "")
    if quote and quote not in text:
        text = f"{text}\n\n{quote}".strip()
    reply_url = ""
    if kind in {REPLY, SELF_REPLY}:
        reply_url = x_post_url(str(t.get("in_reply_to_screen_name") or ""), reply_to)
    return XPost(
        source_id=source_id,
        published=published,
        text=text,
        kind=kind,
        language=language(t.get("lang")),
        in_reply_to_id=reply_to,
        in_reply_to_url=reply_url,
        origin_url=x_post_url(owner_name, source_id),
        media=[MediaRef(_media_filename(source_id, m), m.get("type", "photo"),
                        str(m.get("ext_alt_text") or "")) for m in media_entities],
        private=private,
    )


def protected_periods(records) -> list[tuple[datetime, datetime | None]]:
    """``protected-history.js`` -> [(from, until or None)] when posts were protected."""
    events = []
    for rec in records:
        item = rec.get("protectedHistory", rec)
        try:
            events.append((parse_x_date(item["protectedAt"]), str(item.get("action", ""))))
        except (KeyError, ValueError, TypeError):
            continue
    periods: list[tuple[datetime, datetime | None]] = []
    start = None
    for when, action in sorted(events, key=lambda e: e[0]):
        if action.lower().startswith("protect") and start is None:
            start = when
        elif action.lower().startswith("unprotect") and start is not None:
            periods.append((start, when))
            start = None
    if start is not None:
        periods.append((start, None))
    return periods


def in_periods(when: datetime, periods) -> bool:
    return any(a <= when and (b is None or when < b) for a, b in periods)
