"""Password hashing with Argon2id, and the rules a new password must meet."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

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


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why a password is too weak, in words for the person choosing it, or ``None`` if it is fine."""
    if len(password) < MINIMUM_LENGTH:
        return f"Password must be {MINIMUM_LENGTH} characters or more"
    if len(password) > MAXIMUM_LENGTH:
        return f"Password must be {MAXIMUM_LENGTH} characters or fewer"
    result = zxcvbn(password, user_inputs=[part for part in (email, name, "london", "mopac", "grant") if part])
    if result["score"] < 3:
        hint = result["feedback"].get("warning") or "It would be easy to guess"
        return f"Choose a stronger password. {hint.rstrip('.')}. Three random words together work well"
    return None
