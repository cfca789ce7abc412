"""How the public reaches a funded service: its public contact details, kept by the provider and published only
once an officer has approved them.

An award has at most two rows: the approved version the public sees (``published``) and the provider's working
copy (a draft, sent for approval, or returned with a reason). A change to approved details is a new working copy;
the approved version stays public until the change is approved, when the working copy takes its place.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import Model
from portal.models.awards import Award
from portal.models.users import User
from portal.scope import Scope

# Languages a service may be offered in: ISO 639-1 codes (ISO 639-3 where there is none), with English names.
LANGUAGES = {
    "en": "English",
    "ar": "Arabic",
    "bn": "Bengali",
    "bfi": "British Sign Language",
    "zh": "Chinese",
    "fa": "Farsi (Persian)",
    "fr": "French",
    "gu": "Gujarati",
    "hi": "Hindi",
    "it": "Italian",
    "ku": "Kurdish",
    "lt": "Lithuanian",
    "pl": "Polish",
    "pt": "Portuguese",
    "pa": "Punjabi",
    "ro": "Romanian",
    "ru": "Russian",
    "so": "Somali",
    "es": "Spanish",
    "ta": "Tamil",
    "ti": "Tigrinya",
    "tr": "Turkish",
    "tw": "Twi",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "yo": "Yoruba",
}


class ContactStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "submitted": "Waiting for approval",
            "returned": "Changes asked for",
            "approved": "Published",
        }[self.value]


class ServiceContact(Model):
    __tablename__ = "service_contact"
    __table_args__ = (sa.UniqueConstraint("award_id", "published"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(sa.ForeignKey("award.id", ondelete="CASCADE"), index=True)
    # True for the approved version the public sees; False for the provider's working copy.
    published: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ContactStatus] = mapped_column(enum_column(ContactStatus, 16), default=ContactStatus.DRAFT)
    website: Mapped[str | None] = mapped_column(sa.String(300))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # How to be referred, or to refer someone.
    referral: Mapped[str] = mapped_column(sa.Text, default="")
    # Who the service is for.
    eligibility: Mapped[str] = mapped_column(sa.Text, default="")
    minimum_age: Mapped[int | None]
    maximum_age: Mapped[int | None]
    # Codes from LANGUAGES.
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Where it is delivered: whole boroughs (GSS codes) and postcode districts (outcodes, such as SE15).
    borough_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    postcode_districts: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    return_reason: Mapped[str | None] = mapped_column(sa.Text)

    award: Mapped[Award] = relationship(lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def language_names(self) -> list[str]:
        return [LANGUAGES[code] for code in self.languages if code in LANGUAGES]

    @property
    def ages(self) -> str:
        if self.minimum_age is not None and self.maximum_age is not None:
            return f"{self.minimum_age} to {self.maximum_age}"
        if self.minimum_age is not None:
            return f"{self.minimum_age} and over"
        if self.maximum_age is not None:
            return f"Up to {self.maximum_age}"
        return "Any age"

    def permission_scope(self) -> Scope:
        return self.award.permission_scope()
