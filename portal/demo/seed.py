"""Demonstration data: real London boroughs and real providers, with made-up people. Safe to run again.

Nothing here is random, so every run on every machine produces the same records.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from portal.auth.passwords import hash_password
from portal.auth.second_factor import give_demo_second_factor
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

DEMO_PASSWORD = "correct-horse-battery-demo"  # noqa: S105 (printed for demo sign-in; demo data is refused in production)
DEMO_DOMAIN = "demo.example.org"
SERVICES_FILE = Path(__file__).parent / "data" / "commissioned_services_facts.csv"

# Charity and company numbers are given only where they are on the public registers.
KNOWN_NUMBERS = {
    "Victim Support": {"charity_number": "298028", "company_number": "02158780"},
    "Barnardo's": {"charity_number": "216250", "company_number": "00061625"},
}
NOT_ORGANISATIONS = ("projects", "SNBs", "consortia", "local authorities", "Rape Crisis Centres")


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role_label: str
    staff_role: StaffRole | None = None
    organisation: str | None = None
    membership_role: MembershipRole | None = None


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    organisation_type: OrganisationType
    address_line_1: str
    postcode: str
    boroughs: tuple[str, ...] = ()
    pan_london: bool = False
    local_authority: str | None = None


SMALL_ORGANISATIONS = (
    DemoOrganisation(
        "Peckham Street Mentors CIC",
        OrganisationType.CIC,
        "14 Rye Lane",
        "SE15 5EW",
        ("Southwark", "Lambeth"),
    ),
    DemoOrganisation(
        "Tottenham Mothers Against Violence",
        OrganisationType.COMMUNITY_GROUP,
        "2 High Road",
        "N17 8AD",
        ("Haringey",),
    ),
    DemoOrganisation(
        "Safe Journeys Home Ltd",
        OrganisationType.COMPANY,
        "40 Mare Street",
        "E8 4RP",
        ("Hackney", "Tower Hamlets"),
    ),
    DemoOrganisation(
        "Croydon Women's Refuge CIO",
        OrganisationType.CIO,
        "9 Wellesley Road",
        "CR0 2AG",
        ("Croydon", "Sutton"),
    ),
    DemoOrganisation(
        "Probation Service London",
        OrganisationType.STATUTORY_BODY,
        "102 Petty France",
        "SW1H 9AJ",
        pan_london=True,
    ),
)

USERS = (
    DemoUser(f"admin@{DEMO_DOMAIN}", "Amara Okafor", "Administrator", staff_role=StaffRole.ADMIN),
    DemoUser(f"officer@{DEMO_DOMAIN}", "Tom Brennan", "Grant officer", staff_role=StaffRole.GRANT_OFFICER),
    DemoUser(f"officer2@{DEMO_DOMAIN}", "Priya Shah", "Grant officer (lead)", staff_role=StaffRole.GRANT_OFFICER),
    DemoUser(f"reviewer@{DEMO_DOMAIN}", "Grace Mensah", "Reviewer", staff_role=StaffRole.REVIEWER),
    DemoUser(f"reviewer2@{DEMO_DOMAIN}", "Daniel Kowalski", "Reviewer", staff_role=StaffRole.REVIEWER),
    DemoUser(
        f"victimsupport@{DEMO_DOMAIN}",
        "Helen Price",
        "Charity owner (Victim Support)",
        organisation="Victim Support",
        membership_role=MembershipRole.OWNER,
    ),
    DemoUser(
        f"victimsupport.editor@{DEMO_DOMAIN}",
        "Sam Taylor",
        "Charity editor (Victim Support)",
        organisation="Victim Support",
        membership_role=MembershipRole.EDITOR,
    ),
    DemoUser(
        f"cic@{DEMO_DOMAIN}",
        "Kwame Asante",
        "Small CIC owner",
        organisation="Peckham Street Mentors CIC",
        membership_role=MembershipRole.OWNER,
    ),
    DemoUser(
        f"community@{DEMO_DOMAIN}",
        "Fatima Hussein",
        "Community group owner",
        organisation="Tottenham Mothers Against Violence",
        membership_role=MembershipRole.OWNER,
    ),
    DemoUser(
        f"borough@{DEMO_DOMAIN}",
        "Oliver Grant",
        "Borough user (Lewisham)",
        organisation="London Borough of Lewisham",
        membership_role=MembershipRole.OWNER,
    ),
    DemoUser(
        f"snb@{DEMO_DOMAIN}",
        "Chloe Adeyemi",
        "Safer Neighbourhood Board (Lambeth)",
        organisation="Lambeth Safer Neighbourhood Board",
        membership_role=MembershipRole.OWNER,
    ),
)


def demo_logins() -> list[tuple[str, str]]:
    return [(user.role_label, user.email) for user in USERS]


def load_demo_data() -> str:
    boroughs = {la.name: la for la in db.session.scalars(sa.select(LocalAuthority))}
    if not boroughs:
        raise RuntimeError("Load the reference data first: flask reference load")
    organisations = {org.name: org for org in db.session.scalars(sa.select(Organisation))}
    created = 0
    for spec in _all_organisation_specs(boroughs):
        if spec.name not in organisations:
            organisations[spec.name] = _create_organisation(spec, boroughs)
            created += 1
    users_created = 0
    existing_users = {user.email: user for user in db.session.scalars(sa.select(User))}
    password_hash = hash_password(DEMO_PASSWORD)
    for user_spec in USERS:
        user = existing_users.get(user_spec.email)
        if user is None:
            user = User(
                email=user_spec.email,
                full_name=user_spec.name,
                password_hash=password_hash,
                staff_role=user_spec.staff_role,
                email_confirmed_at=utcnow(),
            )
            db.session.add(user)
            users_created += 1
        if user.staff_role is not None:
            # Staff need a second factor; the demo ones share a published secret so anyone can try every role.
            give_demo_second_factor(user)
        if user_spec.organisation:
            organisation = organisations[user_spec.organisation]
            if not any(m.organisation_id == organisation.id for m in user.memberships):
                db.session.add(Membership(user=user, organisation=organisation, role=user_spec.membership_role))
    db.session.commit()
    return f"Demo data: {created} organisations and {users_created} users added."


def _all_organisation_specs(boroughs: dict[str, LocalAuthority]) -> list[DemoOrganisation]:
    specs = []
    for name, local_authority in sorted(boroughs.items()):
        if not local_authority.in_lcpf:
            continue
        specs.append(
            DemoOrganisation(
                local_authority.official_name,
                OrganisationType.BOROUGH,
                "Town Hall",
                "SE6 4RU",
                local_authority=name,
            )
        )
        specs.append(
            DemoOrganisation(
                f"{name} Safer Neighbourhood Board",
                OrganisationType.SNB,
                "c/o Town Hall",
                "SE6 4RU",
                local_authority=name,
            )
        )
    specs.extend(_providers_from_services())
    specs.extend(SMALL_ORGANISATIONS)
    return specs


def _providers_from_services() -> list[DemoOrganisation]:
    providers: dict[str, set[str]] = {}
    with SERVICES_FILE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for provider in filter(None, (p.strip() for p in row["providers"].split(";"))):
                if provider.startswith("London Borough of") or any(word in provider for word in NOT_ORGANISATIONS):
                    continue
                providers.setdefault(provider, set()).update(b.strip() for b in row["boroughs"].split(";") if b.strip())
    specs = []
    for name in sorted(providers):
        served = tuple(sorted(providers[name]))
        specs.append(
            DemoOrganisation(
                name,
                OrganisationType.CHARITY,
                "1 Example Street",
                "EC1A 1BB",
                boroughs=served,
                pan_london=any(not b[0].isupper() or b.startswith("pan") for b in served) or not served,
            )
        )
    return specs


def _create_organisation(spec: DemoOrganisation, boroughs: dict[str, LocalAuthority]) -> Organisation:
    numbers = KNOWN_NUMBERS.get(spec.name, {})
    local_authority = boroughs.get(spec.local_authority) if spec.local_authority else None
    served = [boroughs[name] for name in spec.boroughs if name in boroughs]
    if local_authority is not None:
        served = [local_authority]
    organisation = Organisation(
        name=spec.name,
        organisation_type=spec.organisation_type,
        status=OrganisationStatus.ACTIVE,
        verified_at=utcnow() if spec.organisation_type.needs_verification else None,
        address_line_1=spec.address_line_1,
        town="London",
        postcode=spec.postcode,
        works_pan_london=spec.pan_london,
        local_authority=local_authority,
        boroughs_served=served,
        **numbers,
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def load_all_demo_data() -> list[str]:
    """Every area's demo data, in the order each builds on the last: people and organisations, rounds, bids,
    their assessment, awards that have ended, the directory's commissioned services, awards' monitoring, agreements
    and payments, a withdrawn award, follow-ups, dialogue and good practice, the boards' allocations and drawdowns,
    the boroughs' allocations and Lewisham's delivery plan, evaluations, the committee report, personal data past
    its retention period and a refused erasure request, and last the open-data files made from all of them."""
    from portal.demo import (
        agreements,
        applications,
        assessment,
        boroughs,
        dialogue,
        directory,
        drawdowns,
        evaluations,
        monitoring,
        opendata,
        outcomes,
        privacy,
        reports,
        rounds,
        service_contacts,
        value,
        withdrawals,
        your_data,
    )

    return [
        load_demo_data(),
        rounds.load(),
        applications.load(),
        assessment.load(),
        dialogue.load_ended_awards(),
        directory.load(),
        monitoring.load(),
        agreements.load(),
        withdrawals.load(),
        dialogue.load(),
        drawdowns.load(),
        boroughs.load(),
        evaluations.load(),
        reports.load(),
        value.load(),
        outcomes.load(),
        privacy.load(),
        service_contacts.load(),
        your_data.load(),
        opendata.load(),
    ]
