"""What the moderation app hears: a federated Flag opens a case; a trend decision
goes to the audit log."""

from __future__ import annotations


def on_flag_received(sender, report, **kwargs) -> None:
    from rostra.moderation.services import open_flag_case

    open_flag_case(external_id=report.activity_id, reporter=report.reporter,
                   reporter_uri=report.reporter_uri, target=report.target_account,
                   posts=list(report.posts.all()), comment=report.content)


def on_trend_decided(sender, review, **kwargs) -> None:
    from rostra.moderation.services import audit

    user = getattr(review.decided_by, "user", None) if review.decided_by_id else None
    audit(user, f"trend.{review.status}", None, kind=review.kind, key=review.key)


def connect() -> None:
    from rostra.federation import events
    from rostra.moderation import shield
    from rostra.timelines import events as timeline_events

    shield.connect()

    events.flag_received.connect(on_flag_received, dispatch_uid="rostra-moderation-flag")
    timeline_events.trend_decided.connect(on_trend_decided,
                                          dispatch_uid="rostra-moderation-trend")
