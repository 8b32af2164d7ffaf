from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "rostra.moderation"
    label = "moderation"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Moderation (DSA / OSA)"

    def ready(self) -> None:
        from rostra.moderation import handlers

        handlers.connect()
