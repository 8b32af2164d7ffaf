from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "rostra.federation"
    label = "federation"
    default_auto_field = "django.db.models.BigAutoField"
