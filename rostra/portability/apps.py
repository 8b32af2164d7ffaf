from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "rostra.portability"
    label = "portability"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Data portability (imports)"
