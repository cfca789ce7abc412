"""Signed-in sessions kept on the server.

The browser's (signed) session cookie holds a random token; the ``user_session`` table holds its hash, when the
session began, when it was last used and when the person last proved who they are. A session ends when the person
signs out (the row is deleted, so a copied cookie stops working), when it has been idle too long (30 minutes for
staff, 2 hours for everyone else by default) or when it reaches its absolute limit, whatever its use.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, request, session

from portal.auth.tokens import hash_random_token, new_random_token
from portal.database import rows_matched, utcnow
from portal.extensions import db
from portal.models import User, UserSession

SESSION_KEY = "session_token"
# Writing the last-used time on every request would make every page a write; a minute's precision is enough.
TOUCH_EVERY = timedelta(seconds=60)


def start(user: User) -> None:
    """Begin a server session for ``user`` and put its token in the cookie. The caller commits."""
    token, token_hash = new_random_token()
    now = utcnow()
    db.session.add(
        UserSession(
            token_hash=token_hash,
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            authenticated_at=now,
            user_agent=(request.user_agent.string or "")[:255],
            ip_address=(request.remote_addr or "")[:45],
        )
    )
    session[SESSION_KEY] = token


def current() -> UserSession | None:
    """The server session behind this request's cookie, if it is still alive."""
    if "user_session" not in g:
        g.user_session = _load(session.get(SESSION_KEY))
    found: UserSession | None = g.user_session
    return found


def _load(token: str | None) -> UserSession | None:
    if not token:
        return None
    user_session = db.session.scalar(sa.select(UserSession).where(UserSession.token_hash == hash_random_token(token)))
    if user_session is None:
        return None
    if expired(user_session, user_session.user, utcnow()):
        session_id = user_session.id
        db.session.rollback()  # a write of its own, as in touch()
        db.session.execute(sa.delete(UserSession).where(UserSession.id == session_id))
        db.session.commit()
        return None
    return user_session


def expired(user_session: UserSession, user: User, now: datetime) -> bool:
    config = current_app.config
    idle_minutes = config["SESSION_IDLE_MINUTES_STAFF"] if user.is_staff else config["SESSION_IDLE_MINUTES"]
    return now - user_session.last_seen_at > timedelta(
        minutes=idle_minutes
    ) or now - user_session.created_at > timedelta(hours=config["SESSION_ABSOLUTE_HOURS"])


def touch() -> None:
    """Record that the session is in use, so it does not time out while someone is working.

    Two requests of the same person often arrive together (a page and its download, several tabs) and both may find
    the time stale. The write is one statement that changes the time only if it is still stale, in a transaction of
    its own: SQLite refuses to turn a read that another writer has since overtaken into a write, so the read this
    request began when it loaded the session is ended first (nothing has been changed yet).
    """
    user_session = current()
    now = utcnow()
    if user_session is None or now - user_session.last_seen_at <= TOUCH_EVERY:
        return
    session_id = user_session.id
    db.session.rollback()
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.id == session_id, UserSession.last_seen_at < now - TOUCH_EVERY)
        .values(last_seen_at=now)
    )
    db.session.commit()


def authenticated_recently() -> bool:
    user_session = current()
    limit = timedelta(minutes=current_app.config["REAUTHENTICATION_MINUTES"])
    return user_session is not None and utcnow() - user_session.authenticated_at <= limit


def mark_authenticated() -> None:
    """The person has just given their second factor (or password) again. The caller commits."""
    user_session = current()
    if user_session is not None:
        user_session.authenticated_at = utcnow()


def end_current() -> None:
    user_session = current()
    if user_session is not None:
        db.session.delete(user_session)
        db.session.commit()
    g.user_session = None


def fetch_for(user: User) -> list[UserSession]:
    return list(
        db.session.scalars(
            sa.select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.last_seen_at.desc())
        )
    )


def end_all(user: User, *, but_this_one: bool = False) -> None:
    """End every session of the user (a new password, a reset second factor), or all but this one. The caller
    commits."""
    query = sa.delete(UserSession).where(UserSession.user_id == user.id)
    this = current() if but_this_one else None
    if this is not None:
        query = query.where(UserSession.id != this.id)
    db.session.execute(query)


def end_one(user: User, session_id: int) -> bool:
    ended = rows_matched(
        db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.id == session_id))
    )
    db.session.commit()
    return bool(ended)
