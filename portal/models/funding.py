"""Funds, their rounds, the questions a round asks and the criteria bids are scored against."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model, db
from portal.models.reference import LocalAuthority
from portal.models.users import User
from portal.scope import Scope

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


class FundServiceArea(Model):
    __tablename__ = "fund_service_area"

    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id", ondelete="CASCADE"), primary_key=True)
    service_area: Mapped[ServiceArea] = mapped_column(enum_column(ServiceArea, 32), primary_key=True)


class Fund(Model):
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

    def permission_scope(self) -> Scope:
        """Funds belong to no organisation or borough: only staff who manage funds may change them."""
        return Scope()


class RoundStatus(enum.StrEnum):
    """Where a round is in its life, worked out from its dates: not stored."""

    DRAFT = "draft"
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# A round open to bids about only some boroughs lists them here; a round with none is open London-wide.
round_borough = sa.Table(
    "round_borough",
    db.metadata,
    sa.Column("round_id", sa.ForeignKey("funding_round.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("local_authority_id", sa.ForeignKey("local_authority.id"), primary_key=True),
)


class Round(Model):
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
    boroughs: Mapped[list[LocalAuthority]] = relationship(
        secondary=round_borough, order_by=LocalAuthority.name, lazy="selectin"
    )

    def is_open(self, now: datetime) -> bool:
        return self.published_at is not None and self.opens_at <= now < self.closes_at

    def has_closed(self, now: datetime) -> bool:
        return now >= self.closes_at

    def status(self, now: datetime) -> RoundStatus:
        if self.published_at is None:
            return RoundStatus.DRAFT
        if now < self.opens_at:
            return RoundStatus.UPCOMING
        if now < self.closes_at:
            return RoundStatus.OPEN
        return RoundStatus.CLOSED

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_london_wide(self) -> bool:
        return not self.boroughs

    def is_open_to_borough(self, local_authority_id: int) -> bool:
        return self.is_london_wide or any(la.id == local_authority_id for la in self.boroughs)

    def permission_scope(self) -> Scope:
        return Scope()


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    MONEY = "money"
    YES_NO = "yes_no"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    DATE = "date"
    FILE = "file"


QUESTION_KIND_LABELS = {
    QuestionKind.TEXT: "Text",
    QuestionKind.NUMBER: "Number",
    QuestionKind.MONEY: "Amount of money",
    QuestionKind.YES_NO: "Yes or no",
    QuestionKind.SINGLE_CHOICE: "Choose one option",
    QuestionKind.MULTIPLE_CHOICE: "Choose one or more options",
    QuestionKind.DATE: "Date",
    QuestionKind.FILE: "File upload",
}
# Kinds whose answers come from a fixed list, so that a later question can depend on them.
KINDS_WITH_OPTIONS = frozenset({QuestionKind.YES_NO, QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})
# Kinds that can rule a bid out: one answer, from a fixed list.
ELIGIBILITY_KINDS = frozenset({QuestionKind.YES_NO, QuestionKind.SINGLE_CHOICE})
# A yes/no answer is stored as one of these values, and eligible_values and show_if_value use them too.
YES = "yes"
NO = "no"


class FormVariant(enum.StrEnum):
    """Which application form asks a question: the light-touch form for small bids, the full one, or both."""

    LIGHT = "light"
    FULL = "full"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {
            "light": "Light-touch form only",
            "full": "Full form only",
            "both": "Both forms",
        }[self.value]


class Question(Model):
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
    # A date question about something that has happened (a policy's last review) takes no date after today.
    date_not_in_future: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
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

    @property
    def choices(self) -> list[str]:
        """The answers that can be given, as stored: ``yes``/``no`` for a yes/no question, else the options."""
        if self.kind is QuestionKind.YES_NO:
            return [YES, NO]
        if self.kind in KINDS_WITH_OPTIONS:
            return list(self.options or [])
        return []

    @staticmethod
    def choice_label(value: str) -> str:
        return {YES: "Yes", NO: "No"}.get(value, value)

    @property
    def kind_label(self) -> str:
        return QUESTION_KIND_LABELS[self.kind]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

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


class Criterion(Model):
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
