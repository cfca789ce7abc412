"""How a provider keeps its funded service's public contact details, and how an officer approves them.

The provider edits a working copy (a draft), then sends it for approval; an officer approves it, when it replaces
the published version, or returns it with a reason. Until then the public sees the approved version, if any. Every
move between statuses is declared in ``CONTACTS`` and writes an audit event.
"""

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import sqlalchemy as sa

from portal import audit
from portal.database import commit_or_refuse, lock_row, utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import (
    LANGUAGES,
    Award,
    AwardStatus,
    ContactStatus,
    LocalAuthority,
    MembershipRole,
    PostcodeDistrict,
    ServiceContact,
    User,
)
from portal.permissions import Permission, roles_granting
from portal.template_helpers import external_url
from portal.workflow import Workflow

C = ContactStatus
CONTACTS = Workflow(
    {
        (C.DRAFT, C.SUBMITTED): "service_contact.submitted",
        (C.RETURNED, C.SUBMITTED): "service_contact.submitted",
        (C.SUBMITTED, C.APPROVED): "service_contact.approved",
        (C.SUBMITTED, C.RETURNED): "service_contact.returned",
    },
    noun="set of contact details",
    organisation_of=lambda contact: contact.award.organisation_id,
)

TEXT_MAX = 2000
# Who keeps a service's contact details, and hears when they are decided: the members who may edit the organisation.
PROVIDER_ROLES = frozenset(roles_granting(Permission.EDIT_ORGANISATION, MembershipRole))
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_OUTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


@dataclass
class ContactDetails:
    website: str = ""
    phone: str = ""
    email: str = ""
    referral: str = ""
    eligibility: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    languages: list[str] = field(default_factory=list)
    borough_codes: list[str] = field(default_factory=list)
    postcode_districts: str = ""


FIELDS = (
    "website",
    "phone",
    "email",
    "referral",
    "eligibility",
    "minimum_age",
    "maximum_age",
    "languages",
    "borough_codes",
    "postcode_districts",
)


def boroughs_for(award: Award) -> list[LocalAuthority]:
    """The boroughs a service may say it is delivered in: the award's, or every London borough if London-wide."""
    if award.works_pan_london:
        return list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name)))
    return sorted(award.boroughs, key=lambda la: la.name)


def working_copy(award: Award) -> ServiceContact | None:
    return db.session.scalar(
        sa.select(ServiceContact).where(ServiceContact.award_id == award.id, ~ServiceContact.published)
    )


def published_copy(award_id: int) -> ServiceContact | None:
    return db.session.scalar(
        sa.select(ServiceContact).where(ServiceContact.award_id == award_id, ServiceContact.published)
    )


def published_for(award_ids: Collection[int]) -> dict[int, ServiceContact]:
    """The approved contact details of these awards, by award id (one query)."""
    ids = set(award_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(ServiceContact).where(ServiceContact.award_id.in_(ids), ServiceContact.published)
    )
    return {row.award_id: row for row in rows}


def details_of(contact: ServiceContact | None) -> ContactDetails:
    if contact is None:
        return ContactDetails()
    return ContactDetails(
        website=contact.website or "",
        phone=contact.phone or "",
        email=contact.email or "",
        referral=contact.referral,
        eligibility=contact.eligibility,
        minimum_age=contact.minimum_age,
        maximum_age=contact.maximum_age,
        languages=list(contact.languages),
        borough_codes=list(contact.borough_codes),
        postcode_districts=", ".join(contact.postcode_districts),
    )


# Checking -------------------------------------------------------------------------------------------------------


def _check_website(website: str) -> list[DomainError]:
    if not website:
        return []
    parts = urlsplit(website)
    if parts.scheme not in ("http", "https") or "." not in (parts.hostname or "") or any(c.isspace() for c in website):
        return [DomainError("Enter the website's full address, starting with https://", "website")]
    if len(website) > 300:
        return [DomainError("The website's address must be 300 characters or fewer", "website")]
    return []


def _check_phone(phone: str) -> list[DomainError]:
    if not phone:
        return []
    digits = re.sub(r"\D", "", phone)
    if not _PHONE_CHARACTERS.match(phone) or not 10 <= len(digits) <= 13 or len(phone) > 40:
        return [DomainError("Enter a UK phone number, like 020 7946 0000", "phone")]
    return []


def _member_email(email: str) -> bool:
    found = db.session.scalar(sa.select(sa.func.count(User.id)).where(sa.func.lower(User.email) == email.lower()))
    return bool(found)


