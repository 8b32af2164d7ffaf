from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rostra.notifications"
    label = "notifications"

    def ready(self) -> None:
        from rostra.notifications import handlers

        handlers.connect()
