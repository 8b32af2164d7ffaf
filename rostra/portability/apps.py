from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "rostra.portability"
    label = "portability"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Data portability (imports)"

    def ready(self) -> None:
        from rostra.accounts import events
        from rostra.portability import x_connections

        # A closed account's X identity and connections go with it.
        events.account_deleted.connect(x_connections.on_account_deleted,
                                       dispatch_uid="portability.x_connections.forget")
