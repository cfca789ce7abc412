"""Accounts: creating them, signing in, confirming email addresses and resetting passwords."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from portal import audit
from portal.auth import second_factor, sessions, tokens
from portal.auth.passwords import hash_password, password_problem, verify_password
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import StaffRole, User
from portal.template_helpers import external_url
from portal.validation import normalise_email


def load_user_from_session(session_id: str) -> User | None:
    """The signed-in user, if the cookie names a live server session of theirs (see :mod:`portal.auth.sessions`)."""
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdecimal() and version.isdecimal()):
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.memberships)])  # one statement, not two
    if user is None or not user.active or user.session_version != int(version):
        return None
    user_session = sessions.current()
    if user_session is None or user_session.user_id != user.id:
        return None
    return user


def fetch_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_new_user(email: str, password: str | None, full_name: str, *, organisation: str = "") -> None:
    """Raise :class:`DomainError` for an email address already taken or a weak password."""
    if fetch_user_by_email(email) is not None:
        raise DomainError(
            "An account already exists with this email address. Sign in, or reset your password if you have "
            "forgotten it",
            field="email",
        )
    check_new_password(email, password, full_name, organisation=organisation)


def check_new_password(email: str, password: str | None, full_name: str, *, organisation: str = "") -> None:
    if password is not None and (
        problem := password_problem(password, email=email, name=full_name, organisation=organisation)
    ):
        raise DomainError(problem, field="password")


def build_user(email: str, full_name: str, password: str | None, staff_role: StaffRole | None = None) -> User:
    """A new user added to the session; the caller commits."""
    check_new_user(email, password, full_name)
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        password_hash=hash_password(password) if password else None,
        staff_role=staff_role,
    )
    db.session.add(user)
    db.session.flush()
    return user


class SignInPaused(DomainError):
    """Too many failed attempts on one account: it may try again after a pause that grows with each failure."""


def check_password(email: str, password: str) -> User:
    """The user whose email and password these are; raises :class:`DomainError` otherwise.

    Failures are counted per account. After ``SIGN_IN_FAILURES_BEFORE_PAUSE`` in a row the account pauses for a
    minute, then twice as long after each further failure, up to ``SIGN_IN_MAX_PAUSE_MINUTES``: enough to stop
    guessing, never a long lock-out that an attacker could impose on the owner, who is told by email.
    """
    user = fetch_user_by_email(email)
    paused_for = _minutes_paused(user) if user else 0
    if paused_for:
        verify_password(None, password)  # the same effort either way
        raise SignInPaused(_paused_message(paused_for), field="email")
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.active:
        if user is not None:
            record_failure(user)
        raise DomainError(WRONG_PASSWORD, field="email")
    return user


WRONG_PASSWORD = "Enter a correct email address and password"  # noqa: S105 (a message, not a password)


def _paused_message(minutes: int) -> str:
    return (
        f"There have been too many attempts to sign in to this account. Wait {minutes} minute"
        f"{'' if minutes == 1 else 's'}, then try again, or reset your password"
    )


def _minutes_paused(user: User) -> int:
    if user.sign_in_locked_until is None or user.sign_in_locked_until <= utcnow():
        return 0
    return max(1, -(-int((user.sign_in_locked_until - utcnow()).total_seconds()) // 60))


def record_failure(user: User) -> None:
    """Count a wrong password or code against the account, pausing it after too many. Commits."""
    config = current_app.config
    user.failed_sign_in_count += 1
    audit.record("auth.sign_in_failed", user, after={"failures": user.failed_sign_in_count}, actor=user)
    over = user.failed_sign_in_count - config["SIGN_IN_FAILURES_BEFORE_PAUSE"]
    if over >= 0:
        minutes = min(2**over, config["SIGN_IN_MAX_PAUSE_MINUTES"])
        user.sign_in_locked_until = utcnow() + timedelta(minutes=minutes)
        audit.record("auth.sign_in_paused", user, after={"minutes": minutes}, actor=user)
        queue_email(user.email, "sign_in_locked", user=user, failures=user.failed_sign_in_count, minutes=minutes)
    db.session.commit()


def complete_sign_in(user: User) -> None:
    """The person has given every factor they have: start their server session. Commits."""
    user.last_signed_in_at = utcnow()
    user.failed_sign_in_count = 0
    user.sign_in_locked_until = None
    sessions.start(user)
    audit.record("auth.signed_in", user, actor=user)
    db.session.commit()


def queue_email_confirmation(user: User) -> None:
    token = tokens.make_token(tokens.EMAIL_CONFIRMATION, {"user": user.id, "email": user.email})
    queue_email(
        user.email,
        "confirm_email",
        user=user,
        link=external_url("auth.confirm_email", token=token),
        days=current_app.config["EMAIL_CONFIRMATION_MAX_AGE"] // 86400,
    )


def resend_email_confirmation(user: User) -> None:
    queue_email_confirmation(user)
    db.session.commit()


def confirm_email(token: str) -> User:
    payload = tokens.read_token(tokens.EMAIL_CONFIRMATION, token, current_app.config["EMAIL_CONFIRMATION_MAX_AGE"])
    user = db.session.get(User, payload["user"]) if payload else None
    if payload is None or user is None or user.email != payload["email"]:
        raise DomainError("This link has expired or is not valid. Sign in to get a new one")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        audit.record("user.email_confirmed", user, after={"email": user.email}, actor=user)
        db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists. Says nothing either way, so accounts cannot be discovered."""
    user = fetch_user_by_email(email)
    if user is None or not user.active:
        return
    token = tokens.make_token(
        tokens.PASSWORD_RESET,
        {"user": user.id, "fingerprint": tokens.password_fingerprint(user.password_hash)},
    )
    queue_email(
        user.email,
        "reset_password",
        user=user,
        link=external_url("auth.reset_password", token=token),
        hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600,
    )
    db.session.commit()


