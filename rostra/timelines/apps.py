from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "rostra.timelines"
    label = "timelines"

    def ready(self) -> None:
        from rostra.accounts import events
        from rostra.core import worker
        from rostra.timelines import tasks

        # The amplification audit keeps its counts and replay log for a limited time.
        worker.on_start(tasks.start_purging)

        events.account_deleted.connect(_on_account_deleted,
                                       dispatch_uid="rostra-timelines-account-deleted")


def _on_account_deleted(sender, account, **kwargs) -> None:
    """A closed account's lists and filters go, and it leaves others' lists."""
    from rostra.timelines.models import Filter, List, ListAccount

    ListAccount.objects.filter(account=account).delete()
    List.objects.filter(account=account).delete()
    Filter.objects.filter(account=account).delete()
