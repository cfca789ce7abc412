"""Monitoring an award: measures, the schedule of returns, performance records and reminders."""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute, Mapped, backref, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.awards import Award
from portal.models.boroughs import PlanProject
from portal.models.organisations import Organisation
from portal.models.users import User
from portal.scope import Scope

if TYPE_CHECKING:
    from portal.models.dialogue import FollowUpReturn


class MeasureBasis(enum.StrEnum):
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label(self) -> str:
        return {"quarter": "a quarter", "year": "a year"}[self.value]


class ReturnFrequency(enum.StrEnum):
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six_monthly"

    @property
    def label(self) -> str:
        return {"quarterly": "Quarterly", "six_monthly": "Every six months"}[self.value]

    @property
    def quarters(self) -> int:
        return 1 if self is ReturnFrequency.QUARTERLY else 2

    @classmethod
    def quarters_sql(cls, column: sa.ColumnElement[Any] | InstrumentedAttribute[Any]) -> sa.Case[int]:
        """:attr:`quarters` of a frequency column, in SQL."""
        return sa.case(*((column == frequency.value, frequency.quarters) for frequency in cls))


class ReturnStatus(enum.StrEnum):
    DUE = "due"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    QUERIED = "queried"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def editable(self) -> bool:
        return self in (ReturnStatus.DUE, ReturnStatus.IN_PROGRESS, ReturnStatus.QUERIED)


