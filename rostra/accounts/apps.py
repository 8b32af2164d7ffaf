from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rostra.accounts"
    label = "accounts"

    def ready(self) -> None:
        from rostra.accounts import deletion
        from rostra.core import worker

        # Accounts whose deletion came due while no worker ran are deleted at start.
        worker.on_start(deletion.delete_overdue)
