"""A borough's public page: what is funded there in a financial year and what that money is for.

The funding figures are :mod:`portal.directory.borough_funding`'s, so the page, its CSV, the map and the dashboards
agree. Services come only through :mod:`portal.directory.published`; of a Safer Neighbourhood Board's money only
an issued allocation and the projects of paid drawdowns are shown, never requests, refusals or the people involved.

A borough's own LCPF projects (of its approved delivery plan) are further ``ServiceInBorough`` rows, ``kind`` saying
what they are, with their funding counted by ``borough_funding`` like an award's.
"""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import sqlalchemy as sa

from portal.database import utcnow
from portal.directory import borough_funding, borough_projects, published
from portal.exports import csv_text
from portal.extensions import db
from portal.models import Allocation, DrawdownStatus, LocalAuthority, Organisation, OrganisationType, Rag
from portal.models.funding import Round, round_borough
from portal.money import pounds_figure

RECORDED_CRIME = Path(__file__).parent.parent / "reference" / "data" / "london_borough_recorded_crime_2024.csv"
CRIME_SOURCE = (
    "Metropolitan Police Service recorded crime, January to December 2024 (London Datastore, Open Government "
    "Licence), per 1,000 residents at the 2021 Census. The City of London has its own police force and is not in "
    "these figures."
)
PENNY = Decimal("0.01")
TENTH = Decimal("0.1")


def per_resident(pence: int, residents: int) -> Decimal | None:
    """Pounds per resident, to the penny."""
    if not residents:
        return None
    return (Decimal(pence) / 100 / residents).quantize(PENNY, rounding=ROUND_HALF_UP)


PROJECT_KIND = "Borough LCPF project"


@dataclass(frozen=True)
class ServiceInBorough:
    award_id: int | None
    title: str
    provider: str
    reach: borough_funding.Reach
    year_pence: int  # the service's whole funding for the year
    share_pence: int  # this borough's share of it
    rating: Rag | None
    kind: str = "Funded service"
    project_id: int | None = None


@dataclass(frozen=True)
class RecordedCrime:
    offences: int
    per_thousand: Decimal
    london_per_thousand: Decimal


@dataclass(frozen=True)
class BoardProject:
    name: str
    description: str
    amount_pence: int
    paid_on: date


@dataclass(frozen=True)
class BoardFunding:
    board: str
    allocated_pence: int
    paid_pence: int
    projects: list[BoardProject]


@dataclass(frozen=True)
class BoroughProfile:
    local_authority: LocalAuthority
    year: int
    services: list[ServiceInBorough]
    funding_pence: int
    per_resident: Decimal | None
    london_per_resident: Decimal | None
    crime: RecordedCrime | None
    board: BoardFunding | None
    rounds: list[Round]

    @property
    def year_label(self) -> str:
        return borough_funding.year_label(self.year)

    @property
    def ratings(self) -> dict[str, int]:
        """How many services have each latest rating, for a summary at a glance."""
        counts = {"green": 0, "amber": 0, "red": 0, "none": 0}
        for service in self.services:
            counts[service.rating.value if service.rating else "none"] += 1
        return counts


@cache
def _recorded_crime() -> dict[str, int]:
    with RECORDED_CRIME.open(encoding="utf-8", newline="") as file:
        return {row["gss_code"]: int(row["recorded_crime"]) for row in csv.DictReader(file) if row["recorded_crime"]}


def recorded_crime(local_authority: LocalAuthority, residents: dict[str, int]) -> RecordedCrime | None:
    """Recorded crime in 2024 per 1,000 residents, and London's (the boroughs with figures), or None for the City."""
    offences = _recorded_crime()
    if local_authority.gss_code not in offences:
        return None
    london_people = sum(residents[code] for code in offences if code in residents)

    def rate(count: int, people: int) -> Decimal:
        return (Decimal(count) * 1000 / people).quantize(TENTH, rounding=ROUND_HALF_UP)

    return RecordedCrime(
        offences=offences[local_authority.gss_code],
        per_thousand=rate(offences[local_authority.gss_code], local_authority.residents_2021),
        london_per_thousand=rate(sum(offences.values()), london_people),
    )


