from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "rostra.safety"
    label = "safety"
