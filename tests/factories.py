"""Small functions that make the records a test needs, committed."""

from itertools import count

import sqlalchemy as sa

from portal.auth.passwords import hash_password
from portal.auth.second_factor import new_secret
from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    LocalAuthority,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationStatus,
    OrganisationType,
    StaffRole,
    User,
)

PASSWORD = "plum-tractor-lantern-9"
_sequence = count(1)


def local_authority(name: str) -> LocalAuthority:
    return db.session.scalar(sa.select(LocalAuthority).where(LocalAuthority.name == name))


def create_user(
    email: str | None = None,
    *,
    full_name: str = "Alex Example",
    staff_role: StaffRole | None = None,
    confirmed: bool = True,
    password: str = PASSWORD,
    second_factor: bool | None = None,
) -> User:
    """A user; staff come with an authenticator app set up (``user.totp_secret``) unless ``second_factor=False``."""
    if second_factor is None:
        second_factor = staff_role is not None
    user = User(
        email=email or f"user{next(_sequence)}@example.org",
        full_name=full_name,
        password_hash=hash_password(password),
        staff_role=staff_role,
        email_confirmed_at=utcnow() if confirmed else None,
        totp_secret=new_secret() if second_factor else None,
        totp_enabled_at=utcnow() if second_factor else None,
    )
    db.session.add(user)
    db.session.commit()
    return user


def create_organisation(
    name: str | None = None,
    *,
    organisation_type: OrganisationType = OrganisationType.CHARITY,
    boroughs: tuple[str, ...] = ("Southwark",),
    borough: str | None = None,
    verified: bool = True,
    charity_number: str | None = None,
) -> Organisation:
    represented = local_authority(borough) if borough else None
    organisation = Organisation(
        name=name or f"Organisation {next(_sequence)}",
        organisation_type=organisation_type,
        status=OrganisationStatus.ACTIVE if verified else OrganisationStatus.AWAITING_VERIFICATION,
        charity_number=charity_number,
        address_line_1="1 Test Street",
        town="London",
        postcode="SE1 1AA",
        local_authority=represented,
        boroughs_served=[represented] if represented else [local_authority(b) for b in boroughs],
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


def create_member(organisation: Organisation, role: MembershipRole = MembershipRole.OWNER, **user_fields) -> User:
    user = create_user(**user_fields)
    db.session.add(Membership(user=user, organisation=organisation, role=role))
    db.session.commit()
    return user


def create_borough_user(borough: str, organisation_type: OrganisationType = OrganisationType.BOROUGH, **fields) -> User:
    organisation = create_organisation(
        f"{borough} {organisation_type.label}", organisation_type=organisation_type, borough=borough, **fields
    )
    return create_member(organisation)
