class AccountError(ValueError):
    """A request about an account that cannot be honoured; the message says why.

    ``field`` names the form field at fault, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))  # a lazy message is read in the language of now
        self.field = field
