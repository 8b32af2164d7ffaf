from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "rostra.api"
    label = "api"
    verbose_name = "Client API and OAuth"

    def ready(self) -> None:
        from rostra.accounts import events

        events.account_deleted.connect(_on_account_deleted,
                                       dispatch_uid="rostra-api-account-deleted")


def _on_account_deleted(sender, account, **kwargs) -> None:
    """Every app the person signed in to loses its access at once."""
    from django.utils import timezone

    from rostra.api.models import AccessToken

    AccessToken.objects.filter(user__account=account, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
