from django.utils.translation import gettext as _


class PostError(ValueError):
    """A post request that cannot be honoured; the message is for the user.

    ``field`` names the input at fault (text, media, poll, in_reply_to, ...).
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))  # a lazy message is read in the language of now
        self.field = field


class NotVisible(PostError):
    """The post does not exist for this viewer (deliberately the same as missing)."""

    def __init__(self) -> None:
        super().__init__(_("This post does not exist or is not visible to you."), None)
