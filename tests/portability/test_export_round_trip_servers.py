"""Export on one real Rostra server, import on another (the gold standard of moving).

Server A has alice, bob, carol and dave. alice builds her world there: posts of
every audience with old dates, a thread, a reply to bob, a direct word to bob,
pictures with alt text (one with a focal point, one labelled AI-generated);
she follows bob, lists him in "Friends", mutes carol, blocks dave, blocks a
domain and bookmarks one of bob's posts. ``rostra export`` writes her zip on A;
``rostra import archive`` reads it on B into a new alice. Then the two servers'
databases are compared: every post, date, audience, medium, thread, follow (the
request reached A and A accepted it), list, mute, block and bookmark equal.
"""

from __future__ import annotations

import json

import pytest

from tests.federation.servers import RostraServer, logs_on_failure, running_servers, wait_for

BUILD = """
import io
from datetime import UTC, datetime, timedelta
from PIL import Image
from rostra.accounts import domain_blocks, services as accounts
from rostra.accounts.models import Account
from rostra.posts import services as posts
from rostra.posts.media import upload_media
from rostra.timelines import lists

alice, bob, carol, dave = (Account.objects.get(username=n, domain="")
                           for n in ("alice", "bob", "carol", "dave"))

def png(color):
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "PNG")
    return out.getvalue()

at = iter(datetime(2021, 5, 1, 9, 30, tzinfo=UTC) + timedelta(hours=n) for n in range(50))
said = posts.create_post(bob, "Bob thinks aloud", visibility="public", published=next(at))
photo = upload_media(alice, png((200, 30, 30)), description="A red square on a white wall",
                     focus=(0.25, -0.5))
painted = upload_media(alice, png((9, 99, 199)), description="A painted fox",
                       ai_generated=True)
first = posts.create_post(alice, "Hello from A #rostra", visibility="public", media=[photo],
                          published=next(at))
posts.create_post(alice, "A quiet unlisted note", visibility="unlisted", published=next(at))
posts.create_post(alice, "For my followers only", visibility="private", published=next(at))
posts.create_post(alice, "@bob a direct word", visibility="direct", published=next(at))
second = posts.create_post(alice, "Replying to myself", visibility="public",
                           in_reply_to=first, published=next(at))
posts.create_post(alice, "And deeper", visibility="public", in_reply_to=second,
                  published=next(at))
posts.create_post(alice, "Not a photograph", visibility="public", media=[painted],
                  published=next(at))
posts.create_post(alice, "I agree, Bob", visibility="unlisted", in_reply_to=said,
                  published=next(at))
accounts.follow(alice, bob)
accounts.mute(alice, carol)
accounts.block(alice, dave)
domain_blocks.block_domain(alice, "spam.example")
lists.add_accounts(lists.create_list(alice, "Friends"), [bob])
posts.bookmark(alice, said)
out = True
"""

DUMP = """
from rostra.accounts import domain_blocks
from rostra.accounts.models import Account, Block, Follow, FollowRequest, Mute
from rostra.federation import uris
from rostra.posts.models import Bookmark, Post
from rostra.timelines import lists

me = Account.objects.get(username="alice", domain="")

def parent(post):
    if post.in_reply_to is None:
        return None
    if post.in_reply_to.account_id == me.pk:
        return ["own", post.in_reply_to.published.isoformat()]
    return ["other", uris.post_uri(post.in_reply_to)]

out = {
    "posts": [{
        "published": p.published.isoformat(), "visibility": p.visibility, "text": p.text,
        "reply_to": parent(p),
        "mentions": sorted(uris.actor_uri(m.account) for m in p.mentions.all() if m.account),
        "media": [[m.description, m.focus_x, m.focus_y, m.ai_generated, m.mime_type,
                   m.width, m.height, bool(m.file)] for m in p.media.all()],
    } for p in Post.objects.filter(account=me).order_by("published")],
    "following": sorted(uris.actor_uri(f.target_account)
                        for f in Follow.objects.filter(account=me)),
    "requested": sorted(uris.actor_uri(f.target_account)
                        for f in FollowRequest.objects.filter(account=me)),
    "mutes": sorted(uris.actor_uri(m.target_account) for m in Mute.objects.filter(account=me)),
    "blocks": sorted(uris.actor_uri(b.target_account)
                     for b in Block.objects.filter(account=me)),
    "domain_blocks": sorted(domain_blocks.blocked_domains(me).values_list("domain", flat=True)),
    "lists": {l.title: sorted(uris.actor_uri(a) for a in
                              Account.objects.filter(pk__in=lists.member_ids(l)))
              for l in lists.lists_of(me)},
    "bookmarks": sorted(uris.post_uri(b.post) for b in Bookmark.objects.filter(account=me)),
    "quiet": all(p.quiet for p in Post.objects.filter(account=me)),
}
"""


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    with running_servers(tmp_path_factory, ("alice", "bob", "carol", "dave"), ("alice",),
                         name="round-trip") as pair:
        yield pair


def test_an_export_from_one_server_imports_whole_on_another(servers, tmp_path):
    a, b = servers
    with logs_on_failure(a, b):
        _run(a, b, tmp_path)


def _run(a: RostraServer, b: RostraServer, tmp_path) -> None:
    assert a.shell(BUILD) is True
    path = tmp_path / "alice.zip"
    a.rostra("export", "--user", "alice", "--output", str(path))
    done = b.rostra("import", "archive", str(path), "--user", "alice")
    assert "This is a Rostra export." in done.stdout, done.stdout
    before = a.shell(DUMP)
    assert len(before["posts"]) == 8 and not before["quiet"]

    def settled():
        after = b.shell(DUMP)
        return after if after["following"] and after["lists"].get("Friends") else None

    after = normalised(wait_for(settled, timeout=60,
                                what="the follow of bob to be accepted by A"), a)
    assert after["posts"] == before["posts"]
    assert after["quiet"]
    for key in ("following", "requested", "mutes", "blocks", "domain_blocks", "lists",
                "bookmarks"):
        assert after[key] == before[key], key
    # the follow was asked of A and A answered: bob has a follower on B
    assert a.shell(f"""
from rostra.accounts.models import Follow
out = Follow.objects.filter(target_account__username="bob", target_account__domain="",
                            account__domain={b.domain!r}).count()
""") == 1
    # importing again changes nothing
    again = json.loads(b.rostra("import", "archive", str(path), "--user", "alice",
                                "--json").stdout)
    assert (again["imported"], again["already_imported"]) == (0, 8)
    assert normalised(b.shell(DUMP), a) == after


def normalised(dump: dict, a: RostraServer) -> dict:
    """On B a mention names bob by his full address; on A by his name."""
    for post in dump["posts"]:
        post["text"] = post["text"].replace(f"@bob@{a.domain}", "@bob")
    return dump
