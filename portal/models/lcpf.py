"""The London Crime Prevention Fund formula: imported data, formula versions, their allocations and consultations."""

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.organisations import Organisation
from portal.models.reference import LocalAuthority
from portal.models.users import User
from portal.scope import Scope


class LcpfImportKind(enum.StrEnum):
    CRIME = "crime"
    POPULATION = "population"
    DEPRIVATION = "deprivation"

    @property
    def label(self) -> str:
        return {"crime": "Recorded crime", "population": "Population", "deprivation": "Deprivation"}[self.value]


class LcpfImport(Model):
    """One file an officer imported: where it came from, which months it covers and who brought it in."""

    __tablename__ = "lcpf_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LcpfImportKind] = mapped_column(enum_column(LcpfImportKind, 12))
    source_filename: Mapped[str] = mapped_column(sa.String(255))
    layout: Mapped[str] = mapped_column(sa.String(40))
    first_month: Mapped[int | None]  # YYYYMM, for crime
    last_month: Mapped[int | None]
    rows_read: Mapped[int]
    left_out: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # rows that are not funded boroughs
    attribution: Mapped[str] = mapped_column(sa.Text, default="")
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by: Mapped[User | None] = relationship()


class LcpfCrimeCount(Model):
    """Recorded crimes of one major category in one borough over one month (MPS layout) or one calendar year."""

    __tablename__ = "lcpf_crime_count"
    __table_args__ = (
        sa.UniqueConstraint("import_id", "local_authority_id", "category", "first_month"),
        sa.CheckConstraint("count >= 0", name="not_negative"),
        sa.CheckConstraint("last_month >= first_month", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Found by the unique constraint, which begins with it.
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("lcpf_import.id", ondelete="CASCADE"))
    local_authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id"))
    category: Mapped[str] = mapped_column(sa.String(80))
    first_month: Mapped[int] = mapped_column(index=True)
    last_month: Mapped[int]
    count: Mapped[int]


class LcpfBoroughFigure(Model):
    """One borough's figure for one measure (residents, an IMD score) from a population or deprivation import."""

    __tablename__ = "lcpf_borough_figure"
    __table_args__ = (sa.UniqueConstraint("import_id", "local_authority_id", "measure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Found by the unique constraint, which begins with it.
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("lcpf_import.id", ondelete="CASCADE"))
    local_authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id"))
    measure: Mapped[str] = mapped_column(sa.String(60))
    value: Mapped[Decimal] = mapped_column(sa.Numeric(18, 6))


class LcpfVersionStatus(enum.StrEnum):
    DRAFT = "draft"
    CONSULTATION = "consultation"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "consultation": "Open for consultation",
            "published": "Published",
            "superseded": "Superseded",
        }[self.value]

    @property
    def is_public(self) -> bool:
        return self in (LcpfVersionStatus.PUBLISHED, LcpfVersionStatus.SUPERSEDED)


class LcpfVersion(Model):
    """A formula version: its parameters and a frozen copy of the exact inputs it used, so that working it out
    again years later gives the same pounds whatever has been imported since. Published versions never change."""

    __tablename__ = "lcpf_version"
    __table_args__ = (
        sa.CheckConstraint("last_year >= first_year", name="ends_after_start"),
        sa.CheckConstraint(
            "status IN ('draft', 'consultation') OR published_at IS NOT NULL", name="published_with_date"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[LcpfVersionStatus] = mapped_column(
        enum_column(LcpfVersionStatus, 16), default=LcpfVersionStatus.DRAFT, index=True
    )
    first_year: Mapped[int]
    last_year: Mapped[int]
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    inputs: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    import_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    previous_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lcpf_version.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    consultation_opens_on: Mapped[date | None]
    consultation_closes_on: Mapped[date | None]
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    previous_version: Mapped["LcpfVersion | None"] = relationship(remote_side=[id])
    allocations: Mapped[list["LcpfAllocation"]] = relationship(
        back_populates="version", order_by="LcpfAllocation.id", cascade="all, delete-orphan"
    )

    @property
    def period_label(self) -> str:
        return f"{self.first_year}\N{EN DASH}{(self.last_year + 1) % 100:02d}"

    def permission_scope(self) -> Scope:
        return Scope()


class LcpfAllocation(Model):
    """One borough's whole-pound allocation for one financial year under one version, with its workings."""

    __tablename__ = "lcpf_allocation"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "local_authority_id", "financial_year"),
        sa.CheckConstraint("amount_pounds >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("lcpf_version.id", ondelete="CASCADE"), index=True)
    local_authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id"), index=True)
    financial_year: Mapped[int]
    amount_pounds: Mapped[int] = mapped_column(sa.BigInteger)
    workings: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    version: Mapped[LcpfVersion] = relationship(back_populates="allocations")
    local_authority: Mapped[LocalAuthority] = relationship(lazy="joined")

    def permission_scope(self) -> Scope:
        return Scope(local_authority_ids=frozenset({self.local_authority_id}))


class LcpfResponse(Model):
    """A borough's response to a version open for consultation. Private to the borough and officers until the
    version is published, and then shown in full only with the borough's consent (otherwise summarised)."""

    __tablename__ = "lcpf_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("lcpf_version.id", ondelete="CASCADE"), index=True)
    local_authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body: Mapped[str] = mapped_column(sa.Text)
    consent_to_publish: Mapped[bool] = mapped_column(default=False)
    attachment_filename: Mapped[str | None] = mapped_column(sa.String(255))
    attachment_content_type: Mapped[str | None] = mapped_column(sa.String(120))
    attachment: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    summary: Mapped[str] = mapped_column(sa.Text, default="")  # the officer's summary, published without consent
    officer_reply: Mapped[str | None] = mapped_column(sa.Text)
    replied_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[LcpfVersion] = relationship()
    local_authority: Mapped[LocalAuthority] = relationship(lazy="joined")
    organisation: Mapped[Organisation] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    replied_by: Mapped[User | None] = relationship(foreign_keys=[replied_by_id])

    def permission_scope(self) -> Scope:
        return Scope(local_authority_ids=frozenset({self.local_authority_id}))
