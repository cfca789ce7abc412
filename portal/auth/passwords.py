"""Password hashing with Argon2id, and the rules a new password must meet.

A new password is refused if it is among the 30,000 most common passwords seen in breaches (the list that the
pinned ``zxcvbn`` package ships, from Mark Burnett's corpus of ten million published passwords), if it contains
the person's name, email address or organisation's name, or if zxcvbn judges it easy to guess.
"""

import re
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MINIMUM_LENGTH = 10
MAXIMUM_LENGTH = 128

_default_hasher = PasswordHasher()
# Tests create many users; the same algorithm with a small cost keeps them quick.
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    return _fast_hasher if current_app.config.get("PASSWORD_HASH_FAST") else _default_hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same effort as a real check so that timing does not reveal which accounts exist.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def breached_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def _personal_words(*values: str) -> set[str]:
    """The words of a name, an email address or an organisation's name long enough to matter in a password."""
    words = set()
    for value in values:
        words |= {word for word in re.split(r"[^a-z0-9]+", value.lower()) if len(word) >= 4}
    return words - {"example", "gmail", "hotmail", "outlook", "yahoo"}


def password_problem(password: str, *, email: str = "", name: str = "", organisation: str = "") -> str | None:
    """Why a password is too weak, in words for the person choosing it, or ``None`` if it is fine."""
    if len(password) < MINIMUM_LENGTH:
        return f"Password must be {MINIMUM_LENGTH} characters or more"
    if len(password) > MAXIMUM_LENGTH:
        return f"Password must be {MAXIMUM_LENGTH} characters or fewer"
    if password.lower() in breached_passwords():
        return (
            "Choose a stronger password. This one is among the most common in published data breaches. "
            "Three random words together work well"
        )
    lowered = password.lower()
    if any(word in lowered for word in _personal_words(email.split("@")[0], name, organisation)):
        return (
            "Choose a stronger password. It must not contain your name, email address or organisation's name. "
            "Three random words together work well"
        )
    result = zxcvbn(
        password, user_inputs=[part for part in (email, name, organisation, "london", "mopac", "grant") if part]
    )
    if result["score"] < 3:
        hint = result["feedback"].get("warning") or "It would be easy to guess"
        return f"Choose a stronger password. {hint.rstrip('.')}. Three random words together work well"
    return None