def board_funding(local_authority: LocalAuthority, year: int) -> BoardFunding | None:
    """The borough's Safer Neighbourhood Board's issued allocations for the year and the projects paid from them."""
    board = db.session.scalar(
        sa.select(Organisation).where(
            Organisation.organisation_type == OrganisationType.SNB,
            Organisation.local_authority_id == local_authority.id,
        )
    )
    if board is None:
        return None
    allocations = list(
        db.session.scalars(
            sa.select(Allocation).where(
                Allocation.organisation_id == board.id,
                Allocation.financial_year == year,
                Allocation.issued_on.is_not(None),
            )
        )
    )
    if not allocations:
        return None
    paid = [
        drawdown
        for allocation in allocations
        for drawdown in allocation.drawdowns
        if drawdown.status is DrawdownStatus.PAID
    ]
    projects = [
        BoardProject(project.name, project.description, project.amount_pence, paid_on)
        for drawdown in sorted(paid, key=lambda d: (d.paid_on, d.id))
        if (paid_on := drawdown.paid_on) is not None  # a paid drawdown has its date (a check constraint)
        for project in drawdown.projects
    ]
    return BoardFunding(
        board=board.name,
        allocated_pence=sum(a.amount_pence for a in allocations),
        paid_pence=sum(d.amount_pence for d in paid),
        projects=projects,
    )


def open_rounds(local_authority: LocalAuthority) -> list[Round]:
    """Published rounds open now or opening later that this borough's organisations may bid to: London-wide
    rounds (they list no boroughs) and rounds listing this one."""
    listed = sa.select(round_borough.c.round_id).where(round_borough.c.round_id == Round.id)
    here = listed.where(round_borough.c.local_authority_id == local_authority.id)
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.published_at.is_not(None), Round.closes_at > utcnow())
            .where(sa.or_(~sa.exists(listed), sa.exists(here)))
            .order_by(Round.opens_at, Round.closes_at, Round.id)
        )
    )


def borough_profile(local_authority: LocalAuthority, year: int) -> BoroughProfile:
    funding = borough_funding.funding_for_year(year, borough_id=local_authority.id)
    here = funding.services_in(local_authority.id)
    ids = [service.award_id for service in here if service.award_id is not None]
    providers = dict(
        db.session.execute(
            sa.select(published.Award.id, Organisation.name)
            .join(Organisation, Organisation.id == published.Award.organisation_id)
            .where(published.Award.id.in_(ids))
        )
        .tuples()
        .all()
    )
    latest = published.latest_ratings(ids)
    project_ids = [service.project_id for service in here if service.project_id is not None]
    projects = {p.id: p for p in borough_projects.all_public_projects() if p.id in set(project_ids)}
    project_ratings = borough_projects.latest_ratings(project_ids)

    def row(service: borough_funding.ServiceShares) -> ServiceInBorough:
        if service.project_id is not None:
            rating = project_ratings.get(service.project_id)
            return ServiceInBorough(
                award_id=None,
                project_id=service.project_id,
                title=service.title,
                provider=projects[service.project_id].provider,
                reach=service.reach,
                year_pence=service.pence,
                share_pence=service.shares[local_authority.id],
                rating=rating.overall if rating else None,
                kind=PROJECT_KIND,
            )
        assert service.award_id is not None  # a service that is not a borough's project is an award's
        return ServiceInBorough(
            award_id=service.award_id,
            title=service.title,
            provider=providers[service.award_id],
            reach=service.reach,
            year_pence=service.pence,
            share_pence=service.shares[local_authority.id],
            rating=latest.get(service.award_id),
        )

    services = sorted(
        (row(service) for service in here),
        key=lambda s: (
            list(borough_funding.Reach).index(s.reach),
            s.title.lower(),
            s.project_id is not None,
            s.award_id or s.project_id,
        ),
    )
    residents = {b.gss_code: b.residents for b in funding.boroughs}
    return BoroughProfile(
        local_authority=local_authority,
        year=year,
        services=services,
        funding_pence=funding.pence(local_authority.id),
        per_resident=per_resident(funding.pence(local_authority.id), local_authority.residents_2021),
        london_per_resident=per_resident(funding.total_pence, funding.residents),
        crime=recorded_crime(local_authority, residents),
        board=board_funding(local_authority, year),
        rounds=open_rounds(local_authority),
    )


CSV_HEADINGS = (
    "Financial year",
    "Borough",
    "Service",
    "Provider",
    "Serves",
    "Service's funding for the year (£)",
    "Share in this borough (£)",
    "Latest rating",
)


def profile_csv(profile: BoroughProfile) -> str:
    return csv_text(
        CSV_HEADINGS,
        (
            (
                profile.year_label,
                profile.local_authority.name,
                service.title,
                service.provider,
                service.reach.label,
                pounds_figure(service.year_pence),
                pounds_figure(service.share_pence),
                service.rating.value.capitalize() if service.rating else "Not rated yet",
            )
            for service in profile.services
        ),
    )