class Rag(enum.StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def severity(self) -> int:
        return {"red": 2, "amber": 1, "green": 0}[self.value]


class RatingAspect(enum.StrEnum):
    DELIVERY = "delivery"
    SPEND = "spend"
    TIMELINESS = "timeliness"
    OVERALL = "overall"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Measure(Model):
    """What the service promised: a unit and a target for each quarter or year. A measure belongs to an award or to
    one project of a borough's delivery plan, never both."""

    __tablename__ = "measure"
    __table_args__ = (
        sa.CheckConstraint("target >= 0", name="non_negative_target"),
        sa.CheckConstraint("(award_id IS NULL) != (plan_project_id IS NULL)", name="award_or_plan_project"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int | None] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    plan_project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(160))
    unit: Mapped[str] = mapped_column(sa.String(60))
    target: Mapped[int]
    basis: Mapped[MeasureBasis] = mapped_column(enum_column(MeasureBasis, 12), default=MeasureBasis.QUARTER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    award: Mapped[Award | None] = relationship()
    plan_project: Mapped[PlanProject | None] = relationship(
        backref=backref("measures", order_by="Measure.id", cascade="all, delete-orphan")
    )

    def target_for(self, quarters: int) -> int:
        """The target for a return covering ``quarters`` quarters (a yearly target is shared evenly)."""
        return Measure.target_of(self.target, self.basis, quarters)

    @staticmethod
    def target_of(target: int, basis: MeasureBasis, quarters: int) -> int:
        """:meth:`target_for` from a measure's target and basis as read from their columns, without the measure."""
        if basis is MeasureBasis.YEAR:
            return round(target * quarters / 4)
        return target * quarters

    @staticmethod
    def target_for_sql(
        target: sa.ColumnElement[int] | InstrumentedAttribute[int],
        basis: sa.ColumnElement[Any] | InstrumentedAttribute[Any],
        quarters: sa.ColumnElement[int],
    ) -> sa.Case[int]:
        """:meth:`target_for` as SQL, given a measure's target and basis columns, to compare many actuals with their
        targets without loading a row each: the same whole numbers, a yearly target's share rounded half to even as
        Python's ``round`` does."""
        whole = target * quarters
        share, left = whole // 4, whole % 4
        rounded = sa.case((left < 2, share), (left > 2, share + 1), (share % 2 == 0, share), else_=share + 1)
        return sa.case((basis == MeasureBasis.YEAR.value, rounded), else_=whole)

    @property
    def funded(self) -> "Award | PlanProject":
        """What the measure counts: an award's service or a borough's project, exactly one (a check constraint)."""
        funded = self.award or self.plan_project
        assert funded is not None, "a measure belongs to an award or a plan project"
        return funded

    def permission_scope(self) -> Scope:
        return self.funded.permission_scope()


class PeriodicReturn:
    """What every kind of periodic return on something funded has in common: the organisation that writes it,
    the officer it is escalated to when it is late, and its officers' queries (see ``portal/monitoring/kinds.py``).
    """

    queries: list["ReturnQuery"]

    @property
    def open_query(self) -> "ReturnQuery | None":
        return next((q for q in reversed(self.queries) if q.answered_at is None), None)


class Return(PeriodicReturn, Model):
    """One periodic monitoring report on something funded: an award, or a project of a borough's delivery plan.
    One mechanism for both, so schedules, states, queries, review and ratings work the same way.
    ``version`` guards against two people saving at once."""

    __tablename__ = "monitoring_return"
    __table_args__ = (
        sa.UniqueConstraint("award_id", "period_start"),
        sa.UniqueConstraint("plan_project_id", "period_start"),
        sa.CheckConstraint("period_end >= period_start", name="ends_after_start"),
        sa.CheckConstraint("spend_pence IS NULL OR spend_pence >= 0", name="non_negative_spend"),
        sa.CheckConstraint("(award_id IS NULL) != (plan_project_id IS NULL)", name="award_or_plan_project"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the return reports on: an award, or one project of a borough's approved delivery plan.
    award_id: Mapped[int | None] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    plan_project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_project.id", ondelete="CASCADE"), index=True
    )
    financial_year: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(40))
    frequency: Mapped[ReturnFrequency] = mapped_column(enum_column(ReturnFrequency, 16))
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    status: Mapped[ReturnStatus] = mapped_column(enum_column(ReturnStatus, 16), default=ReturnStatus.DUE, index=True)
    version: Mapped[int] = mapped_column(default=1)

    spend_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    people_helped: Mapped[int | None]
    progress: Mapped[str | None] = mapped_column(sa.Text)
    risks: Mapped[str | None] = mapped_column(sa.Text)
    issues: Mapped[str | None] = mapped_column(sa.Text)
    case_study: Mapped[str | None] = mapped_column(sa.Text)
    case_study_may_publish: Mapped[bool] = mapped_column(default=False)

    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    award: Mapped[Award | None] = relationship(lazy="joined")
    plan_project: Mapped[PlanProject | None] = relationship(lazy="joined")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    accepted_by: Mapped[User | None] = relationship(foreign_keys=[accepted_by_id])
    actuals: Mapped[list["MeasureActual"]] = relationship(
        back_populates="return_", cascade="all, delete-orphan", lazy="selectin"
    )
    queries: Mapped[list["ReturnQuery"]] = relationship(
        back_populates="return_", cascade="all, delete-orphan", order_by="ReturnQuery.id", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def opens_on(self) -> date:
        """The organisation can fill it in from the start of its period."""
        return self.period_start

    @property
    def is_short_form(self) -> bool:
        return self.frequency is ReturnFrequency.SIX_MONTHLY

    def actual_for(self, measure_id: int) -> int | None:
        return next((a.actual for a in self.actuals if a.measure_id == measure_id), None)

    @property
    def funded(self) -> "Award | PlanProject":
        """What the return reports on: an award or a borough's plan project, exactly one (a check constraint)."""
        funded = self.award or self.plan_project
        assert funded is not None, "a return reports on an award or a plan project"
        return funded

    @property
    def borough_project(self) -> PlanProject:
        """The borough's plan project a return without an award reports on (a check constraint)."""
        assert self.plan_project is not None, "a return without an award reports on a plan project"
        return self.plan_project

    @property
    def funded_title(self) -> str:
        return self.award.title if self.award else self.borough_project.name

    @property
    def funded_reference(self) -> str:
        """How emails and lists name what is funded: the award's reference, or the fund and the council."""
        if self.award:
            return self.award.reference
        return f"London Crime Prevention Fund, {self.borough_project.plan.organisation.name}"

    @property
    def organisation_id(self) -> int:
        """The organisation that writes the return: the award's, or the council whose plan the project is in."""
        return self.award.organisation_id if self.award else self.borough_project.plan.organisation_id

    @property
    def organisation(self) -> Organisation:
        return self.award.organisation if self.award else self.borough_project.plan.organisation

    @property
    def responsible_officer(self) -> User | None:
        """Who hears when the return is a week late: the officer who approved the award (or made it), or the plan."""
        if self.award is not None:
            return self.award.approved_by or self.award.created_by
        return self.borough_project.plan.approved_by

    def permission_scope(self) -> Scope:
        return self.funded.permission_scope()


class MeasureActual(Model):
    __tablename__ = "measure_actual"
    __table_args__ = (sa.CheckConstraint("actual >= 0", name="non_negative_actual"),)

    return_id: Mapped[int] = mapped_column(sa.ForeignKey("monitoring_return.id", ondelete="CASCADE"), primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True)
    actual: Mapped[int]

    return_: Mapped[Return] = relationship(back_populates="actuals")
    measure: Mapped[Measure] = relationship(lazy="joined")


class ReturnQuery(Model):
    """An officer's question about a submitted return or follow-up, and the organisation's answer. One table for
    every kind of return, so querying and answering work the same way for all of them."""

    __tablename__ = "return_query"
    __table_args__ = (sa.CheckConstraint("(return_id IS NULL) != (follow_up_id IS NULL)", name="return_or_follow_up"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int | None] = mapped_column(sa.ForeignKey("monitoring_return.id", ondelete="CASCADE"), index=True)
    follow_up_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("follow_up_return.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(sa.Text)
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    return_: Mapped[Return | None] = relationship(back_populates="queries")
    follow_up: Mapped["FollowUpReturn | None"] = relationship(back_populates="queries")
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class PerformanceRecord(Model):
    """One award (or borough plan project) in one period: delivery, spend and timeliness rated by the published
    rules, and overall.

    The ratings here are the current ones; every rating ever given, computed or overridden, is a ``RatingChange``.
    """

    __tablename__ = "performance_record"
    __table_args__ = (
        sa.CheckConstraint("(award_id IS NULL) != (plan_project_id IS NULL)", name="award_or_plan_project"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int | None] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    plan_project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_project.id", ondelete="CASCADE"), index=True
    )
    return_id: Mapped[int] = mapped_column(sa.ForeignKey("monitoring_return.id", ondelete="CASCADE"), unique=True)
    delivery_percent: Mapped[int | None]
    spend_pence: Mapped[int] = mapped_column(sa.BigInteger)
    profile_pence: Mapped[int] = mapped_column(sa.BigInteger)
    days_late: Mapped[int]
    delivery: Mapped[Rag | None] = mapped_column(enum_column(Rag, 8, name="delivery_rag"))
    spend: Mapped[Rag] = mapped_column(enum_column(Rag, 8, name="spend_rag"))
    timeliness: Mapped[Rag] = mapped_column(enum_column(Rag, 8, name="timeliness_rag"))
    overall: Mapped[Rag] = mapped_column(enum_column(Rag, 8, name="overall_rag"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    award: Mapped[Award | None] = relationship()
    return_: Mapped[Return] = relationship(lazy="joined")
    changes: Mapped[list["RatingChange"]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="RatingChange.id", lazy="selectin"
    )

    def rating(self, aspect: RatingAspect) -> Rag | None:
        rating: Rag | None = getattr(self, aspect.value)
        return rating

    def permission_scope(self) -> Scope:
        return self.return_.permission_scope()


class RatingChange(Model):
    """The history of a performance record's ratings. An override by an officer always has a reason."""

    __tablename__ = "rating_change"
    __table_args__ = (sa.CheckConstraint("NOT overridden OR reason IS NOT NULL", name="override_has_reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(sa.ForeignKey("performance_record.id", ondelete="CASCADE"), index=True)
    aspect: Mapped[RatingAspect] = mapped_column(enum_column(RatingAspect, 12))
    rating: Mapped[Rag | None] = mapped_column(enum_column(Rag, 8))
    overridden: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    record: Mapped[PerformanceRecord] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship()


class ReminderKind(enum.StrEnum):
    UPCOMING = "upcoming"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ESCALATED = "escalated"


class ReminderSent(Model):
    """One row per reminder ever sent, for a return or a follow-up: the unique constraints are what stop a second
    run sending it again. Keyed by the due date too: when a due date moves, the reminders for the new date are sent,
    once each."""

    __tablename__ = "reminder_sent"
    __table_args__ = (
        sa.UniqueConstraint("return_id", "kind", "due_on"),
        sa.UniqueConstraint("follow_up_id", "kind", "due_on"),
        sa.CheckConstraint("(return_id IS NULL) != (follow_up_id IS NULL)", name="return_or_follow_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int | None] = mapped_column(sa.ForeignKey("monitoring_return.id", ondelete="CASCADE"))
    follow_up_id: Mapped[int | None] = mapped_column(sa.ForeignKey("follow_up_return.id", ondelete="CASCADE"))
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind, 16))
    due_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
