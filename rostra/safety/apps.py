from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "rostra.safety"
    label = "safety"

    def ready(self) -> None:
        from rostra.core import worker
        from rostra.safety import matching

        # Build the PDQ index when a worker starts, not on the first upload.
        worker.on_start(matching.warm)
