"""Accounts: creating them, signing in, confirming email addresses and resetting passwords."""

import sqlalchemy as sa
from flask import current_app

from portal import audit
from portal.auth import tokens
from portal.auth.passwords import hash_password, password_problem, verify_password
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import StaffRole, User
from portal.template_helpers import external_url
from portal.validation import normalise_email


def load_user_from_session(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def fetch_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_new_user(email: str, password: str | None, full_name: str) -> None:
    """Raise :class:`DomainError` for an email address already taken or a weak password."""
    if fetch_user_by_email(email) is not None:
        raise DomainError(
            "An account already exists with this email address. Sign in, or reset your password if you have "
            "forgotten it",
            field="email",
        )
    if password is not None and (problem := password_problem(password, email=email, name=full_name)):
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


def authenticate(email: str, password: str) -> User | None:
    user = fetch_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    user.last_signed_in_at = utcnow()
    db.session.commit()
    return user


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
    if user is None or user.email != payload["email"]:
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
    audit.record("user.password_changed", user, actor=user)
    queue_email(user.email, "password_changed", user=user)
    db.session.commit()


def _set_password(user: User, new_password: str) -> None:
    if problem := password_problem(new_password, email=user.email, name=user.full_name):
        raise DomainError(problem, field="password")
    user.password_hash = hash_password(new_password)
    user.session_version += 1
