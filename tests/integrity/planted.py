"""A small world in the database for the detection task: organic accounts posting,
replying and boosting at their own pace, and a planted ring that boosts the same
posts within seconds of each other, again and again (most members each time)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from rostra.accounts.models import Account
from rostra.posts import services as posts
from rostra.posts.models import Post
from tests import factories


@dataclass
class World:
    ring: list[Account]
    organic: list[Account]
    targets: list[Post]
    ring_boosts: list[Post]


def boost_at(account: Account, post: Post, when: datetime) -> Post:
    """Boost through the service, then set when it happened: the service stamps
    boosts with the present, and the world needs its own clock."""
    boost = posts.reblog(account, post)
    Post.objects.filter(pk=boost.pk).update(published=when)
    boost.published = when
    return boost


def plant(*, ring_size: int = 6, organic_size: int = 30, rounds: int = 8, seed: int = 7,
          prefix: str = "") -> World:
    rng = random.Random(seed)
    start = timezone.now() - timedelta(days=2)
    patron = factories.make_account(f"{prefix}patron")
    ring = [factories.make_account(f"{prefix}voice{i}") for i in range(ring_size)]
    organic = [factories.make_account(f"{prefix}person{i}") for i in range(organic_size)]
    # Organic life: posts through the day, a few replies and boosts minutes to hours later.
    for i in range(organic_size * 2):
        author = rng.choice(organic)
        when = start + timedelta(seconds=rng.uniform(0, 30 * 3600))
        post = factories.make_post(author, f"{author.username} thinks aloud, note {i}: "
                                   f"{rng.choice(['rain', 'trains', 'bread', 'music'])}",
                                   published=when)
        for fan in rng.sample(organic, rng.randint(0, 3)):
            if fan.pk != author.pk:
                boost_at(fan, post, when + timedelta(seconds=rng.uniform(60, 6 * 3600)))
        if rng.random() < 0.3:
            replier = rng.choice(organic)
            factories.make_post(replier, f"Reply {i} from {replier.username}", in_reply_to=post,
                                published=when + timedelta(seconds=rng.uniform(60, 7200)))
    # The ring: each round the patron posts, and most of the ring boosts within seconds.
    targets, ring_boosts = [], []
    for r in range(rounds):
        when = start + timedelta(hours=3 * r + rng.uniform(0, 1))
        target = factories.make_post(patron, f"Round {r}: the other side lies about the vote",
                                     published=when)
        targets.append(target)
        delay = rng.uniform(30, 300)
        for member in rng.sample(ring, ring_size - 1):
            ring_boosts.append(boost_at(member, target,
                                        when + timedelta(seconds=delay + rng.uniform(0, 15))))
        for fan in rng.sample(organic, 2):
            boost_at(fan, target, when + timedelta(seconds=rng.uniform(600, 5 * 3600)))
    return World(ring=ring, organic=organic, targets=targets, ring_boosts=ring_boosts)
