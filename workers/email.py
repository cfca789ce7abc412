from portal.email import outbox


def send_message(message_id: int) -> None:
    outbox.send_message(message_id)
