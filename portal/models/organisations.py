import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model, db
from portal.models.reference import LocalAuthority
from portal.models.users import User
from portal.scope import Scope


class OrganisationType(enum.StrEnum):
    CHARITY = "charity"
    CIO = "cio"
    CIC = "cic"
    COMPANY = "company"
    COMMUNITY_GROUP = "community_group"
    BOROUGH = "borough"
    SNB = "snb"
    STATUTORY_BODY = "statutory_body"

    @property
    def label(self) -> str:
        return ORGANISATION_TYPE_LABELS[self]

    @property
    def represents_a_borough(self) -> bool:
        """Borough councils and Safer Neighbourhood Boards each stand for exactly one London borough."""
        return self in (OrganisationType.BOROUGH, OrganisationType.SNB)

    @property
    def needs_verification(self) -> bool:
        return self in (OrganisationType.BOROUGH, OrganisationType.SNB, OrganisationType.STATUTORY_BODY)


ORGANISATION_TYPE_LABELS = {
    OrganisationType.CHARITY: "Registered charity",
    OrganisationType.CIO: "Charitable incorporated organisation (CIO)",
    OrganisationType.CIC: "Community interest company (CIC)",
    OrganisationType.COMPANY: "Company limited by guarantee or shares",
    OrganisationType.COMMUNITY_GROUP: "Community group or unincorporated association",
    OrganisationType.BOROUGH: "London borough council",
    OrganisationType.SNB: "Safer Neighbourhood Board",
    OrganisationType.STATUTORY_BODY: "Other statutory body",
}


class OrganisationStatus(enum.StrEnum):
    ACTIVE = "active"
    # Boroughs, boards and statutory bodies see data about their area only once an administrator has checked them.
    AWAITING_VERIFICATION = "awaiting_verification"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class MembershipRole(enum.StrEnum):
    OWNER = "owner"
    EDITOR = "editor"

    @property
    def label(self) -> str:
        return self.value.capitalize()


organisation_borough = sa.Table(
    "organisation_borough",
    db.metadata,
    sa.Column("organisation_id", sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("local_authority_id", sa.ForeignKey("local_authority.id"), primary_key=True),
)


class Organisation(Model):
    __tablename__ = "organisation"
    __table_args__ = (
        # One council and one board for each borough.
        sa.Index(
            "uq_organisation_type_local_authority",
            "organisation_type",
            "local_authority_id",
            unique=True,
            postgresql_where=sa.text("local_authority_id IS NOT NULL"),
            sqlite_where=sa.text("local_authority_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    organisation_type: Mapped[OrganisationType] = mapped_column(enum_column(OrganisationType, 24))
    status: Mapped[OrganisationStatus] = mapped_column(
        enum_column(OrganisationStatus, 24), default=OrganisationStatus.ACTIVE
    )
    charity_number: Mapped[str | None] = mapped_column(sa.String(12), unique=True)
    company_number: Mapped[str | None] = mapped_column(sa.String(8), unique=True)
    address_line_1: Mapped[str] = mapped_column(sa.String(120))
    address_line_2: Mapped[str | None] = mapped_column(sa.String(120))
    town: Mapped[str] = mapped_column(sa.String(60), default="London")
    postcode: Mapped[str] = mapped_column(sa.String(8))
    works_pan_london: Mapped[bool] = mapped_column(default=False)
    # The borough a council or Safer Neighbourhood Board stands for.
    local_authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("local_authority.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    local_authority: Mapped[LocalAuthority | None] = relationship(lazy="joined")
    boroughs_served: Mapped[list[LocalAuthority]] = relationship(
        secondary=organisation_borough, order_by=LocalAuthority.name, lazy="selectin"
    )
    memberships: Mapped[list["Membership"]] = relationship(back_populates="organisation", cascade="all, delete-orphan")

    @property
    def org_id(self) -> str | None:
        """The organisation identifier used in open data (org-id.guide)."""
        if self.organisation_type is OrganisationType.BOROUGH and self.local_authority is not None:
            return self.local_authority.org_id
        if self.charity_number:
            if self.charity_number.startswith("SC"):
                return f"GB-SC-{self.charity_number}"
            if self.charity_number.startswith("NIC"):
                return f"GB-NIC-{self.charity_number[3:]}"
            return f"GB-CHC-{self.charity_number}"
        if self.company_number:
            return f"GB-COH-{self.company_number}"
        return None

    @property
    def is_verified(self) -> bool:
        return self.status is OrganisationStatus.ACTIVE

    @property
    def scope_local_authority_id(self) -> int | None:
        """The borough whose records this organisation's members may see, once verified."""
        if self.organisation_type.represents_a_borough and self.is_verified:
            return self.local_authority_id
        return None

    def permission_scope(self) -> Scope:
        return Scope(organisation_ids=frozenset({self.id}))

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class Membership(Model):
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    role: Mapped[MembershipRole] = mapped_column(enum_column(MembershipRole, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships", lazy="joined")


class Invitation(Model):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[MembershipRole] = mapped_column(enum_column(MembershipRole, 16))
    # Only a hash of the token is kept, so a leaked database cannot be used to accept invitations.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    invited_by: Mapped[User | None] = relationship()

    def is_open(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
