"""After an award and alongside it: follow-up returns 6 and 12 months after the end, the dialogue between a
funded organisation and its officers, and the case studies published as good practice."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.awards import Award
from portal.models.monitoring import PeriodicReturn, Return, ReturnQuery, ReturnStatus
from portal.models.organisations import Organisation
from portal.models.users import User
from portal.scope import Scope


class Sustained(enum.StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "partly": "Partly", "no": "No"}[self.value]


class FollowUpReturn(PeriodicReturn, Model):
    """A short report on what lasted, due some months after an award has ended.

    Its status uses the same values as a return's (due, in progress, submitted, queried, accepted); ``version``
    guards against two people saving at once, as it does for returns.
    """

    __tablename__ = "follow_up_return"
    __table_args__ = (
        sa.UniqueConstraint("award_id", "months_after"),
        sa.CheckConstraint("due_on >= opens_on", name="follow_up_due_after_opening"),
        sa.CheckConstraint(
            "people_helped_since IS NULL OR people_helped_since >= 0", name="follow_up_non_negative_people"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    months_after: Mapped[int]
    opens_on: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[ReturnStatus] = mapped_column(
        enum_column(ReturnStatus, 16, name="follow_up_status"), default=ReturnStatus.DUE, index=True
    )
    version: Mapped[int] = mapped_column(default=1)

    service_running: Mapped[Sustained | None] = mapped_column(enum_column(Sustained, 8, name="service_running"))
    funded_by: Mapped[str | None] = mapped_column(sa.Text)
    people_helped_since: Mapped[int | None]
    outcomes_sustained: Mapped[Sustained | None] = mapped_column(enum_column(Sustained, 8, name="outcomes_sustained"))
    what_changed: Mapped[str | None] = mapped_column(sa.Text)
    lessons: Mapped[str | None] = mapped_column(sa.Text)

    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    award: Mapped[Award] = relationship(lazy="joined")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    queries: Mapped[list[ReturnQuery]] = relationship(
        back_populates="follow_up", cascade="all, delete-orphan", order_by=ReturnQuery.id, lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def label(self) -> str:
        return f"{self.months_after}-month follow-up"

    @property
    def organisation_id(self) -> int:
        return self.award.organisation_id

    @property
    def organisation(self) -> Organisation:
        return self.award.organisation

    @property
    def responsible_officer(self) -> User | None:
        return self.award.approved_by or self.award.created_by

    def permission_scope(self) -> Scope:
        return self.award.permission_scope()


class ThreadKind(enum.StrEnum):
    FEEDBACK = "feedback"
    LESSON = "lesson"

    @property
    def label(self) -> str:
        return {"feedback": "Feedback", "lesson": "Lesson learned"}[self.value]


class ThreadStatus(enum.StrEnum):
    OPEN = "open"  # waiting for an officer
    REPLIED = "replied"  # an officer answered last
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "Waiting for a reply", "replied": "Replied", "closed": "Closed"}[self.value]


class DialogueThread(Model):
    """Feedback or a lesson learned that a funded organisation sends about an award, with the replies both ways."""

    __tablename__ = "dialogue_thread"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ThreadKind] = mapped_column(enum_column(ThreadKind, 12))
    subject: Mapped[str] = mapped_column(sa.String(160))
    status: Mapped[ThreadStatus] = mapped_column(enum_column(ThreadStatus, 12), default=ThreadStatus.OPEN, index=True)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # An officer puts a thread in the fund's lessons-learned log, in their own words if they wish.
    lesson_logged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lesson_logged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    lesson_summary: Mapped[str | None] = mapped_column(sa.Text)

    award: Mapped[Award] = relationship(lazy="joined")
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    lesson_logged_by: Mapped[User | None] = relationship(foreign_keys=[lesson_logged_by_id])
    messages: Mapped[list["DialogueMessage"]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="DialogueMessage.id", lazy="selectin"
    )

    @property
    def in_lessons_log(self) -> bool:
        return self.lesson_logged_at is not None

    def permission_scope(self) -> Scope:
        return self.award.permission_scope()


class DialogueMessage(Model):
    __tablename__ = "dialogue_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("dialogue_thread.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    from_officer: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread: Mapped[DialogueThread] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship()


class PublishedCaseStudy(Model):
    """A return's case study that an officer has published as good practice. The public sees it only while it is
    published and its return stays accepted and agreed (see ``portal/directory/published.py``)."""

    __tablename__ = "published_case_study"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(sa.ForeignKey("monitoring_return.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    summary: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    unpublished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unpublished_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    return_: Mapped[Return] = relationship(lazy="joined")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    unpublished_by: Mapped[User | None] = relationship(foreign_keys=[unpublished_by_id])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def permission_scope(self) -> Scope:
        return self.return_.permission_scope()
