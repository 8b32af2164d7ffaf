from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rostra.core"
    label = "core"
