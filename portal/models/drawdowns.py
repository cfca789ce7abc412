"""Multi-year allocations to Safer Neighbourhood Boards, and the drawdowns a board requests against them."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.funding import Fund
from portal.models.organisations import Organisation
from portal.models.users import User
from portal.scope import Scope


class Allocation(Model):
    """What one board may draw from one fund in one financial year, and when it was (and should have been) issued."""

    __tablename__ = "allocation"
    __table_args__ = (
        sa.UniqueConstraint("fund_id", "organisation_id", "financial_year"),
        sa.CheckConstraint("amount_pence > 0", name="positive_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    financial_year: Mapped[int] = mapped_column(index=True)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    issue_by: Mapped[date]
    issued_on: Mapped[date | None]
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fund: Mapped[Fund] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    drawdowns: Mapped[list["Drawdown"]] = relationship(
        back_populates="allocation", order_by="Drawdown.requested_at", lazy="selectin"
    )

    @property
    def is_issued(self) -> bool:
        return self.issued_on is not None

    @property
    def issued_late(self) -> bool:
        return self.issued_on is not None and self.issued_on > self.issue_by

    def days_late(self) -> int:
        return (self.issued_on - self.issue_by).days if self.issued_on is not None and self.issued_late else 0

    def permission_scope(self) -> Scope:
        """Only the board itself (and staff) may see an allocation: not other boards, not the borough council."""
        return Scope(organisation_ids=frozenset({self.organisation_id}))


class DrawdownStatus(enum.StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"
    PAID = "paid"

    @property
    def label(self) -> str:
        return {
            "requested": "Awaiting decision",
            "approved": "Approved, awaiting payment",
            "refused": "Refused",
            "paid": "Paid",
        }[self.value]

    @property
    def counts_against_allocation(self) -> bool:
        """A refused drawdown frees its amount; every other one holds it."""
        return self is not DrawdownStatus.REFUSED


class Drawdown(Model):
    """A board's request for part of its allocation, the officer's decision and the payment."""

    __tablename__ = "drawdown"
    __table_args__ = (
        sa.CheckConstraint("amount_pence > 0", name="positive_amount"),
        sa.CheckConstraint("status != 'refused' OR refusal_reason IS NOT NULL", name="refusal_has_reason"),
        sa.CheckConstraint(
            "status != 'paid' OR (paid_on IS NOT NULL AND payment_reference IS NOT NULL)",
            name="payment_recorded",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(sa.ForeignKey("allocation.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    purpose: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[DrawdownStatus] = mapped_column(
        enum_column(DrawdownStatus, 16), default=DrawdownStatus.REQUESTED, index=True
    )
    # Set by the request form when it is shown: sending the same form twice makes one request, not two.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    refusal_reason: Mapped[str | None] = mapped_column(sa.Text)
    paid_on: Mapped[date | None]
    payment_reference: Mapped[str | None] = mapped_column(sa.String(60))
    payment_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    allocation: Mapped[Allocation] = relationship(back_populates="drawdowns", lazy="joined")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    payment_recorded_by: Mapped[User | None] = relationship(foreign_keys=[payment_recorded_by_id])
    projects: Mapped[list["DrawdownProject"]] = relationship(
        back_populates="drawdown", cascade="all, delete-orphan", order_by="DrawdownProject.id", lazy="selectin"
    )

    def permission_scope(self) -> Scope:
        return self.allocation.permission_scope()


class DrawdownProject(Model):
    """One local project a drawdown pays for. The projects of a drawdown add up to its amount."""

    __tablename__ = "drawdown_project"
    __table_args__ = (sa.CheckConstraint("amount_pence > 0", name="positive_amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drawdown_id: Mapped[int] = mapped_column(sa.ForeignKey("drawdown.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)

    drawdown: Mapped[Drawdown] = relationship(back_populates="projects")
