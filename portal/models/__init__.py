"""SQLAlchemy models, one module per aggregate. Importing this package registers every table."""

from portal.models.applications import (
    Answer,
    Application,
    ApplicationServiceArea,
    ApplicationStatus,
    ApplicationYear,
    UploadedFile,
    application_borough,
)
from portal.models.assessment import (
    Decision,
    DecisionOutcome,
    Moderation,
    ReviewAssignment,
    Score,
    ScreeningCheck,
    ScreeningCheckKind,
    ScreeningOutcome,
)
from portal.models.audit import AuditEvent
from portal.models.awards import Award, AwardServiceArea, AwardStatus, AwardYear, award_borough
from portal.models.funding import (
    Criterion,
    FormVariant,
    Fund,
    FundServiceArea,
    Question,
    QuestionKind,
    Round,
    ServiceArea,
)
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
    "Answer",
    "Application",
    "ApplicationServiceArea",
    "ApplicationStatus",
    "ApplicationYear",
    "AuditEvent",
    "Award",
    "AwardServiceArea",
    "AwardStatus",
    "AwardYear",
    "Criterion",
    "Decision",
    "DecisionOutcome",
    "FormVariant",
    "Fund",
    "FundServiceArea",
    "InnerOuter",
    "Invitation",
    "LocalAuthority",
    "Membership",
    "MembershipRole",
    "MessageStatus",
    "Moderation",
    "Organisation",
    "OrganisationStatus",
    "OrganisationType",
    "OutboundMessage",
    "Question",
    "QuestionKind",
    "ReviewAssignment",
    "Round",
    "Score",
    "ScreeningCheck",
    "ScreeningCheckKind",
    "ScreeningOutcome",
    "ServiceArea",
    "StaffRole",
    "UploadedFile",
    "User",
    "application_borough",
    "award_borough",
    "organisation_borough",
]
