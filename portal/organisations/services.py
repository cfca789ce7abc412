"""Organisations and their members: registration, the profile, invitations and roles."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from portal import audit
from portal.auth import tokens
from portal.auth.services import (
    build_user,
    check_new_password,
    fetch_user_by_email,
    queue_email_confirmation,
)
from portal.database import utcnow
from portal.directory import published
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import (
    Award,
    Invitation,
    LocalAuthority,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationStatus,
    OrganisationType,
    User,
)
from portal.template_helpers import external_url
from portal.validation import (
    normalise_charity_number,
    normalise_company_number,
    normalise_email,
    normalise_postcode,
)
from portal.workflow import Workflow

NEEDS_CHARITY_NUMBER = {OrganisationType.CHARITY, OrganisationType.CIO}
NEEDS_COMPANY_NUMBER = {OrganisationType.CIC, OrganisationType.COMPANY}


@dataclass
class OrganisationDetails:
    name: str
    organisation_type: OrganisationType
    address_line_1: str
    postcode: str
    town: str = "London"
    address_line_2: str | None = None
    charity_number: str | None = None
    company_number: str | None = None
    local_authority_id: int | None = None
    works_pan_london: bool = False
    borough_ids: tuple[int, ...] = ()


PROFILE_FIELDS = (
    "name",
    "charity_number",
    "company_number",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "works_pan_london",
)


def fetch_local_authorities() -> list[LocalAuthority]:
    return list(db.session.scalars(sa.select(LocalAuthority).order_by(LocalAuthority.name)))


def fetch_organisation(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)


def clean_details(details: OrganisationDetails, *, existing: Organisation | None = None) -> OrganisationDetails:
    """Normalise what was typed, or raise every problem found, each beside its field."""
    kind = details.organisation_type
    errors: list[DomainError] = []
    charity = (details.charity_number or "").strip()
    company = (details.company_number or "").strip()
    if charity:
        charity = normalise_charity_number(charity) or ""
        if not charity:
            errors.append(
                DomainError(
                    "Enter a charity number in the correct format, like 1123456 (or SC012345 in Scotland)",
                    field="charity_number",
                )
            )
    elif kind in NEEDS_CHARITY_NUMBER:
        errors.append(DomainError("Enter your charity number", field="charity_number"))
    if company:
        company = normalise_company_number(company) or ""
        if not company:
            errors.append(
                DomainError(
                    "Enter a company number in the correct format: 8 characters, like 01234567 or SC123456",
                    field="company_number",
                )
            )
    elif kind in NEEDS_COMPANY_NUMBER:
        errors.append(DomainError("Enter your company number", field="company_number"))
    postcode = normalise_postcode(details.postcode)
    if postcode is None:
        errors.append(DomainError("Enter a real postcode, like SE15 4QQ", field="postcode"))
    if kind.represents_a_borough and not details.local_authority_id:
        errors.append(DomainError("Select the borough your organisation covers", field="local_authority_id"))
    if not details.works_pan_london and not details.borough_ids and not kind.represents_a_borough:
        errors.append(DomainError("Select the boroughs you work in, or London-wide", field="borough_ids"))
    errors.extend(_uniqueness_problems(charity or None, company or None, kind, details.local_authority_id, existing))
    raise_if_any(errors)
    assert postcode is not None  # an unreadable postcode is one of the errors raised above
    details.charity_number = charity or None
    details.company_number = company or None
    details.postcode = postcode
    details.name = details.name.strip()
    details.address_line_1 = details.address_line_1.strip()
    details.address_line_2 = (details.address_line_2 or "").strip() or None
    details.town = (details.town or "London").strip()
    if not kind.represents_a_borough:
        details.local_authority_id = None
    return details


def _uniqueness_problems(
    charity: str | None,
    company: str | None,
    kind: OrganisationType,
    local_authority_id: int | None,
    existing: Organisation | None,
) -> list[DomainError]:
    def taken(*criteria: sa.ColumnElement[bool]) -> bool:
        query = sa.select(Organisation.id).where(*criteria)
        if existing is not None:
            query = query.where(Organisation.id != existing.id)
        return db.session.scalar(query.limit(1)) is not None

    ask_owner = "Ask a member of that organisation to invite you"
    problems = []
    if charity and taken(Organisation.charity_number == charity):
        problems.append(
            DomainError(
                f"An organisation with this charity number is already registered. {ask_owner}", "charity_number"
            )
        )
    if company and taken(Organisation.company_number == company):
        problems.append(
            DomainError(
                f"An organisation with this company number is already registered. {ask_owner}", "company_number"
            )
        )
    if (
        kind.represents_a_borough
        and local_authority_id
        and taken(Organisation.organisation_type == kind, Organisation.local_authority_id == local_authority_id)
    ):
        problems.append(
            DomainError(f"This borough's {kind.label.lower()} is already registered. {ask_owner}", "local_authority_id")
        )
    return problems


def register_organisation(details: OrganisationDetails, *, full_name: str, email: str, password: str) -> User | None:
    """Create the organisation, its first user as owner, and queue the confirmation email, all in one commit.

    If the email address already has an account, nothing is created and its owner is told by email instead: the
    person registering sees the same "check your email" page either way, so registering reveals no accounts.
    Returns the new user, or ``None`` when the address was taken.
    """
    errors: list[DomainError] = []
    try:
        details = clean_details(details)
    except DomainError as error:
        errors.extend(getattr(error, "errors", [error]))
    try:
        check_new_password(email, password, full_name, organisation=details.name)
    except DomainError as error:
        errors.append(error)
    raise_if_any(errors)
    existing = fetch_user_by_email(email)
    if existing is not None:
        queue_email(existing.email, "registration_with_existing_account", user=existing)
        db.session.commit()
        return None
    user = build_user(email, full_name, password)
    organisation = _build_organisation(details)
    membership = Membership(user=user, organisation=organisation, role=MembershipRole.OWNER)
    db.session.add(membership)
    audit.record(
        "organisation.registered",
        organisation,
        after={
            "name": organisation.name,
            "type": organisation.organisation_type,
            "status": organisation.status,
        },
        organisation_id=organisation.id,
        actor=user,
    )
    audit.record(
        "membership.created",
        membership,
        after={"user": user.email, "role": membership.role},
        organisation_id=organisation.id,
        actor=user,
    )
    queue_email_confirmation(user)
    db.session.commit()
    return user


def _build_organisation(details: OrganisationDetails) -> Organisation:
    organisation = Organisation(
        organisation_type=details.organisation_type,
        status=OrganisationStatus.AWAITING_VERIFICATION
        if details.organisation_type.needs_verification
        else OrganisationStatus.ACTIVE,
        local_authority_id=details.local_authority_id,
        **{name: getattr(details, name) for name in PROFILE_FIELDS},
    )
    organisation.boroughs_served = _boroughs(details)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _boroughs(details: OrganisationDetails) -> list[LocalAuthority]:
    ids = set(details.borough_ids)
    if details.organisation_type.represents_a_borough and details.local_authority_id:
        ids.add(details.local_authority_id)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(LocalAuthority).where(LocalAuthority.id.in_(ids))))


def profile_snapshot(organisation: Organisation) -> dict:
    snapshot = {name: getattr(organisation, name) for name in PROFILE_FIELDS}
    snapshot["boroughs"] = ", ".join(la.name for la in organisation.boroughs_served)
    return snapshot


def update_profile(organisation: Organisation, details: OrganisationDetails, actor: User) -> None:
    details.organisation_type = organisation.organisation_type
    details.local_authority_id = organisation.local_authority_id
    details = clean_details(details, existing=organisation)
    before = profile_snapshot(organisation)
    for name in PROFILE_FIELDS:
        setattr(organisation, name, getattr(details, name))
    organisation.boroughs_served = _boroughs(details)
    after = profile_snapshot(organisation)
    changed = {key for key in after if after[key] != before[key]}
    if changed:
        audit.record(
            "organisation.profile_updated",
            organisation,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
            organisation_id=organisation.id,
            actor=actor,
        )
        # Its published services name it, in public and in the open-data files.
        awards = published.award_ids(Award.organisation_id == organisation.id)
        if awards:
            published.changed(awards=awards)
    db.session.commit()


# Boroughs, boards and statutory bodies start awaiting verification; an administrator's check makes them active.
ORGANISATIONS = Workflow(
    {(OrganisationStatus.AWAITING_VERIFICATION, OrganisationStatus.ACTIVE): "organisation.verified"},
    noun="organisation",
    organisation_of=lambda organisation: organisation.id,
)


def verify_organisation(organisation: Organisation, verified_by: User) -> None:
    if organisation.status is OrganisationStatus.ACTIVE:
        raise DomainError("This organisation is already verified")
    organisation.verified_at = utcnow()
    ORGANISATIONS.move(organisation, OrganisationStatus.ACTIVE, actor=verified_by)
    for membership in organisation.memberships:
        queue_email(membership.user.email, "organisation_verified", organisation=organisation, user=membership.user)
    db.session.commit()


def fetch_organisations_awaiting_verification() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.status == OrganisationStatus.AWAITING_VERIFICATION)
            .order_by(Organisation.created_at)
        )
    )


def fetch_organisations_page(page: int, *, search: str = "", per_page: int = 25) -> Pagination:
    query = sa.select(Organisation).order_by(Organisation.name)
    if search:
        query = query.where(Organisation.name.ilike(f"%{search.strip()}%"))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# Members and invitations


def fetch_members(organisation: Organisation) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.organisation_id == organisation.id)
            .join(Membership.user)
            .order_by(User.full_name)
        )
    )


def fetch_open_invitations(organisation: Organisation) -> list[Invitation]:
    now = utcnow()
    return list(
        db.session.scalars(
            sa.select(Invitation)
            .where(
                Invitation.organisation_id == organisation.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.created_at)
        )
    )


def invite_member(organisation: Organisation, email: str, role: MembershipRole, invited_by: User) -> Invitation:
    email = normalise_email(email)
    existing_user = fetch_user_by_email(email)
    if existing_user and any(m.organisation_id == organisation.id for m in existing_user.memberships):
        raise DomainError("This person is already a member of your organisation", field="email")
    if existing_user and existing_user.is_staff:
        raise DomainError(
            "This email address belongs to a staff account and cannot join an organisation", field="email"
        )
    for invitation in fetch_open_invitations(organisation):
        if invitation.email == email:
            invitation.revoked_at = utcnow()  # a fresh invitation replaces the old one
    token, token_hash = tokens.new_random_token()
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=invited_by,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]),
    )
    db.session.add(invitation)
    audit.record(
        "invitation.created",
        invitation,
        after={"email": email, "role": role},
        organisation_id=organisation.id,
        actor=invited_by,
    )
    queue_email(
        email,
        "invitation",
        organisation=organisation,
        invited_by=invited_by,
        role=role,
        link=external_url("organisations.accept_invitation", token=token),
        days=current_app.config["INVITATION_MAX_AGE_DAYS"],
    )
    db.session.commit()
    return invitation


def fetch_open_invitation(token: str) -> Invitation | None:
    invitation = db.session.scalar(
        sa.select(Invitation).where(Invitation.token_hash == tokens.hash_random_token(token))
    )
    if invitation is None or not invitation.is_open(utcnow()):
        return None
    return invitation


def accept_invitation(token: str, user: User) -> Membership:
    invitation = fetch_open_invitation(token)
    if invitation is None:
        raise DomainError("This invitation has expired, been withdrawn or already been used")
    if invitation.email != user.email:
        raise DomainError(
            f"This invitation was sent to {invitation.email}. Sign in with that email address to accept it"
        )
    if any(m.organisation_id == invitation.organisation_id for m in user.memberships):
        raise DomainError("You are already a member of this organisation")
    invitation.accepted_at = utcnow()
    membership = Membership(user=user, organisation_id=invitation.organisation_id, role=invitation.role)
    db.session.add(membership)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the invitation reached this address
    audit.record(
        "membership.created",
        membership,
        after={"user": user.email, "role": invitation.role, "invitation": invitation.id},
        organisation_id=invitation.organisation_id,
        actor=user,
    )
    db.session.commit()
    return membership


def accept_invitation_as_new_user(token: str, *, full_name: str, password: str) -> User:
    invitation = fetch_open_invitation(token)
    if invitation is None:
        raise DomainError("This invitation has expired, been withdrawn or already been used")
    user = build_user(invitation.email, full_name, password)
    try:
        accept_invitation(token, user)
    except DomainError:
        db.session.rollback()
        raise
    return user


def revoke_invitation(organisation: Organisation, invitation: Invitation | None, actor: User) -> None:
    if invitation is None or invitation.organisation_id != organisation.id or not invitation.is_open(utcnow()):
        raise DomainError("This invitation is no longer open")
    invitation.revoked_at = utcnow()
    audit.record(
        "invitation.revoked",
        invitation,
        before={"email": invitation.email},
        organisation_id=organisation.id,
        actor=actor,
    )
    db.session.commit()


def _owner_count(organisation: Organisation) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == organisation.id, Membership.role == MembershipRole.OWNER)
        )
        or 0
    )


def change_member_role(organisation: Organisation, membership: Membership, role: MembershipRole, actor: User) -> None:
    if membership.role == role:
        return
    if membership.role is MembershipRole.OWNER and _owner_count(organisation) == 1:
        raise DomainError("An organisation needs at least one owner. Make someone else an owner first", field="role")
    before = membership.role
    membership.role = role
    audit.record(
        "membership.role_changed",
        membership,
        before={"user": membership.user.email, "role": before},
        after={"user": membership.user.email, "role": role},
        organisation_id=organisation.id,
        actor=actor,
    )
    db.session.commit()


def remove_member(organisation: Organisation, membership: Membership, actor: User) -> None:
    if membership.role is MembershipRole.OWNER and _owner_count(organisation) == 1:
        raise DomainError("An organisation needs at least one owner. Make someone else an owner first")
    audit.record(
        "membership.removed",
        membership,
        before={"user": membership.user.email, "role": membership.role},
        organisation_id=organisation.id,
        actor=actor,
    )
    db.session.delete(membership)
    db.session.commit()
