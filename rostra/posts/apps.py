from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "rostra.posts"
    label = "posts"

    def ready(self) -> None:
        from rostra.posts import cleanup, conversations, search

        search.connect()
        conversations.connect()
        cleanup.connect()