def _check_email(email: str) -> list[DomainError]:
    if not email:
        return []
    if not _EMAIL.match(email) or len(email) > 254:
        return [DomainError("Enter an email address in the correct format, like referrals@example.org", "email")]
    if _member_email(email):
        return [
            DomainError(
                "This is the email address of a person with an account. Give the service's own shared address, "
                "like referrals@example.org",
                "email",
            )
        ]
    return []


def _districts(text: str, boroughs: list[LocalAuthority]) -> tuple[list[str], list[DomainError]]:
    wanted = [part for part in re.split(r"[\s,;]+", text.upper()) if part]
    if not wanted:
        return [], []
    malformed = [part for part in wanted if not _OUTCODE.match(part)]
    if malformed:
        return [], [
            DomainError(
                f"{malformed[0]} is not a postcode district: give the first part of a postcode, like SE15",
                "postcode_districts",
            )
        ]
    known = {
        d.outcode: d
        for d in db.session.scalars(sa.select(PostcodeDistrict).where(PostcodeDistrict.outcode.in_(set(wanted))))
    }
    unknown = [part for part in wanted if part not in known]
    if unknown:
        return [], [DomainError(f"{unknown[0]} is not a London postcode district", "postcode_districts")]
    allowed = {la.id for la in boroughs}
    outside = [part for part in wanted if not any(la.id in allowed for la in known[part].boroughs)]
    if outside:
        return [], [DomainError(f"{outside[0]} is not in a borough this service is funded for", "postcode_districts")]
    return sorted(set(wanted), key=wanted.index), []


def check(award: Award, details: ContactDetails) -> tuple[dict, list[DomainError]]:
    """The values to store, and every problem with them."""
    website, phone, email = details.website.strip(), details.phone.strip(), details.email.strip()
    referral, eligibility = details.referral.strip(), details.eligibility.strip()
    problems = _check_website(website) + _check_phone(phone) + _check_email(email)
    if not (website or phone or email):
        problems.append(DomainError("Give at least one way to reach the service: a website, phone or email", "website"))
    if not referral:
        problems.append(DomainError("Say how someone is referred, or can refer themselves or someone else", "referral"))
    elif len(referral) > TEXT_MAX:
        problems.append(DomainError(f"How to be referred must be {TEXT_MAX:,} characters or fewer", "referral"))
    if not eligibility:
        problems.append(DomainError("Say who the service is for", "eligibility"))
    elif len(eligibility) > TEXT_MAX:
        problems.append(DomainError(f"Who it is for must be {TEXT_MAX:,} characters or fewer", "eligibility"))
    for name, age in (("minimum_age", details.minimum_age), ("maximum_age", details.maximum_age)):
        if age is not None and not 0 <= age <= 120:
            problems.append(DomainError("Enter an age from 0 to 120", name))
    if (
        details.minimum_age is not None
        and details.maximum_age is not None
        and details.minimum_age > details.maximum_age
    ):
        problems.append(DomainError("The oldest age must be the same as or more than the youngest", "maximum_age"))
    languages = [code for code in LANGUAGES if code in set(details.languages)]
    if len(languages) != len(set(details.languages)):
        problems.append(DomainError("Choose languages from the list", "languages"))
    boroughs = boroughs_for(award)
    codes = {la.gss_code for la in boroughs}
    borough_codes = [la.gss_code for la in boroughs if la.gss_code in set(details.borough_codes)]
    if set(details.borough_codes) - codes:
        problems.append(DomainError("Choose boroughs this service is funded for", "borough_codes"))
    districts, district_problems = _districts(details.postcode_districts, boroughs)
    problems += district_problems
    if not borough_codes and not districts and not district_problems:
        problems.append(
            DomainError("Say where the service is delivered: whole boroughs or postcode districts", "borough_codes")
        )
    values = {
        "website": website or None,
        "phone": phone or None,
        "email": email.lower() if email else None,
        "referral": referral,
        "eligibility": eligibility,
        "minimum_age": details.minimum_age,
        "maximum_age": details.maximum_age,
        "languages": languages,
        "borough_codes": borough_codes,
        "postcode_districts": districts,
    }
    return values, problems


# Changes --------------------------------------------------------------------------------------------------------


def can_keep(award: Award) -> bool:
    return award.status is AwardStatus.APPROVED


