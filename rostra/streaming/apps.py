from django.apps import AppConfig


class StreamingConfig(AppConfig):
    name = "rostra.streaming"
    label = "streaming"

    def ready(self) -> None:
        from rostra.streaming import handlers

        handlers.connect()
