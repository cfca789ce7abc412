"""Downloads of everything the portal holds about a person: asked for by the person from their account, or made
by an administrator for a subject access request received outside the portal."""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.users import User
from portal.scope import Scope


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"
    PREPARING = "preparing"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return {
            "queued": "Waiting to start",
            "preparing": "Being prepared",
            "ready": "Ready to download",
            "failed": "Failed",
            "expired": "Expired",
        }[self.value]

    @property
    def in_hand(self) -> bool:
        return self in (ExportStatus.QUEUED, ExportStatus.PREPARING)


class PersonalDataExport(Model):
    """One ZIP of a person's data. The file is kept in the database, so that any web process or worker can serve
    it, and written together with the status ``ready``; it is removed when the download expires."""

    __tablename__ = "personal_data_export"
    __table_args__ = (
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        sa.CheckConstraint("NOT subject_access OR reference IS NOT NULL", name="subject_access_has_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The person the data is about: their account when they have one, and the email address searched.
    subject_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    subject_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    # A name to look for in messages as well, given by the administrator when there is no account.
    subject_name: Mapped[str | None] = mapped_column(sa.String(120))
    # Made by an administrator for a request received outside the portal (by letter or email, say).
    subject_access: Mapped[bool] = mapped_column(default=False)
    reference: Mapped[str | None] = mapped_column(sa.String(60))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus, 12), default=ExportStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    # What the job is doing now, or why it failed.
    message: Mapped[str | None] = mapped_column(sa.Text)
    # How many times a job has started on it: one that keeps stopping part way is given up on.
    attempts: Mapped[int] = mapped_column(default=0)
    # When a job took it, and which: one still in hand long after this was left by a job that stopped.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many records of each kind the file holds.
    contents: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    file_size: Mapped[int | None]
    data: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))

    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])

    def status_at(self, now: datetime) -> ExportStatus:
        """The status as the person should see it: a ready file past its time has expired, even before the
        scheduled job removes it."""
        if self.status is ExportStatus.READY and self.expires_at is not None and self.expires_at <= now:
            return ExportStatus.EXPIRED
        return self.status

    def permission_scope(self) -> Scope:
        """A person's own download is theirs alone; a subject access export belongs to those who handle them."""
        if self.subject_access or self.requested_by_id is None:
            return Scope()
        return Scope(user_ids=frozenset({self.requested_by_id}))
