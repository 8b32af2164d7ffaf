"""What the moderation app hears from the doors: a federated Flag opens a case."""

from __future__ import annotations


def on_flag_received(sender, report, **kwargs) -> None:
    from rostra.moderation.services import open_flag_case

    open_flag_case(external_id=report.activity_id, reporter=report.reporter,
                   reporter_uri=report.reporter_uri, target=report.target_account,
                   posts=list(report.posts.all()), comment=report.content)


def connect() -> None:
    from rostra.federation import events
    from rostra.moderation import shield

    shield.connect()

    events.flag_received.connect(on_flag_received, dispatch_uid="rostra-moderation-flag")
