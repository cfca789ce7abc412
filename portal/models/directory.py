"""The public directory's own records: postcode districts mapped to boroughs, and email alerts of new rounds."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.funding import Round, ServiceArea
from portal.models.reference import LocalAuthority
from portal.scope import Scope


class PostcodeDistrict(Model):
    """A postcode district (the part of a postcode before the space, e.g. SE15) and the boroughs it may be in.

    Built from each district's centre point and the borough boundaries: a heuristic, not an official lookup, so a
    district near a border lists every borough within a kilometre of its centre.
    """

    __tablename__ = "postcode_district"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcode: Mapped[str] = mapped_column(sa.String(4), unique=True)
    # False for a district whose centre is outside Greater London (its nearest borough is still listed).
    centre_in_london: Mapped[bool]

    borough_links: Mapped[list["PostcodeDistrictBorough"]] = relationship(
        cascade="all, delete-orphan", order_by="(PostcodeDistrictBorough.position)", lazy="selectin"
    )

    @property
    def boroughs(self) -> list[LocalAuthority]:
        return [link.local_authority for link in self.borough_links]

    @property
    def straddles(self) -> bool:
        return len(self.borough_links) > 1

    def permission_scope(self) -> Scope:
        return Scope()


class PostcodeDistrictBorough(Model):
    __tablename__ = "postcode_district_borough"

    district_id: Mapped[int] = mapped_column(
        sa.ForeignKey("postcode_district.id", ondelete="CASCADE"), primary_key=True
    )
    local_authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id"), primary_key=True, index=True)
    # 0 for the borough the district's centre is in (or nearest to), then the others within a kilometre.
    position: Mapped[int] = mapped_column(default=0)

    local_authority: Mapped[LocalAuthority] = relationship(lazy="joined")


class AlertSubscription(Model):
    """Someone who asked to be emailed about new funding rounds. Active once they follow the confirmation link."""

    __tablename__ = "alert_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    # Both optional: no service area means every service area; no borough means anywhere in London.
    service_area: Mapped[ServiceArea | None] = mapped_column(enum_column(ServiceArea, 32))
    local_authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("local_authority.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    local_authority: Mapped[LocalAuthority | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None

    def permission_scope(self) -> Scope:
        return Scope()


class AlertSent(Model):
    """One alert about one round to one subscriber: the unique key is what makes it exactly once."""

    __tablename__ = "alert_sent"
    __table_args__ = (sa.UniqueConstraint("subscription_id", "round_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(sa.ForeignKey("alert_subscription.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("funding_round.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription: Mapped[AlertSubscription] = relationship()
    round: Mapped[Round] = relationship()
