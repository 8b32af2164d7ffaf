"""Open feeds: home stays chronological; other feeds are opt-in, declared and
explained (see base.py for the interface, hydrate.py for the server's last word)."""

from rostra.timelines.feeds import (  # noqa: F401  (each module registers its feed)
    catch_up,
    chronological,
    generator,
    quiet_voices,
    topic,
    trending_federated,
    trending_local,
)
from rostra.timelines.feeds.base import DEFAULT_FEED, REGISTRY, FeedError, all_feeds, get_feed

__all__ = ["DEFAULT_FEED", "REGISTRY", "FeedError", "all_feeds", "get_feed"]
