class DomainError(Exception):
    """A rule of the service was broken. Views show ``message`` beside ``field``, or at the top of the page."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DomainErrors(DomainError):
    """Several problems found together, so the person can fix them all in one go."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(errors[0].message, errors[0].field)
        self.errors = errors


def raise_if_any(errors: list[DomainError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DomainErrors(errors)
