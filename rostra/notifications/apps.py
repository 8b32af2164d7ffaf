from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "rostra.notifications"
    label = "notifications"

    def ready(self) -> None:
        from rostra.notifications import events, handlers, push

        handlers.connect()
        events.notification_created.connect(push.on_notification_created,
                                            dispatch_uid="notifications.push")
