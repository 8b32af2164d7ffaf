"""Flag: a report from another server, kept as a ``RemoteReport``; the moderation
app opens a case for it (``events.flag_received``)."""

from __future__ import annotations

from django.db import transaction

from rostra.accounts.models import Account
from rostra.core import text as text_mod
from rostra.federation import events, notes, policy, remote
from rostra.federation.handlers import Ignored
from rostra.federation.models import RemoteReport

MAX_OBJECTS = 100


def flag(activity: dict, actor: Account) -> None:
    if policy.rejects_reports(actor.domain):
        raise Ignored("Reports from this server are rejected.")
    reported = None
    found_posts = []
    for uri in notes.id_list(activity.get("object"))[:MAX_OBJECTS]:
        account = remote.local_account_for(uri)
        post = None if account else remote.local_post_for(uri)
        if account is not None and reported is None:
            reported = account
        if post is not None:
            found_posts.append(post)
    if reported is None and found_posts:
        reported = found_posts[0].account
    if reported is None:
        raise Ignored("The report names no account of this server.")
    content = activity.get("content")
    report, created = RemoteReport.objects.get_or_create(
        activity_id=activity["id"][:2048],
        defaults={
            "reporter": actor,
            "reporter_uri": actor.uri,
            "target_account": reported,
            "content": text_mod.plain_text(content)[:5000] if isinstance(content, str) else "",
        },
    )
    if created:
        report.posts.set([p for p in found_posts if p.account_id == reported.pk])
        transaction.on_commit(lambda: events.flag_received.send(RemoteReport, report=report))
