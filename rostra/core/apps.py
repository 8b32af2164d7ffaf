from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rostra.core"
    label = "core"

    def ready(self) -> None:
        from rostra.core import alerts, worker

        # Admin e-mail alerts: urgent moderation cases at once, failed deliveries by a
        # periodic check that a worker keeps queued.
        alerts.connect()
        worker.on_start(alerts.start_checking)
