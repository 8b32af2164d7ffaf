"""Background work of posts, run by the task worker."""

from django_tasks import task


@task()
def close_poll(poll_id: int) -> None:
    from rostra.posts.services import end_poll

    end_poll(poll_id)


@task()
def publish_scheduled_post(scheduled_id: int) -> None:
    from rostra.posts.scheduling import publish

    publish(scheduled_id)


@task()
def check_remote_media(post_id: int, attempt: int = 1) -> str:
    from rostra.posts.remote_media import check

    return check(post_id, attempt)
