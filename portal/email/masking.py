"""Links in an email that act for its recipient (confirming an address, resetting a password, joining an
organisation, managing alerts) are hidden from anyone else reading the outbox: an administrator reading the
development outbox must not be able to take over someone else's account."""

import re

LIVE_LINK = re.compile(
    r"https?://\S+?/(?:confirm-email|reset-password|invitations|alerts/confirm|alerts/unsubscribe)/[^\s<>\"']+"
)
MASK = "[link hidden: only the person it was sent to can use it]"


def readable_body(body: str, *, to_address: str, reader_email: str) -> str:
    """The message as the reader may see it: whole for its own recipient, with live links hidden for anyone else."""
    if to_address.strip().lower() == reader_email.strip().lower():
        return body
    return LIVE_LINK.sub(MASK, body)
