"""Signed, expiring tokens for links sent by email."""

import hashlib
import secrets
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

EMAIL_CONFIRMATION = "confirm-email"
PASSWORD_RESET = "reset-password"  # noqa: S105 (a token purpose, not a password)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal-{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any] | None:
    """The token's payload, or ``None`` if it is forged, for another purpose or too old."""
    try:
        payload: dict[str, Any] = _serializer(purpose).loads(token, max_age=max_age)
        return payload
    except (SignatureExpired, BadSignature):
        return None


def password_fingerprint(password_hash: str | None) -> str:
    """Changes whenever the password does, so a reset link works once only."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def new_random_token() -> tuple[str, str]:
    """A token to put in a link, and the hash of it to store."""
    token = secrets.token_urlsafe(32)
    return token, hash_random_token(token)


def hash_random_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
