"""Background work of notifications, run by the task worker."""

from django_tasks import task


@task()
def deliver_push(subscription_id: int, notification_id: int) -> None:
    from rostra.notifications.push import deliver

    deliver(subscription_id, notification_id)
