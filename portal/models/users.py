import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model

if TYPE_CHECKING:
    from portal.models.organisations import Membership


class StaffRole(enum.StrEnum):
    GRANT_OFFICER = "grant_officer"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"grant_officer": "Grant officer", "reviewer": "Reviewer", "admin": "Administrator"}[self.value]


class User(UserMixin, Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    staff_role: Mapped[StaffRole | None] = mapped_column(enum_column(StaffRole, 16))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changing the password bumps this, which signs out every other session of the user.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Second factor: a TOTP secret once the user has proved their app produces its codes.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second step whose code was accepted, so that a code seen over a shoulder cannot be used again.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Brute force: failed attempts in a row, and when the account may next try after too many.
    failed_sign_in_count: Mapped[int] = mapped_column(default=0)
    sign_in_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Closed by its owner or erased at their request: the name and email address have been replaced.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_staff(self) -> bool:
        return self.staff_role is not None

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
