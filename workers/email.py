from portal.email import outbox


def send_message(message_id: int) -> None:
    outbox.send_message(message_id)


def send_unsent() -> None:
    """The recurring retry: messages that failed, or that a stopped worker left half-sent."""
    outbox.send_unsent()
