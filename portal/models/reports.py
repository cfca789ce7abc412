"""Committee reports: each run of the six-monthly report of every funded service, with the files it produced."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.users import User
from portal.scope import Scope


class ReportStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"queued": "Waiting to start", "running": "Being built", "done": "Ready", "failed": "Failed"}[self.value]

    @property
    def finished(self) -> bool:
        return self in (ReportStatus.DONE, ReportStatus.FAILED)


class ReportRun(Model):
    """One committee report for one period. The files are kept in the database, so that any web process or
    worker can serve them; they are written together with the status ``done``, so a run is never half-written.
    """

    __tablename__ = "report_run"
    __table_args__ = (
        sa.CheckConstraint("period_end >= period_start", name="ends_after_start"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),
        sa.CheckConstraint("published_at IS NULL OR status = 'done'", name="published_when_done"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    # Empty when the scheduled command asked for it.
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[ReportStatus] = mapped_column(enum_column(ReportStatus, 12), default=ReportStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    # What the job is doing now, or why it failed.
    message: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a builder took the run, and which: a run still in hand long after this was left by a builder that
    # stopped, and is released to be built again.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    services_count: Mapped[int | None]
    xlsx: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def permission_scope(self) -> Scope:
        """Reports cover every service: only staff who produce reports may see or publish a run."""
        return Scope()
