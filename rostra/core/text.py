"""Post text: parsing of links, mentions and hashtags, rendering to safe HTML,
and the one sanitizer for HTML that comes from elsewhere.

``render`` turns plain text a user typed into HTML; every piece of user text is
escaped, only the markup built here is emitted. ``sanitize`` is the only door for
foreign HTML (federated posts, imported archives): it keeps a small allow-list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape, unescape

import nh3

USERNAME_RE = r"[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*"
_LABEL_RE = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
DOMAIN_RE = rf"{_LABEL_RE}(?:\.{_LABEL_RE})+(?::\d+)?"

# A mention is @user or @user@host, not preceded by a word character or a slash
# (so e-mail addresses and URLs are not mentions).
MENTION_RE = re.compile(rf"(?<![\w/@])@({USERNAME_RE})(?:@({DOMAIN_RE}))?", re.UNICODE)
HASHTAG_RE = re.compile(r"(?<![\w/&#])#(\w*[^\W\d_]\w*)", re.UNICODE)
URL_RE = re.compile(
    r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]", re.IGNORECASE
)

MAX_URL_DISPLAY = 30


@dataclass(frozen=True)
class MentionRef:
    username: str
    domain: str  # "" for a local account

    @property
    def acct(self) -> str:
        return f"{self.username}@{self.domain}" if self.domain else self.username


def _tokens(text: str) -> list[tuple[str, re.Match[str] | None]]:
    """Split ``text`` into plain runs and link/mention/hashtag matches, in order."""
    spans: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, regex in (("url", URL_RE), ("mention", MENTION_RE), ("tag", HASHTAG_RE)):
        for match in regex.finditer(text):
            spans.append((match.start(), match.end(), kind, match))
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[tuple[str, re.Match[str] | None]] = []
    pos = 0
    for start, end, kind, match in spans:
        if start < pos:
            continue  # inside an earlier token (a hashtag in a URL, say)
        if start > pos:
            out.append((text[pos:start], None))
        out.append((kind, match))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def extract_mentions(text: str) -> list[MentionRef]:
    seen: dict[str, MentionRef] = {}
    for kind, match in _tokens(text):
        if kind == "mention" and match is not None:
            ref = MentionRef(match.group(1), (match.group(2) or "").lower())
            seen.setdefault(ref.acct.lower(), ref)
    return list(seen.values())


def extract_hashtags(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for kind, match in _tokens(text):
        if kind == "tag" and match is not None:
            name = match.group(1)
            seen.setdefault(name.lower(), name)
    return list(seen.values())


def extract_urls(text: str) -> list[str]:
    return [m.group(0) for kind, m in _tokens(text) if kind == "url" and m is not None]


def _url_html(url: str) -> str:
    shown = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
    if len(shown) > MAX_URL_DISPLAY:
        shown = shown[:MAX_URL_DISPLAY] + "…"
    return (
        f'<a href="{escape(url)}" rel="nofollow noopener noreferrer" target="_blank">'
        f"{escape(shown)}</a>"
    )


def render(
    text: str,
    mention_url: Callable[[MentionRef], str | None],
    tag_url: Callable[[str], str],
) -> str:
    """Plain text → HTML paragraphs with links, mentions and hashtags.

    ``mention_url`` returns the profile URL of a known account or None (the
    mention then stays plain text); ``tag_url`` the URL of a hashtag page.
    """
    paragraphs = re.split(r"\n{2,}", text.strip().replace("\r\n", "\n"))
    html_paragraphs = []
    for paragraph in paragraphs:
        parts: list[str] = []
        for kind, match in _tokens(paragraph):
            if match is None:
                parts.append(escape(kind).replace("\n", "<br>"))
            elif kind == "url":
                parts.append(_url_html(match.group(0)))
            elif kind == "mention":
                ref = MentionRef(match.group(1), (match.group(2) or "").lower())
                url = mention_url(ref)
                if url:
                    parts.append(
                        f'<span class="h-card"><a href="{escape(url)}" class="u-url mention">'
                        f"@<span>{escape(ref.username)}</span></a></span>"
                    )
                else:
                    parts.append(escape(match.group(0)))
            else:
                name = match.group(1)
                parts.append(
                    f'<a href="{escape(tag_url(name))}" class="mention hashtag" rel="tag">'
                    f"#<span>{escape(name)}</span></a>"
                )
        html_paragraphs.append(f"<p>{''.join(parts)}</p>")
    return "".join(html_paragraphs)


ALLOWED_TAGS = {
    "p", "br", "a", "span", "strong", "b", "em", "i", "u", "del", "s", "code", "pre",
    "blockquote", "ul", "ol", "li",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "class", "title"}, "span": {"class"}, "ol": {"start"}}


def sanitize(html: str) -> str:
    """Foreign HTML → HTML safe to store and show (the only door for it)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    """Visible text of an HTML fragment (for search and previews)."""
    text = re.sub(r"<br\s*/?>", "\n", html)
    text = re.sub(r"</p>\s*<p>", "\n\n", text)
    text = nh3.clean(text, tags=set())
    return unescape(text).strip()
