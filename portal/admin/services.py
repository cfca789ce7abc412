"""Staff accounts, created only by an administrator or the command line, and the audit log."""

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from portal import audit
from portal.auth import tokens
from portal.auth.services import build_user
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import AuditEvent, StaffRole, User
from portal.template_helpers import external_url


def create_staff_user(
    email: str, full_name: str, role: StaffRole, *, created_by: User | None, password: str | None = None
) -> User:
    """A staff account. Without a password, the new member of staff is emailed a link to choose one."""
    user = build_user(email, full_name, password, staff_role=role)
    user.email_confirmed_at = utcnow()
    audit.record("staff.created", user, after={"email": user.email, "role": role}, actor=created_by)
    if password is None:
        token = tokens.make_token(
            tokens.PASSWORD_RESET, {"user": user.id, "fingerprint": tokens.password_fingerprint(None)}
        )
        queue_email(
            user.email,
            "staff_welcome",
            user=user,
            link=external_url("auth.reset_password", token=token),
            hours=current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600,
        )
    db.session.commit()
    return user


def fetch_staff() -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.staff_role.is_not(None)).order_by(User.full_name)))


def fetch_staff_member(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_staff else None


def update_staff_member(user: User, role: StaffRole, active: bool, *, changed_by: User) -> None:
    if user.id == changed_by.id and (role is not StaffRole.ADMIN or not active):
        raise DomainError("You cannot remove your own administrator access", field="role")
    if user.is_closed and active:
        raise DomainError("This account was closed and cannot be opened again. Create a new one", field="active")
    before = {"role": user.staff_role, "active": user.active}
    user.staff_role = role
    if user.active and not active:
        user.session_version += 1  # signs them out everywhere
    user.active = active
    after = {"role": user.staff_role, "active": user.active}
    if before != after:
        audit.record("staff.updated", user, before=before, after=after, actor=changed_by)
    db.session.commit()


def fetch_audit_page(page: int, *, action: str = "", per_page: int = 50) -> Pagination:
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def fetch_audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
