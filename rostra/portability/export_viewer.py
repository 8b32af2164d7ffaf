"""The export's offline viewer: one ``index.html`` that shows the posts and their
media from the unzipped folder, in any browser, with no server.

Everything is rendered here, at export time: no JavaScript, no external
resources (inline CSS; images and videos by relative path). A post's HTML is
the sanitized ``Post.content`` the site shows; everything else is escaped.
The page is written in pieces (``page_start``, one ``post_html`` or
``boost_html`` per post, ``page_end``) so an export of any size streams.
"""

from __future__ import annotations

from datetime import UTC
from html import escape

from django.utils import timezone

from rostra.accounts.models import Account
from rostra.federation import uris
from rostra.federation.serializers.common import absolute_html
from rostra.posts.models import Media, Post

AUDIENCE = {
    "public": "Public",
    "unlisted": "Unlisted (quiet public)",
    "private": "Followers only",
    "direct": "Mentioned people only",
}

_STYLE = """
:root { color-scheme: light dark; --muted: #595959; --line: #d0d0d0; }
@media (prefers-color-scheme: dark) { :root { --muted: #b5b5b5; --line: #444; } }
body { font: 1rem/1.5 system-ui, sans-serif; max-width: 42rem; margin: 0 auto; padding: 1rem; }
header.archive { border-bottom: 1px solid var(--line); margin-bottom: 1rem; }
article { border-bottom: 1px solid var(--line); padding: 0.75rem 0; }
article h2 { font-size: 0.95rem; font-weight: normal; margin: 0; color: var(--muted); }
.audience, .reply, .summary-note { color: var(--muted); font-size: 0.9rem; }
.media { display: grid; gap: 0.5rem; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); }
.media img, .media video { max-width: 100%; height: auto; border-radius: 0.25rem; }
figure { margin: 0; }
figcaption { font-size: 0.85rem; color: var(--muted); }
a { color: inherit; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; }
"""


def _time(moment) -> str:
    moment = moment.astimezone(UTC)
    return (f'<time datetime="{moment.strftime("%Y-%m-%dT%H:%M:%SZ")}">'
            f'{moment.strftime("%d %B %Y, %H:%M")} UTC</time>')


def page_start(account: Account, counts: dict[str, int]) -> str:
    """The page up to the first post: title, owner and what the archive holds."""
    name = escape(account.display_name or account.username)
    handle = escape(f"@{account.username}@{uris.origin().split('://', 1)[-1]}")
    made = _time(timezone.now())
    summary = (f"{counts.get('outbox.json', 0)} posts and boosts, "
               f"{counts.get('media_attachments', 0)} media files, "
               f"{counts.get('following_accounts.csv', 0)} follows, "
               f"{counts.get('followers.csv', 0)} followers")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "img-src 'self' file:; media-src 'self' file:; style-src 'unsafe-inline'\">\n"
        f"<title>Archive of {name}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#posts">Skip to the posts</a>\n'
        f'<header class="archive">\n<h1>Archive of {name}</h1>\n'
        f"<p>{handle} · exported {made}</p>\n<p>{escape(summary)}.</p>\n"
        "<p>The files next to this page hold everything in machine-readable form: "
        "outbox.json, actor.json, likes.json, bookmarks.json and the CSV files.</p>\n"
        '</header>\n<main id="posts">\n<h2 class="summary-note">Posts, oldest first</h2>\n')


def page_end() -> str:
    return "</main>\n</body>\n</html>\n"


def _media_html(media: Media, member: str) -> str:
    src = escape(member)
    alt = escape(media.description or "")
    if media.kind == "image" or (media.mime_type or "").startswith("image/"):
        size = (f' width="{media.width}" height="{media.height}"'
                if media.width and media.height else "")
        caption = f"<figcaption>{alt}</figcaption>" if alt else ""
        return (f'<figure><a href="{src}"><img src="{src}" alt="{alt}"{size} '
                f'loading="lazy"></a>{caption}</figure>')
    label = f' aria-label="{alt}"' if alt else ""
    caption = f"<figcaption>{alt}</figcaption>" if alt else ""
    return (f'<figure><video controls preload="metadata" src="{src}"{label}>'
            f'<a href="{src}">Download the video</a></video>{caption}</figure>')


def post_html(post: Post, media: list[tuple[Media, str]]) -> str:
    """One of the owner's posts as an ``<article>``; ``media``: (item, path in the zip)."""
    anchor = f"post-{post.pk}"
    parts = [f'<article id="{anchor}" aria-labelledby="{anchor}-h">',
             f'<h2 id="{anchor}-h"><a href="#{anchor}">{_time(post.published)}</a></h2>',
             f'<p class="audience">{escape(AUDIENCE.get(post.visibility, post.visibility))}'
             f'{" · edited" if post.edited_at else ""}</p>']
    if post.in_reply_to_id:
        parent = post.in_reply_to
        if parent is not None and parent.account_id == post.account_id:
            target = f"#post-{parent.pk}"
        else:
            target = escape(uris.post_url(parent)) if parent is not None else ""
        parts.append(f'<p class="reply"><a href="{target}">In reply to a post</a></p>'
                     if target else '<p class="reply">In reply to a post</p>')
    body = absolute_html(post.content or "")
    if post.spoiler_text:
        parts.append(f"<details><summary>{escape(post.spoiler_text)}</summary>{body}"
                     f"{_media_block(media)}</details>")
    else:
        parts.append(body + _media_block(media))
    parts.append("</article>\n")
    return "\n".join(parts)


def _media_block(media: list[tuple[Media, str]]) -> str:
    if not media:
        return ""
    return '<div class="media">' + "".join(_media_html(m, p) for m, p in media) + "</div>"


def boost_html(post: Post) -> str:
    """A boost: a link to the boosted post, which stays on its server."""
    original = post.reblog_of
    anchor = f"post-{post.pk}"
    who = escape(f"@{original.account.acct}")
    link = escape(uris.post_url(original))
    return (f'<article id="{anchor}" aria-labelledby="{anchor}-h">\n'
            f'<h2 id="{anchor}-h"><a href="#{anchor}">{_time(post.published)}</a></h2>\n'
            f'<p>Boosted <a href="{link}">a post by {who}</a></p>\n</article>\n')
