from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "rostra.integrity"
    label = "integrity"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Integrity (coordinated behaviour, FIMI)"

    def ready(self) -> None:
        from rostra.core import worker
        from rostra.integrity import late, tasks, watchlists, weights
        from rostra.timelines.feeds import coordination

        # Accounts in live or acted-on incidents count less in trends.
        coordination.register_weigher(weights.weigh)
        # Background detection: one chain of runs in the queue.
        worker.on_start(tasks.start_detecting)
        # Partners' watch lists: new and edited public posts are matched.
        watchlists.connect()
        # Federated posts that arrive long after they were published.
        late.connect()
