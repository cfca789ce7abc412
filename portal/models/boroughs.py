"""The London Crime Prevention Fund as the boroughs live it: each borough's allocation for each financial year, the
delivery plan that says which local projects the allocation pays for, the plan's reviewed versions, and the
half-yearly payments that follow its approval."""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.agreements import InstalmentStatus
from portal.models.organisations import Organisation
from portal.models.reference import LocalAuthority
from portal.models.users import User
from portal.scope import Scope

if TYPE_CHECKING:
    from portal.models.monitoring import Measure


class BoroughAllocation(Model):
    """What one borough receives from the fund in one financial year, and when it was (and should have been)
    confirmed to the borough. Kept against the borough itself, so it can be set before its council registers.

    ``formula_version_id`` names the published formula version the amount came from, when it came from one.
    """

    __tablename__ = "borough_allocation"
    __table_args__ = (
        sa.UniqueConstraint("local_authority_id", "financial_year"),
        sa.CheckConstraint("amount_pence > 0", name="positive_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    local_authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id"), index=True)
    financial_year: Mapped[int] = mapped_column(index=True)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    confirm_by: Mapped[date]
    confirmed_on: Mapped[date | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    formula_version_id: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    local_authority: Mapped[LocalAuthority] = relationship(lazy="joined")
    confirmed_by: Mapped[User | None] = relationship(foreign_keys=[confirmed_by_id])

    # The same words and tests as the boards' allocations, so one macro shows both.
    @property
    def is_issued(self) -> bool:
        return self.confirmed_on is not None

    @property
    def issued_late(self) -> bool:
        return self.confirmed_on is not None and self.confirmed_on > self.confirm_by

    @property
    def issue_by(self) -> date:
        return self.confirm_by

    @property
    def issued_on(self) -> date | None:
        return self.confirmed_on

    def days_late(self) -> int:
        return (self.confirmed_on - self.confirm_by).days if self.confirmed_on is not None and self.issued_late else 0

    def permission_scope(self) -> Scope:
        return Scope(local_authority_ids=frozenset({self.local_authority_id}))


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    QUERIED = "queried"
    APPROVED = "approved"
    # An approved plan being changed: a variation, submitted with its reason for an officer to approve.
    VARYING = "varying"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Awaiting review",
            "queried": "Queried",
            "approved": "Approved",
            "varying": "Variation in progress",
        }[self.value]

    @property
    def editable(self) -> bool:
        return self in (PlanStatus.DRAFT, PlanStatus.QUERIED, PlanStatus.VARYING)