def save(award: Award, details: ContactDetails, actor: User, *, send: bool) -> ServiceContact:
    """Save the provider's working copy, and send it for approval if ``send``. Nothing is saved if anything is
    wrong. A copy waiting for approval cannot be changed until the officer has decided."""
    if not can_keep(award):
        raise DomainError("Contact details can only be kept for a running award")
    values, problems = check(award, details)
    raise_if_any(problems)
    with commit_or_refuse("Someone else saved these contact details at the same moment. Check them and try again."):
        lock_row(Award, award.id)
        contact = working_copy(award)
        if contact is not None and contact.status is C.SUBMITTED:
            raise DomainError("These contact details are waiting for approval: they can be changed once decided")
        before = {name: getattr(contact, name) for name in values} if contact else {}
        if contact is None:
            contact = ServiceContact(award_id=award.id, published=False, status=C.DRAFT)
            db.session.add(contact)
        changed = {name: value for name, value in values.items() if before.get(name) != value}
        for name, value in values.items():
            setattr(contact, name, value)
        if changed or contact.id is None:
            contact.updated_at = utcnow()
            contact.updated_by_id = actor.id
            audit.record(
                "service_contact.saved",
                contact,
                before={name: before.get(name) for name in changed},
                after=changed,
                organisation_id=award.organisation_id,
                actor=actor,
            )
        if send:
            contact.submitted_at = utcnow()
            contact.return_reason = None
            CONTACTS.move(contact, C.SUBMITTED, actor=actor)
            officer = award.approved_by or award.created_by
            if officer is not None and officer.active:
                link = external_url("service_contacts.review", contact_id=contact.id)
                queue_email(officer.email, "service_contact_submitted", award=award, link=link)
    return contact


def _tell_the_provider(contact: ServiceContact, *, approved: bool, reason: str = "") -> None:
    """Email the organisation's owners and editors that the officer has decided."""
    award = contact.award
    link = external_url("service_contacts.edit", organisation_id=award.organisation_id, award_id=award.id)
    for membership in sorted(award.organisation.memberships, key=lambda m: m.user.email):
        user = membership.user
        if membership.role in PROVIDER_ROLES and user.email_confirmed_at and user.active:
            queue_email(user.email, "service_contact_decided", award=award, approved=approved, reason=reason, link=link)


def waiting() -> list[ServiceContact]:
    """Contact details sent for approval, oldest first."""
    return list(
        db.session.scalars(
            sa.select(ServiceContact)
            .where(ServiceContact.status == C.SUBMITTED, ~ServiceContact.published)
            .order_by(ServiceContact.submitted_at, ServiceContact.id)
        )
    )


def _locked_submission(contact_id: int) -> ServiceContact:
    contact = lock_row(ServiceContact, contact_id)
    if contact is None or contact.published or contact.status is not C.SUBMITTED:
        raise DomainError("These contact details have already been decided")
    return contact


def approve(contact_id: int, actor: User) -> ServiceContact:
    """Publish the submitted details in place of the approved version, if any."""
    with commit_or_refuse("Someone else decided these contact details at the same moment."):
        contact = _locked_submission(contact_id)
        previous = published_copy(contact.award_id)
        if previous is not None:
            db.session.delete(previous)
            db.session.flush()
        contact.decided_at = utcnow()
        contact.decided_by_id = actor.id
        CONTACTS.move(contact, C.APPROVED, actor=actor)
        contact.published = True
        _tell_the_provider(contact, approved=True)
    return contact


def return_to_provider(contact_id: int, reason: str, actor: User) -> ServiceContact:
    reason = reason.strip()
    if not reason:
        raise DomainError("Say what the provider needs to change", "reason")
    if len(reason) > TEXT_MAX:
        raise DomainError(f"The reason must be {TEXT_MAX:,} characters or fewer", "reason")
    with commit_or_refuse("Someone else decided these contact details at the same moment."):
        contact = _locked_submission(contact_id)
        contact.decided_at = utcnow()
        contact.decided_by_id = actor.id
        contact.return_reason = reason
        CONTACTS.move(contact, C.RETURNED, actor=actor, detail={"reason": reason})
        _tell_the_provider(contact, approved=False, reason=reason)
    return contact


def fetch_contact(contact_id: int) -> ServiceContact | None:
    return db.session.get(ServiceContact, contact_id)


def boroughs_named(codes: Collection[str] | None) -> list[LocalAuthority]:
    if not codes:
        return []
    query = sa.select(LocalAuthority).where(LocalAuthority.gss_code.in_(set(codes)))
    found = {la.gss_code: la for la in db.session.scalars(query)}
    return [found[code] for code in codes if code in found]
