"""Funds, their rounds, the questions a round asks and the criteria bids are scored against."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import db
from portal.models.users import User

DEFAULT_SMALL_BID_THRESHOLD_PENCE = 25_000_00
DEFAULT_MINIMUM_WINDOW_WORKING_DAYS = 30
MINIMUM_NOTICE_DAYS = 14
DEFAULT_MINIMUM_DURATION_MONTHS = 24
TARGET_MINIMUM_DURATION_MONTHS = 36


class ServiceArea(enum.StrEnum):
    VICTIM_SUPPORT = "victim_support"
    CRIME_PREVENTION = "crime_prevention"
    REDUCING_REOFFENDING = "reducing_reoffending"
    VIOLENCE_REDUCTION = "violence_reduction"
    VAWG = "vawg"
    CHILDREN_AND_YOUNG_PEOPLE = "children_and_young_people"
    HATE_CRIME = "hate_crime"
    COMMUNITY_ENGAGEMENT = "community_engagement"

    @property
    def label(self) -> str:
        return SERVICE_AREA_LABELS[self]


SERVICE_AREA_LABELS = {
    ServiceArea.VICTIM_SUPPORT: "Victim support",
    ServiceArea.CRIME_PREVENTION: "Crime prevention",
    ServiceArea.REDUCING_REOFFENDING: "Reducing reoffending",
    ServiceArea.VIOLENCE_REDUCTION: "Violence reduction",
    ServiceArea.VAWG: "Violence against women and girls",
    ServiceArea.CHILDREN_AND_YOUNG_PEOPLE: "Keeping children and young people safe",
    ServiceArea.HATE_CRIME: "Hate crime",
    ServiceArea.COMMUNITY_ENGAGEMENT: "Community engagement",
}


class FundServiceArea(db.Model):
    __tablename__ = "fund_service_area"

    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id", ondelete="CASCADE"), primary_key=True)
    service_area: Mapped[ServiceArea] = mapped_column(enum_column(ServiceArea, 32), primary_key=True)


class Fund(db.Model):
    __tablename__ = "fund"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    purpose: Mapped[str] = mapped_column(sa.Text)
    # Prefix of bid and award references, e.g. "LCPF" gives LCPF-2026-0001.
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rounds: Mapped[list["Round"]] = relationship(back_populates="fund", order_by="Round.opens_at")
    service_area_links: Mapped[list[FundServiceArea]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    service_areas = association_proxy(
        "service_area_links", "service_area", creator=lambda area: FundServiceArea(service_area=area)
    )


class Round(db.Model):
    """One call for bids within a fund."""

    __tablename__ = "funding_round"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        sa.CheckConstraint("min_request_pence <= max_request_pence", name="request_range"),
        sa.CheckConstraint("min_duration_months <= max_duration_months", name="duration_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text)
    budget_pence: Mapped[int] = mapped_column(sa.BigInteger)
    min_request_pence: Mapped[int] = mapped_column(sa.BigInteger)
    max_request_pence: Mapped[int] = mapped_column(sa.BigInteger)
    small_bid_threshold_pence: Mapped[int] = mapped_column(sa.BigInteger, default=DEFAULT_SMALL_BID_THRESHOLD_PENCE)
    min_duration_months: Mapped[int] = mapped_column(default=DEFAULT_MINIMUM_DURATION_MONTHS)
    max_duration_months: Mapped[int] = mapped_column(default=48)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decision_expected_on: Mapped[date]
    minimum_window_working_days: Mapped[int] = mapped_column(default=DEFAULT_MINIMUM_WINDOW_WORKING_DAYS)
    # Shown publicly beside the round when its window is shorter than the minimum or its notice under two weeks.
    short_window_reason: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fund: Mapped[Fund] = relationship(back_populates="rounds", lazy="joined")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="round", order_by="(Question.section_position, Question.position)"
    )
    criteria: Mapped[list["Criterion"]] = relationship(back_populates="round", order_by="Criterion.position")
    created_by: Mapped[User | None] = relationship()

    def is_open(self, now: datetime) -> bool:
        return self.published_at is not None and self.opens_at <= now < self.closes_at

    def has_closed(self, now: datetime) -> bool:
        return now >= self.closes_at


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    DATE = "date"
    FILE = "file"


class FormVariant(enum.StrEnum):
    """Which application form asks a question: the light-touch form for small bids, the full one, or both."""

    LIGHT = "light"
    FULL = "full"
    BOTH = "both"


class Question(db.Model):
    """A question as data. With no round it is a standard question that every bid answers."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("funding_round.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(sa.String(80))
    section_position: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(300))
    hint: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, 16))
    required: Mapped[bool] = mapped_column(default=True)
    word_limit: Mapped[int | None]
    options: Mapped[list[str] | None] = mapped_column(sa.JSON)
    form_variant: Mapped[FormVariant] = mapped_column(enum_column(FormVariant, 8), default=FormVariant.BOTH)
    # Ask this question only if an earlier question was answered with show_if_value.
    show_if_question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id", ondelete="SET NULL"))
    show_if_value: Mapped[str | None] = mapped_column(sa.String(200))
    # Eligibility questions are asked before any writing; an answer outside eligible_values rules the bid out.
    is_eligibility: Mapped[bool] = mapped_column(default=False)
    eligible_values: Mapped[list[str] | None] = mapped_column(sa.JSON)
    ineligible_reason: Mapped[str | None] = mapped_column(sa.Text)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round | None] = relationship(back_populates="questions")
    show_if_question: Mapped["Question | None"] = relationship(remote_side=[id])

    def asked_on(self, variant: FormVariant) -> bool:
        return self.form_variant is FormVariant.BOTH or self.form_variant is variant

    def shown_given(self, answers: dict[int, Any]) -> bool:
        """Whether the show-if condition holds for the answers given so far."""
        if self.show_if_question_id is None:
            return True
        given = answers.get(self.show_if_question_id)
        if isinstance(given, list):
            return self.show_if_value in given
        return given is not None and str(given) == self.show_if_value


class Criterion(db.Model):
    """What reviewers score a round's bids against, each out of ``max_score`` and weighted."""

    __tablename__ = "criterion"
    __table_args__ = (sa.CheckConstraint("weight > 0", name="positive_weight"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("funding_round.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(120))
    guidance: Mapped[str | None] = mapped_column(sa.Text)
    weight: Mapped[int] = mapped_column(default=1)
    max_score: Mapped[int] = mapped_column(default=5)

    round: Mapped[Round] = relationship(back_populates="criteria")
