from django.apps import AppConfig


class PortabilityConfig(AppConfig):
    name = "rostra.portability"
    label = "portability"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Data portability (imports)"

    def ready(self) -> None:
        from rostra.accounts import events
        from rostra.portability import csv_imports, x_connections

        # A closed account's X identity and connections go with it.
        events.account_deleted.connect(x_connections.on_account_deleted,
                                       dispatch_uid="portability.x_connections.forget")
        # A list import waiting for a follow to be accepted adds the member then.
        for name in ("followed", "follow_request_accepted"):
            getattr(events, name).connect(csv_imports.add_waiting_members,
                                          dispatch_uid=f"portability.lists.{name}")
