class DomainError(Exception):
    """A rule of the service was broken. Views show ``message`` beside ``field``, or at the top of the page."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
