"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from portal.models.audit import AuditEvent
from portal.models.messages import MessageStatus, OutboundMessage
from portal.models.organisations import (
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationStatus,
    OrganisationType,
    organisation_borough,
)
from portal.models.reference import InnerOuter, LocalAuthority
from portal.models.users import StaffRole, User

__all__ = [
    "AuditEvent",
    "InnerOuter",
    "Invitation",
    "LocalAuthority",
    "Membership",
    "MembershipRole",
    "MessageStatus",
    "Organisation",
    "OrganisationStatus",
    "OrganisationType",
    "OutboundMessage",
    "StaffRole",
    "User",
    "organisation_borough",
]
