"""Background work of moderation, run by the task worker."""

from django_tasks import task


@task()
def end_measure(decision_id: int) -> bool:
    """Lift a temporary measure when its time is up."""
    from rostra.moderation.decisions import end_measure as end

    return end(decision_id)
