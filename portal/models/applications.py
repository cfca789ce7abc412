"""Bids: an organisation's application to a round, its answers, amounts and files."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model, db
from portal.models.funding import FormVariant, Question, Round, ServiceArea
from portal.models.organisations import Organisation
from portal.models.reference import LocalAuthority
from portal.models.users import User
from portal.scope import Scope


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    IN_REVIEW = "in_review"
    MODERATED = "moderated"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


application_borough = sa.Table(
    "application_borough",
    db.metadata,
    sa.Column("application_id", sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("local_authority_id", sa.ForeignKey("local_authority.id"), primary_key=True),
)


class ApplicationServiceArea(Model):
    __tablename__ = "application_service_area"

    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    service_area: Mapped[ServiceArea] = mapped_column(enum_column(ServiceArea, 32), primary_key=True)


class Application(Model):
    __tablename__ = "application"
    __table_args__ = (
        sa.Index("ix_application_round_status", "round_id", "status"),
        # An organisation works on at most one draft per round, even if "Start" is pressed twice at once.
        sa.Index(
            "uq_application_one_draft_per_round",
            "round_id",
            "organisation_id",
            unique=True,
            postgresql_where=sa.text("status = 'draft'"),
            sqlite_where=sa.text("status = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Given on submission, e.g. LCPF-2026-0042.
    reference: Mapped[str | None] = mapped_column(sa.String(24), unique=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("funding_round.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, 16), default=ApplicationStatus.DRAFT
    )
    project_title: Mapped[str | None] = mapped_column(sa.String(160))
    summary: Mapped[str | None] = mapped_column(sa.Text)
    start_date: Mapped[date | None]
    duration_months: Mapped[int | None]
    works_pan_london: Mapped[bool] = mapped_column(default=False)
    # Details copied from the organisation profile when the bid starts ("tell us once"), kept as the bid's own.
    contact_name: Mapped[str | None] = mapped_column(sa.String(120))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    organisation_snapshot: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    eligibility_passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When someone confirmed that the bid's copy of the organisation's details is right.
    organisation_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Bumped by every change to the bid's own columns, so two people saving at once cannot overwrite each other.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    round: Mapped[Round] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    boroughs: Mapped[list[LocalAuthority]] = relationship(
        secondary=application_borough, order_by=LocalAuthority.name, lazy="selectin"
    )
    years: Mapped[list["ApplicationYear"]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationYear.financial_year",
        lazy="selectin",
    )
    answers: Mapped[list["Answer"]] = relationship(
        back_populates="application", cascade="all, delete-orphan", foreign_keys="Answer.application_id"
    )
    service_area_links: Mapped[list[ApplicationServiceArea]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    service_areas = association_proxy(
        "service_area_links", "service_area", creator=lambda area: ApplicationServiceArea(service_area=area)
    )

    @property
    def total_requested_pence(self) -> int:
        return sum(year.amount_pence for year in self.years)

    @property
    def form_variant(self) -> FormVariant:
        """Bids at or under the round's small-bid threshold get the light-touch form."""
        if self.total_requested_pence <= self.round.small_bid_threshold_pence:
            return FormVariant.LIGHT
        return FormVariant.FULL

    def permission_scope(self) -> Scope:
        return Scope(organisation_ids=frozenset({self.organisation_id}))


class ApplicationYear(Model):
    """The amount a bid asks for in one financial year (``financial_year`` is the year it starts: 2026 = 2026/27)."""

    __tablename__ = "application_year"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "financial_year"),
        sa.CheckConstraint("amount_pence >= 0", name="non_negative_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"))
    financial_year: Mapped[int]
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)

    application: Mapped[Application] = relationship(back_populates="years")


class Answer(Model):
    """One answer to one question. Kept per question so that colleagues editing different pages never collide."""

    __tablename__ = "answer"
    __table_args__ = (sa.UniqueConstraint("application_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"))
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    # Set when the answer was copied from the organisation's earlier bid ("tell us once"), until someone changes it.
    prefilled_from_application_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("application.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    application: Mapped[Application] = relationship(back_populates="answers", foreign_keys=[application_id])
    question: Mapped[Question] = relationship(lazy="joined")
    updated_by: Mapped[User | None] = relationship()
    prefilled_from: Mapped[Application | None] = relationship(foreign_keys=[prefilled_from_application_id])


class UploadedFile(Model):
    """A file given as an answer. Kept in the database so that every web process and worker can read it."""

    __tablename__ = "uploaded_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size_bytes: Mapped[int]
    content: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
