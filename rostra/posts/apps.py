from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "rostra.posts"
    label = "posts"

    def ready(self) -> None:
        from rostra.posts import conversations, search

        search.connect()
        conversations.connect()
