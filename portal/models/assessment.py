"""Screening, reviewers, scores, moderation and decisions on bids."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.applications import Application
from portal.models.funding import Criterion
from portal.models.users import User
from portal.scope import Scope


class ScreeningCheckKind(enum.StrEnum):
    ELIGIBILITY = "eligibility"
    REGISTRATION_SEEN = "registration_seen"
    ACCOUNTS_SEEN = "accounts_seen"
    SAFEGUARDING_POLICY_SEEN = "safeguarding_policy_seen"

    @property
    def label(self) -> str:
        return {
            "eligibility": "Eligibility confirmed",
            "registration_seen": "Charity or company registration seen",
            "accounts_seen": "Latest accounts seen",
            "safeguarding_policy_seen": "Safeguarding policy seen",
        }[self.value]


class ScreeningOutcome(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


class ScreeningCheck(Model):
    __tablename__ = "screening_check"
    __table_args__ = (sa.UniqueConstraint("application_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"))
    kind: Mapped[ScreeningCheckKind] = mapped_column(enum_column(ScreeningCheckKind, 32))
    outcome: Mapped[ScreeningOutcome] = mapped_column(enum_column(ScreeningOutcome, 16))
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class ReviewAssignment(Model):
    """A reviewer asked to score a bid. They declare any conflict of interest before they may see it."""

    __tablename__ = "review_assignment"
    __table_args__ = (sa.UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None until declared; True hides the bid from the reviewer for good.
    has_conflict: Mapped[bool | None]
    conflict_note: Mapped[str | None] = mapped_column(sa.Text)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the reviewer declared a conflict and no other reviewer was free to take the bid; cleared when an
    # officer assigns someone else. The officers' list of bids flags it until then.
    replacement_needed: Mapped[bool] = mapped_column(default=False)
    # Set when an officer takes the reviewer off the bid before they finished: like a conflict, it closes the bid to
    # them for good. The row stays so officers can see who was removed, and when.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship(lazy="joined")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id], lazy="joined")
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])
    scores: Mapped[list["Score"]] = relationship(back_populates="assignment", cascade="all, delete-orphan")

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    @property
    def active(self) -> bool:
        """Still on the bid: neither conflicted nor removed."""
        return self.has_conflict is not True and self.removed_at is None

    @property
    def may_see_bid(self) -> bool:
        return self.has_conflict is False and self.removed_at is None

    def permission_scope(self) -> Scope:
        return Scope(user_ids=frozenset({self.reviewer_id}))


class Score(Model):
    __tablename__ = "score"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "criterion_id"),
        sa.CheckConstraint("score >= 0", name="non_negative_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("review_assignment.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criterion.id", ondelete="CASCADE"))
    score: Mapped[int]
    justification: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship(lazy="joined")


class Moderation(Model):
    """A lead officer's agreed score for a bid after reading the reviewers' scores."""

    __tablename__ = "moderation"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    # The agreed weighted score, as a percentage to one decimal place, stored in tenths (735 = 73.5%).
    agreed_score_tenths: Mapped[int]
    note: Mapped[str] = mapped_column(sa.Text)
    moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderated_by: Mapped[User | None] = relationship()


class DecisionOutcome(enum.StrEnum):
    FUND = "fund"
    FUND_WITH_CHANGES = "fund_with_changes"
    RESERVE = "reserve"
    DECLINE = "decline"

    @property
    def label(self) -> str:
        return {
            "fund": "Fund",
            "fund_with_changes": "Fund with changes",
            "reserve": "Reserve list",
            "decline": "Decline",
        }[self.value]

    @property
    def funds(self) -> bool:
        return self in (DecisionOutcome.FUND, DecisionOutcome.FUND_WITH_CHANGES)


class Decision(Model):
    """A decision on a bid. A bid has one, unless it was put on the reserve list and funded later: the later decision
    names the one it replaces (at most once, so two officers cannot both fund it) and the latest is the one that
    counts. Officers see the whole history; the applicant sees the latest."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("decision.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[DecisionOutcome] = mapped_column(enum_column(DecisionOutcome, 24))
    # Every applicant gets written feedback, whatever the outcome.
    feedback: Mapped[str] = mapped_column(sa.Text)
    conditions: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship()
    replaces: Mapped["Decision | None"] = relationship(remote_side=[id])
