"""Between the password and the second factor: who is half-way through signing in.

The cookie remembers the user for a few minutes after a right password; they are not signed in until they give
their second factor too.
"""

import time

from flask import session

from portal.extensions import db
from portal.models import User

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 5 * 60


def begin_second_step(user: User, next_url: str | None) -> None:
    session[PENDING_KEY] = {
        "user": user.id,
        "version": user.session_version,
        "at": int(time.time()),
        "next": next_url,
    }


def pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.active or user.session_version != pending["version"]:
        return None
    return user


def take_next_url() -> str | None:
    """Where the person was going when they started to sign in; forgets the half-finished sign-in."""
    pending = session.pop(PENDING_KEY, None) or {}
    return pending.get("next")
