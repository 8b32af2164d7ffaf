"""A small incident to export: two local accounts and a remote one sharing links,
with public, unlisted, followers-only and direct posts among its evidence."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from rostra.accounts.models import Account
from rostra.integrity.models import Incident, IncidentMember
from rostra.posts import services as posts
from tests import factories

SECRET_LINK = "https://secret.example/followers-only"
DIRECT_LINK = "https://secret.example/direct"


def remote_account(username: str, domain: str = "far.example") -> Account:
    return Account.objects.create(username=username, domain=domain,
                                  uri=f"https://{domain}/users/{username}",
                                  url=f"https://{domain}/@{username}")


def remote_post(author: Account, html: str, *, n: int, visibility: str = "public"):
    """A post from another server, its ``post_created`` run as after a commit."""
    with factories.TestCase.captureOnCommitCallbacks(execute=True):
        return posts.create_remote_post(
            author, uri=f"https://{author.domain}/users/{author.username}/statuses/{n}",
            content_html=html, published=timezone.now() - timedelta(minutes=n),
            visibility=visibility)


def incident_world() -> dict:
    """An incident with its accounts and evidence (public and not)."""
    amy = factories.make_account("amy")
    ben = factories.make_account("ben")
    far = remote_account("far")
    public = factories.make_post(amy, "Read this https://evil.example/story?id=1#top")
    unlisted = factories.make_post(ben, "Also https://evil.example/story?id=1",
                                   visibility="unlisted")
    secret = factories.make_post(amy, f"Only friends {SECRET_LINK}", visibility="private")
    direct = factories.make_post(ben, f"@amy psst {DIRECT_LINK}", visibility="direct")
    remote = remote_post(far, '<p>Look <a href="https://news.evil.example/it\'s">news</a> '
                              '<a href="https://far.example/tags/x" class="mention hashtag" '
                              'rel="tag">#x</a></p>', n=1)
    now = timezone.now()
    incident = Incident.objects.create(
        title="Copypasta push on evil.example", summary="Three accounts share the same link.",
        behaviours=["co_link", "co_text"], techniques=["T0049", "T0118", "T0084.001"],
        strength=0.8, first_seen=now - timedelta(hours=2), last_seen=now,
        instances=["", "far.example"], details={"domains": ["evil.example"]})
    for account in (amy, ben, far):
        IncidentMember.objects.create(incident=incident, account=account,
                                      behaviours=["co_link"], weight=0.9, evidence_count=1)
    incident.evidence_posts.set([public, unlisted, secret, direct, remote])
    return {"incident": incident, "amy": amy, "ben": ben, "far": far, "public": public,
            "unlisted": unlisted, "secret": secret, "direct": direct, "remote": remote}
