"""Awards: money committed to an organisation for a service over a period."""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model, db
from portal.models.applications import Application
from portal.models.funding import Fund, ServiceArea
from portal.models.organisations import Organisation
from portal.models.reference import LocalAuthority
from portal.models.users import User
from portal.scope import Scope

if TYPE_CHECKING:
    from portal.models.agreements import GrantAgreement, Instalment, Variation

SECOND_APPROVER_ABOVE_PENCE = 100_000_00


class AwardStatus(enum.StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval"
    APPROVED = "approved"
    # Withdrawn before any money was released: it never runs, and the public never sees it.
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


award_borough = sa.Table(
    "award_borough",
    db.metadata,
    sa.Column("award_id", sa.ForeignKey("award.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("local_authority_id", sa.ForeignKey("local_authority.id"), primary_key=True),
)


class AwardServiceArea(Model):
    __tablename__ = "award_service_area"

    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), primary_key=True)
    service_area: Mapped[ServiceArea] = mapped_column(enum_column(ServiceArea, 32), primary_key=True)


class Award(Model):
    __tablename__ = "award"
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="ends_after_start"),
        sa.CheckConstraint(
            "status != 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)",
            name="withdrawn_with_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(24), unique=True)
    # Empty for a direct award, which has no bid.
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"), unique=True)
    fund_id: Mapped[int] = mapped_column(sa.ForeignKey("fund.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text)
    start_date: Mapped[date]
    end_date: Mapped[date]
    works_pan_london: Mapped[bool] = mapped_column(default=False)
    status: Mapped[AwardStatus] = mapped_column(enum_column(AwardStatus, 32), default=AwardStatus.AWAITING_APPROVAL)
    # Awards shorter than the round's minimum duration need a recorded reason.
    duration_exception_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    second_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    second_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The service's Open Referral UK id (portal.opendata.openreferral.service_id), stored so that the API finds a
    # service by its index instead of working out every award's id. Written as the award is inserted.
    oruk_id: Mapped[str | None] = mapped_column(sa.String(36), unique=True, index=True)

    application: Mapped[Application | None] = relationship()
    fund: Mapped[Fund] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    second_approved_by: Mapped[User | None] = relationship(foreign_keys=[second_approved_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])
    boroughs: Mapped[list[LocalAuthority]] = relationship(
        secondary=award_borough, order_by=LocalAuthority.name, lazy="selectin"
    )
    years: Mapped[list["AwardYear"]] = relationship(
        back_populates="award", cascade="all, delete-orphan", order_by="AwardYear.financial_year", lazy="selectin"
    )
    service_area_links: Mapped[list[AwardServiceArea]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    service_areas = association_proxy(
        "service_area_links", "service_area", creator=lambda area: AwardServiceArea(service_area=area)
    )
    if TYPE_CHECKING:
        # Made by the backrefs on GrantAgreement.award, Instalment.award and Variation.award.
        agreement: Mapped[GrantAgreement | None]
        instalments: Mapped[list[Instalment]]
        variations: Mapped[list[Variation]]

    @property
    def total_pence(self) -> int:
        return sum(year.amount_pence for year in self.years)

    @property
    def needs_second_approver(self) -> bool:
        return self.total_pence > SECOND_APPROVER_ABOVE_PENCE

    def permission_scope(self) -> Scope:
        return Scope(
            organisation_ids=frozenset({self.organisation_id}),
            local_authority_ids=frozenset(la.id for la in self.boroughs),
        )


class AwardYear(Model):
    __tablename__ = "award_year"
    __table_args__ = (
        sa.UniqueConstraint("award_id", "financial_year"),
        sa.CheckConstraint("amount_pence >= 0", name="non_negative_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"))
    financial_year: Mapped[int]
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)

    award: Mapped[Award] = relationship(back_populates="years")


@sa.event.listens_for(Award, "after_insert")
def _store_oruk_id(_mapper: sa.orm.Mapper[Award], connection: sa.Connection, award: Award) -> None:
    """An award's Open Referral UK id follows from its own id, which the database gives it on insert."""
    if award.oruk_id is None:
        from portal.opendata.openreferral import service_id

        oruk_id = service_id(award.id)
        connection.execute(sa.update(Award).where(Award.id == award.id).values(oruk_id=oruk_id))
        set_committed_value(award, "oruk_id", oruk_id)