def user_for_reset_token(token: str) -> User | None:
    payload = tokens.read_token(tokens.PASSWORD_RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    if not payload:
        return None
    user = db.session.get(User, payload["user"])
    if user is None or not user.active:
        return None
    if tokens.password_fingerprint(user.password_hash) != payload["fingerprint"]:
        return None  # already used: the password has changed since the link was sent
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    if user is None:
        raise DomainError("This link has expired or has already been used. Ask for a new one")
    _set_password(user, new_password)
    sessions.end_all(user)
    # The link proves the person can read mail sent to this address.
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    audit.record("user.password_reset", user, actor=user)
    queue_email(user.email, "password_changed", user=user)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise DomainError("Your current password is not right", field="current_password")
    _set_password(user, new_password)
    sessions.end_all(user, but_this_one=True)
    audit.record("user.password_changed", user, actor=user)
    queue_email(user.email, "password_changed", user=user)
    db.session.commit()


def _set_password(user: User, new_password: str) -> None:
    organisations = " ".join(membership.organisation.name for membership in user.memberships)
    if problem := password_problem(new_password, email=user.email, name=user.full_name, organisation=organisations):
        raise DomainError(problem, field="password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1


def check_second_factor(user: User, code: str) -> None:
    """Accept the code from the user's authenticator app, or raise :class:`DomainError` (counted as a failure)."""
    if paused_for := _minutes_paused(user):
        raise SignInPaused(_paused_message(paused_for), field="code")
    if not second_factor.check_code(user, code):
        record_failure(user)
        raise DomainError(
            "The security code is not right, or has been used already. Enter the code your app shows now",
            field="code",
        )


def check_recovery_code(user: User, code: str) -> None:
    """Accept one of the user's unused recovery codes, or raise :class:`DomainError` (counted as a failure)."""
    if paused_for := _minutes_paused(user):
        raise SignInPaused(_paused_message(paused_for), field="code")
    if not second_factor.use_recovery_code(user, code):
        record_failure(user)
        raise DomainError("The recovery code is not right, or has been used already", field="code")


def reauthenticate(user: User, *, code: str | None = None, password: str | None = None) -> None:
    """The person has proved again who they are: with their second factor, or their password if they have none."""
    if user.has_second_factor:
        check_second_factor(user, code or "")
    elif not verify_password(user.password_hash, password or ""):
        record_failure(user)
        raise DomainError("Your password is not right", field="password")
    sessions.mark_authenticated()
    audit.record("auth.reauthenticated", user, actor=user)
    db.session.commit()


def sign_out(user: User) -> None:
    audit.record("auth.signed_out", user, actor=user)
    db.session.commit()
    sessions.end_current()


def end_other_sessions(user: User) -> None:
    """Sign the user out of every browser but this one."""
    sessions.end_all(user, but_this_one=True)
    audit.record("auth.other_sessions_ended", user, actor=user)
    db.session.commit()
