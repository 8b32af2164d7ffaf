class TimelineError(ValueError):
    """A request about a list or a filter that cannot be honoured; the message says
    why. ``field`` names the parameter at fault, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))  # a lazy message is read in the language of now
        self.field = field
