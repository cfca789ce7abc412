"""What follows an approved award: the grant agreement the organisation accepts, the instalments it is paid in, and
variations to its terms."""

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.awards import Award
from portal.models.users import User
from portal.scope import Scope


class GrantAgreement(Model):
    """The organisation's acceptance of an award's terms. One per award: the unique key makes acceptance happen once.

    ``terms_text`` keeps the terms exactly as they were shown, so later variations never rewrite what was signed.
    """

    __tablename__ = "grant_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), unique=True)
    terms_version: Mapped[str] = mapped_column(sa.String(20))
    terms_text: Mapped[str] = mapped_column(sa.Text)
    signatory_name: Mapped[str] = mapped_column(sa.String(120))
    signatory_job_title: Mapped[str] = mapped_column(sa.String(120))
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    award: Mapped[Award] = relationship(backref=backref("agreement", uselist=False))
    accepted_by: Mapped[User | None] = relationship()

    def permission_scope(self) -> Scope:
        return self.award.permission_scope()


class InstalmentStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    RELEASED = "released"
    PAID = "paid"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def committed(self) -> bool:
        """Released or paid money is on its way or gone: variations never change it."""
        return self is not InstalmentStatus.SCHEDULED


class Instalment(Model):
    """One payment of an award, for one quarter (in advance). Amounts in pence."""

    __tablename__ = "instalment"
    __table_args__ = (
        sa.CheckConstraint("amount_pence > 0", name="positive_amount"),
        sa.CheckConstraint("status != 'paid' OR (paid_on IS NOT NULL AND payment_reference IS NOT NULL)", name="paid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    financial_year: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(40))
    period_start: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[InstalmentStatus] = mapped_column(
        enum_column(InstalmentStatus, 16), default=InstalmentStatus.SCHEDULED, index=True
    )
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    paid_on: Mapped[date | None]
    payment_reference: Mapped[str | None] = mapped_column(sa.String(40))
    paid_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    paid_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    award: Mapped[Award] = relationship(
        lazy="joined", backref=backref("instalments", order_by="(Instalment.due_on, Instalment.id)")
    )
    released_by: Mapped[User | None] = relationship(foreign_keys=[released_by_id])
    paid_recorded_by: Mapped[User | None] = relationship(foreign_keys=[paid_recorded_by_id])

    def permission_scope(self) -> Scope:
        return self.award.permission_scope()


class VariationKind(enum.StrEnum):
    EXTEND = "extend"
    CHANGE_AMOUNT = "change_amount"
    END_EARLY = "end_early"

    @property
    def label(self) -> str:
        return {"extend": "Extend", "change_amount": "Change the amount", "end_early": "End early"}[self.value]

    @property
    def slug(self) -> str:
        return self.value.replace("_", "-")


class VariationStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"proposed": "Waiting for approval", "approved": "Approved", "rejected": "Rejected"}[self.value]


class Variation(Model):
    """A change to an award's end date or amounts: proposed by one officer, approved or rejected by another.

    The terms before and after are kept, so the history of an award can always be read back.
    Amounts are ``{"2026": pence, ...}`` by financial year.
    """

    __tablename__ = "award_variation"
    __table_args__ = (
        sa.CheckConstraint("decided_by_id IS NULL OR decided_by_id != proposed_by_id", name="decided_by_another"),
        # One variation waiting at a time: a second proposal would be made against terms about to change.
        sa.Index(
            "uq_award_variation_one_proposed",
            "award_id",
            unique=True,
            postgresql_where=sa.text("status = 'proposed'"),
            sqlite_where=sa.text("status = 'proposed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    kind: Mapped[VariationKind] = mapped_column(enum_column(VariationKind, 16))
    status: Mapped[VariationStatus] = mapped_column(enum_column(VariationStatus, 16), default=VariationStatus.PROPOSED)
    reason: Mapped[str] = mapped_column(sa.Text)
    end_date_before: Mapped[date]
    end_date_after: Mapped[date]
    amounts_before: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    amounts_after: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    award: Mapped[Award] = relationship(lazy="joined", backref=backref("variations", order_by="Variation.id.desc()"))
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @staticmethod
    def amounts_json(amounts: dict[int, int]) -> dict[str, int]:
        return {str(year): pence for year, pence in sorted(amounts.items()) if pence}

    @property
    def before(self) -> dict[int, int]:
        return {int(year): pence for year, pence in self.amounts_before.items()}

    @property
    def after(self) -> dict[int, int]:
        return {int(year): pence for year, pence in self.amounts_after.items()}

    @property
    def total_before(self) -> int:
        return sum(self.before.values())

    @property
    def total_after(self) -> int:
        return sum(self.after.values())

    def permission_scope(self) -> Scope:
        return self.award.permission_scope()
