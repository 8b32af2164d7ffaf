"""Background work of moderation, run by the task worker."""

from django_tasks import task


@task()
def end_measure(decision_id: int) -> bool:
    """Lift a temporary measure when its time is up."""
    from rostra.moderation.decisions import end_measure as end

    return end(decision_id)


@task()
def rescan_media(entry_ids: list[int]) -> int:
    """Stored media against new hash-list entries (the image-abuse shield)."""
    from rostra.moderation.shield import rescan

    return rescan(entry_ids)


@task()
def rescan_list(list_id: int, added_at: str) -> int:
    """Stored media against the entries a large list import added."""
    from rostra.moderation.shield import rescan_added

    return rescan_added(list_id, added_at)
