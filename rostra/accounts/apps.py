from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rostra.accounts"
    label = "accounts"
