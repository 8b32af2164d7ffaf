from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "rostra.moderation"
    label = "moderation"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Moderation (DSA / OSA)"

    def ready(self) -> None:
        from rostra.core import worker
        from rostra.moderation import decisions, handlers

        handlers.connect()
        # Temporary measures whose end passed while no worker ran end at start.
        worker.on_start(decisions.end_lapsed_measures)
