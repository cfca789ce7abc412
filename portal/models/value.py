"""Value for money: the unit values officers keep, the deflator series they import, and cost-benefit analyses of
services (awards). A published analysis never changes: the session refuses to write one (see ``refuse_changes``)."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.errors import DomainError
from portal.extensions import Model
from portal.models.awards import Award
from portal.models.monitoring import Measure
from portal.models.users import User
from portal.scope import Scope

PERCENT = sa.Numeric(7, 2)
POUNDS = sa.Numeric(16, 2)


class UnitValue(Model):
    """What one outcome is worth, in one year's prices, with where the figure comes from."""

    __tablename__ = "unit_value"
    __table_args__ = (sa.CheckConstraint("value >= 0", name="not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    value: Mapped[Decimal] = mapped_column(POUNDS)  # pounds per unit
    price_year: Mapped[int]  # the financial year starting in April of this year
    unit: Mapped[str] = mapped_column(sa.String(80))
    source: Mapped[str] = mapped_column(sa.Text)
    source_url: Mapped[str] = mapped_column(sa.String(500), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def permission_scope(self) -> Scope:
        return Scope()


class DeflatorSeries(Model):
    """One imported GDP deflator series: an index for each year. The latest import is the one in use; analyses
    published earlier keep a copy of the indices they used."""

    __tablename__ = "deflator_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_filename: Mapped[str] = mapped_column(sa.String(255))
    source: Mapped[str] = mapped_column(sa.Text, default="")
    indices: Mapped[dict[str, str]] = mapped_column(sa.JSON)  # {"2024": "100.00", ...}
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by: Mapped[User | None] = relationship()

    @property
    def by_year(self) -> dict[int, Decimal]:
        return {int(year): Decimal(index) for year, index in sorted(self.indices.items())}

    def permission_scope(self) -> Scope:
        return Scope()


class AnalysisStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ValueAnalysis(Model):
    """A cost-benefit analysis of one service: its costs, the outcomes counted and the adjustments, with reasons."""

    __tablename__ = "value_analysis"
    __table_args__ = (
        sa.CheckConstraint(
            "status = 'draft' OR (published_at IS NOT NULL AND deflators IS NOT NULL)", name="published_frozen"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[AnalysisStatus] = mapped_column(
        enum_column(AnalysisStatus, 12), default=AnalysisStatus.DRAFT, index=True
    )
    analysis_year: Mapped[int]  # year 0, and the prices everything is expressed in
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    optimism_bias: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    optimism_bias_reason: Mapped[str] = mapped_column(sa.Text, default="")
    sensitivity_low: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    sensitivity_high: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    sensitivity_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Filled when published: the deflator indices used, so a later import never changes a published analysis.
    deflators: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    deflator_series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("deflator_series.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    award: Mapped[Award] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    deflator_series: Mapped[DeflatorSeries | None] = relationship()
    costs: Mapped[list["ValueCost"]] = relationship(
        back_populates="analysis",
        cascade="all, delete-orphan",
        order_by="(ValueCost.financial_year, ValueCost.id)",
        lazy="selectin",
    )
    outcomes: Mapped[list["ValueOutcome"]] = relationship(
        back_populates="analysis", cascade="all, delete-orphan", order_by="ValueOutcome.id", lazy="selectin"
    )

    @property
    def is_published(self) -> bool:
        return self.status is AnalysisStatus.PUBLISHED

    def permission_scope(self) -> Scope:
        return Scope()  # officers' work until published; the provider does not edit it


class ValueCost(Model):
    """One cost of the service in one financial year, in cash: from its funding, or another named cost."""

    __tablename__ = "value_cost"
    __table_args__ = (sa.CheckConstraint("amount_pence >= 0", name="not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("value_analysis.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    financial_year: Mapped[int]
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    from_funding: Mapped[bool] = mapped_column(default=False)

    analysis: Mapped[ValueAnalysis] = relationship(back_populates="costs")


class ValueOutcome(Model):
    """An outcome counted in an analysis: how many, where the count comes from, the unit value it is worth (copied
    from the library when chosen, so later edits there do not change the analysis) and the adjustments, each with
    its reason."""

    __tablename__ = "value_outcome"
    __table_args__ = (
        sa.CheckConstraint("count >= 0", name="not_negative_count"),
        sa.CheckConstraint("years >= 1", name="lasts_a_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    analysis_id: Mapped[int] = mapped_column(sa.ForeignKey("value_analysis.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    count: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    financial_year: Mapped[int]
    measure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("measure.id", ondelete="SET NULL"))
    count_source: Mapped[str] = mapped_column(sa.Text)
    unit_value_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit_value.id", ondelete="SET NULL"))
    unit_value: Mapped[Decimal] = mapped_column(POUNDS)
    price_year: Mapped[int]
    unit: Mapped[str] = mapped_column(sa.String(80))
    unit_value_source: Mapped[str] = mapped_column(sa.Text)
    deadweight: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    deadweight_reason: Mapped[str] = mapped_column(sa.Text, default="")
    displacement: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    displacement_reason: Mapped[str] = mapped_column(sa.Text, default="")
    attribution: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    attribution_reason: Mapped[str] = mapped_column(sa.Text, default="")
    drop_off: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    drop_off_reason: Mapped[str] = mapped_column(sa.Text, default="")
    years: Mapped[int] = mapped_column(default=1)

    analysis: Mapped[ValueAnalysis] = relationship(back_populates="outcomes")
    measure: Mapped[Measure | None] = relationship()


class PublishedAnalysisChanged(DomainError):
    """Something tried to change, add to or delete a published analysis."""


def _committed_status(analysis: ValueAnalysis) -> Any:
    history = sa.inspect(analysis).attrs.status.history
    return history.deleted[0] if history.deleted else analysis.status


@sa.event.listens_for(Session, "before_flush")
def refuse_changes(session: Session, _context: object, _instances: object) -> None:
    """A published analysis never changes: any write to it, its costs or its outcomes fails before it reaches the
    database, whatever code makes it. Only the move from draft to published itself is let through."""
    for record in (*session.dirty, *session.deleted, *session.new):
        if isinstance(record, ValueAnalysis):
            if record in session.new:
                continue
            if _committed_status(record) is AnalysisStatus.PUBLISHED and (
                record in session.deleted or session.is_modified(record)
            ):
                raise PublishedAnalysisChanged("This analysis is published and can never be changed")
        elif isinstance(record, ValueCost | ValueOutcome):
            with session.no_autoflush:
                analysis = record.analysis or (
                    session.get(ValueAnalysis, record.analysis_id) if record.analysis_id is not None else None
                )
            if (
                analysis is not None
                and _committed_status(analysis) is AnalysisStatus.PUBLISHED
                and (record in session.new or record in session.deleted or session.is_modified(record))
            ):
                raise PublishedAnalysisChanged("This analysis is published and can never be changed")