class DeliveryPlan(Model):
    """A borough council's plan for spending its allocations over the years it covers."""

    __tablename__ = "delivery_plan"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "first_year"),
        sa.CheckConstraint("last_year >= first_year", name="years_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    first_year: Mapped[int]
    last_year: Mapped[int]
    status: Mapped[PlanStatus] = mapped_column(enum_column(PlanStatus, 16), default=PlanStatus.DRAFT, index=True)
    # Why an approved plan is being changed, while the variation is prepared and reviewed.
    variation_reason: Mapped[str | None] = mapped_column(sa.Text)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    approved_by: Mapped[User | None] = relationship()
    projects: Mapped[list["PlanProject"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanProject.id", lazy="selectin"
    )
    versions: Mapped[list["PlanVersion"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanVersion.number", lazy="selectin"
    )

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    @property
    def latest_version(self) -> "PlanVersion | None":
        return self.versions[-1] if self.versions else None

    @property
    def open_query(self) -> "PlanVersion | None":
        """The version an officer queried, while the borough has not yet answered it."""
        latest = self.latest_version
        return latest if self.status is PlanStatus.QUERIED and latest is not None else None

    def planned_pence(self, year: int) -> int:
        return sum(project.amount_for(year) for project in self.projects)

    def permission_scope(self) -> Scope:
        return Scope(organisation_ids=frozenset({self.organisation_id}))


class PlanDecision(enum.StrEnum):
    APPROVED = "approved"
    QUERIED = "queried"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PlanVersion(Model):
    """One submission of the plan, exactly as it was sent, and what the officer decided about it.

    ``snapshot`` keeps the projects as submitted, so later changes never rewrite what was approved.
    """

    __tablename__ = "delivery_plan_version"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "number"),
        sa.CheckConstraint("decision IS NULL OR decided_at IS NOT NULL", name="decision_dated"),
        sa.CheckConstraint("decision != 'queried' OR comment IS NOT NULL", name="query_has_comment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    is_variation: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    response: Mapped[str | None] = mapped_column(sa.Text)
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    decision: Mapped[PlanDecision | None] = mapped_column(enum_column(PlanDecision, 12))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    plan: Mapped[DeliveryPlan] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def permission_scope(self) -> Scope:
        return self.plan.permission_scope()


class PlanProject(Model):
    """One local project the plan funds: what it does, who provides it, where, and how much in each year.

    ``amounts`` is ``{"2026": pence, ...}`` by financial year. A project the borough runs itself has no provider
    name; a commissioned one names its provider and, where it has them, its charity or company number.
    """

    __tablename__ = "plan_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_plan.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str] = mapped_column(sa.Text)
    provider_name: Mapped[str | None] = mapped_column(sa.String(160))
    provider_charity_number: Mapped[str | None] = mapped_column(sa.String(12))
    provider_company_number: Mapped[str | None] = mapped_column(sa.String(8))
    service_areas: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    whole_borough: Mapped[bool] = mapped_column(default=True)
    wards: Mapped[str | None] = mapped_column(sa.Text)
    amounts: Mapped[dict[str, int]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[DeliveryPlan] = relationship(back_populates="projects")
    if TYPE_CHECKING:
        measures: Mapped[list[Measure]]  # made by the backref on Measure.plan_project

    def amount_for(self, year: int) -> int:
        return int(self.amounts.get(str(year), 0))

    @property
    def total_pence(self) -> int:
        return sum(int(pence) for pence in self.amounts.values())

    @property
    def provided_by_borough(self) -> bool:
        return not self.provider_name

    def permission_scope(self) -> Scope:
        return self.plan.permission_scope()


class PlanInstalment(Model):
    """One half-yearly payment of a borough's allocation, in advance, once its plan is approved. The states are the
    grants' (scheduled, released, paid), moved by the same rules."""

    __tablename__ = "plan_instalment"
    __table_args__ = (
        sa.UniqueConstraint("allocation_id", "period_start"),
        sa.CheckConstraint("amount_pence > 0", name="positive_amount"),
        sa.CheckConstraint("status != 'paid' OR (paid_on IS NOT NULL AND payment_reference IS NOT NULL)", name="paid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_plan.id", ondelete="CASCADE"), index=True)
    allocation_id: Mapped[int] = mapped_column(sa.ForeignKey("borough_allocation.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(40))
    period_start: Mapped[date]
    due_on: Mapped[date] = mapped_column(index=True)
    amount_pence: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[InstalmentStatus] = mapped_column(
        enum_column(InstalmentStatus, 16, name="plan_instalmentstatus"), default=InstalmentStatus.SCHEDULED
    )
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    paid_on: Mapped[date | None]
    payment_reference: Mapped[str | None] = mapped_column(sa.String(40))
    paid_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    paid_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[DeliveryPlan] = relationship()
    allocation: Mapped[BoroughAllocation] = relationship(lazy="joined")
    released_by: Mapped[User | None] = relationship(foreign_keys=[released_by_id])
    paid_recorded_by: Mapped[User | None] = relationship(foreign_keys=[paid_recorded_by_id])

    def permission_scope(self) -> Scope:
        return self.plan.permission_scope()


class UploadStatus(enum.StrEnum):
    QUEUED = "queued"
    CHECKING = "checking"
    SAVED = "saved"
    REFUSED = "refused"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": "Waiting to be checked",
            "checking": "Being checked",
            "saved": "Saved",
            "refused": "Refused",
            "failed": "Could not be checked",
        }[self.value]

    @property
    def finished(self) -> bool:
        return self in (UploadStatus.SAVED, UploadStatus.REFUSED, UploadStatus.FAILED)


class ReturnsUpload(Model):
    """A large spreadsheet of a quarter's returns, checked and saved by a background job while the borough watches
    its progress. The file is kept only until it has been checked; what was found is kept with the upload."""

    __tablename__ = "returns_upload"
    __table_args__ = (sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress_percent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("delivery_plan.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date]
    filename: Mapped[str] = mapped_column(sa.String(255))
    data: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    status: Mapped[UploadStatus] = mapped_column(enum_column(UploadStatus, 12), default=UploadStatus.QUEUED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(sa.Text)
    # Every problem found, as [sheet, row, column, message], when the file was refused.
    problems: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    saved_count: Mapped[int | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When its check was last handed to a worker: still queued long after, the job was lost and is handed over again.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a worker took the upload, and which: one still in hand long after this was left by a worker that stopped.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[DeliveryPlan] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    def permission_scope(self) -> Scope:
        return self.plan.permission_scope()
