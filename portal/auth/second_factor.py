"""The second factor: time-based one-time passwords (TOTP) from an authenticator app, and recovery codes.

Staff must set one up before they reach any staff page; anyone else may. A code is accepted for the current
30-second step or the one either side (clocks drift), and never for a step at or before the last one accepted,
so a code read over someone's shoulder cannot be used again. Ten recovery codes are shown once and stored hashed.
"""

import secrets

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from portal import audit
from portal.auth.passwords import hash_password, verify_password
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import RecoveryCode, User

ISSUER = "London crime prevention funding"
RECOVERY_CODE_COUNT = 10
# The demo staff accounts share this published secret so that anyone can try every role. Production refuses it.
DEMO_TOTP_SECRET = "DEMOMOPACDEMOMOPACDEMOMOPACDEMO2"  # noqa: S105 (published on purpose, refused in production)
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI, small enough to inline and allowed by the content security policy."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#0b0c0c")


def current_code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def secret_allowed(secret: str) -> bool:
    return secret != DEMO_TOTP_SECRET or current_app.config["ACCEPT_DEMO_SECOND_FACTOR"]


def _accepted_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step whose code this is, if it is valid and newer than ``last_step``."""
    code = "".join(code.split())
    if not (code.isdecimal() and len(code) == 6) or not secret_allowed(secret):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow())
    for step in (now_step, now_step - 1, now_step + 1):
        if secrets.compare_digest(totp.generate_otp(step), code) and (last_step is None or step > last_step):
            return step
    return None


def check_code(user: User, code: str) -> bool:
    """Whether ``code`` is the user's current code, not used before. Marks it used; the caller commits."""
    if not user.totp_secret or user.totp_enabled_at is None:
        return False
    step = _accepted_step(user.totp_secret, code, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def enable(user: User, secret: str, code: str) -> list[str]:
    """Turn the second factor on once the user has typed a code from their app; returns the recovery codes."""
    step = _accepted_step(secret, code, None)
    if step is None:
        raise DomainError("The code is not right. Check your app and enter the 6-digit code it shows now", field="code")
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _replace_recovery_codes(user)
    audit.record("auth.second_factor_set_up", user, actor=user)
    queue_email(user.email, "second_factor_set_up", user=user)
    db.session.commit()
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_CODE_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_password(code)))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one recovery code. Each works once; the caller commits."""
    code = "".join(character for character in code.lower() if character.isalnum())
    if len(code) != 10:
        return False
    unused = db.session.scalars(
        sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    for recovery_code in unused:
        if verify_password(recovery_code.code_hash, code):
            recovery_code.used_at = utcnow()
            left = len(unused) - 1
            audit.record("auth.recovery_code_used", user, after={"codes_left": left}, actor=user)
            queue_email(user.email, "recovery_code_used", user=user, codes_left=left)
            return True
    return False


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def reset(user: User, *, reset_by: User) -> None:
    """Remove a lost second factor so the person sets up a new one at their next sign-in. Never one's own."""
    if user.id == reset_by.id:
        raise DomainError("Ask another administrator to reset your own second factor")
    if user.totp_enabled_at is None:
        raise DomainError(f"{user.full_name} has no second factor to reset")
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # Whoever holds the lost phone is signed out everywhere too.
    user.session_version += 1
    from portal.auth import sessions

    sessions.end_all(user)
    audit.record("auth.second_factor_reset", user, actor=reset_by)
    queue_email(user.email, "second_factor_reset", user=user)
    db.session.commit()


def give_demo_second_factor(user: User) -> None:
    """Demo staff accounts come with the published demo secret already set up. The caller commits."""
    if user.totp_enabled_at is None:
        user.totp_secret = DEMO_TOTP_SECRET
        user.totp_enabled_at = utcnow()
