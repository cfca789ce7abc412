"""Demonstration services for the public directory and map: direct awards to real providers of services MOPAC
has funded (``commissioned_services_facts.csv``), so that several boroughs and service areas have something to
show, including a service that has ended and one that has not started yet.

Runs before the monitoring demo, which gives every approved award its measures and returns. Deterministic and
safe to run again: awards are found by title and provider.
"""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.database import utcnow
from portal.demo.seed import DEMO_DOMAIN, SERVICES_FILE
from portal.extensions import db
from portal.models import Award, AwardStatus, AwardYear, Fund, LocalAuthority, Organisation, ServiceArea, User
from portal.periods import financial_year_start
from portal.references import next_award_reference

# The file says "15 boroughs in North East and West London" without naming them; these are an illustration.
MINERVA_BOROUGHS = (
    "Barnet",
    "Brent",
    "Camden",
    "Ealing",
    "Enfield",
    "Hackney",
    "Hammersmith and Fulham",
    "Haringey",
    "Harrow",
    "Hillingdon",
    "Hounslow",
    "Islington",
    "Kensington and Chelsea",
    "Tower Hamlets",
    "Westminster",
)
# London's four major trauma centres: the Royal London, King's College, St Mary's and St George's hospitals.
TRAUMA_CENTRE_BOROUGHS = ("Tower Hamlets", "Southwark", "Westminster", "Wandsworth")


@dataclass(frozen=True)
class DemoService:
    service: str  # the row in commissioned_services_facts.csv
    organisation: str
    fund: str
    service_area: ServiceArea
    description: str
    boroughs: tuple[str, ...] = ()  # none: the service works across London
    first_year: int | None = None  # the financial year it started; None: last year; 0: next year
    years: int = 3


SERVICES = (
    DemoService(
        "Advance Minerva Female Offenders Service",
        "Advance",
        "LCPF co-commissioning fund",
        ServiceArea.REDUCING_REOFFENDING,
        "Support for women in contact with the criminal justice system, to stop offending and rebuild their lives: "
        "one-to-one key workers, two women's centres and hubs in each borough, for about 700 women a year.",
        boroughs=MINERVA_BOROUGHS,
    ),
    DemoService(
        "South London Alliance Female Offenders Service",
        "South London Alliance",
        "LCPF co-commissioning fund",
        ServiceArea.REDUCING_REOFFENDING,
        "One-to-one support for women who have offended or are at risk of offending, from hubs in south London "
        "boroughs, for about 275 women a year.",
        boroughs=("Croydon", "Lambeth", "Lewisham", "Southwark", "Sutton", "Wandsworth"),
        first_year=2018,
    ),
    DemoService(
        "Youth workers in Major Trauma Centres",
        "Redthread",
        "VRU programmes",
        ServiceArea.VIOLENCE_REDUCTION,
        "Youth workers in hospital emergency departments who meet young people injured by violence at the "
        "'teachable moment' and support them away from it.",
        boroughs=TRAUMA_CENTRE_BOROUGHS,
    ),
    DemoService(
        "Rescue and Response (county lines)",
        "St Giles Trust",
        "LCPF co-commissioning fund",
        ServiceArea.CHILDREN_AND_YOUNG_PEOPLE,
        "A London-wide response to county lines: finding young Londoners exploited to carry drugs, and caseworkers "
        "who help them out and home safely.",
    ),
    DemoService(
        "Taith (Journey) London",
        "Barnardo's",
        "LCPF co-commissioning fund",
        ServiceArea.CHILDREN_AND_YOUNG_PEOPLE,
        "Assessment and help for children and young people who display harmful sexual behaviour, and support for "
        "their families.",
        first_year=0,
        years=2,
    ),
)


def load(today: date | None = None) -> str:
    today = today or utcnow().date()
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    boroughs = {la.name: la for la in db.session.scalars(sa.select(LocalAuthority))}
    added = sum(_service(spec, today, officer, boroughs) for spec in SERVICES)
    db.session.commit()
    return f"Directory demo: {added} services added."


def _yearly_pence(service: str, years: int) -> list[int]:
    """Each year's amount in pence: a total shared over the years (the odd pence in the first), or a yearly sum."""
    with SERVICES_FILE.open(newline="", encoding="utf-8") as handle:
        facts = next(row for row in csv.DictReader(handle) if row["service"] == service)
    amount = int(Decimal(facts["amount_gbp"]) * 100)
    if not facts["amount_basis"].startswith("total"):
        return [amount] * years
    share, odd = divmod(amount, years)
    return [share + (1 if year < odd else 0) for year in range(years)]


def _service(spec: DemoService, today: date, officer: User | None, boroughs: dict[str, LocalAuthority]) -> int:
    fund = db.session.scalar(sa.select(Fund).where(Fund.name == spec.fund))
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == spec.organisation))
    if fund is None or organisation is None:
        return 0
    if db.session.scalar(
        sa.select(Award.id).where(Award.title == spec.service, Award.organisation_id == organisation.id)
    ):
        return 0
    this_year = financial_year_start(today)
    first_year = {None: this_year - 1, 0: this_year + 1}.get(spec.first_year, spec.first_year) or this_year - 1
    amounts = _yearly_pence(spec.service, spec.years)
    award = Award(
        reference=next_award_reference(fund.code, first_year),
        fund=fund,
        organisation=organisation,
        title=spec.service,
        description=spec.description,
        start_date=date(first_year, 4, 1),
        end_date=date(first_year + spec.years, 3, 31),
        works_pan_london=not spec.boroughs,
        boroughs=[boroughs[name] for name in spec.boroughs],
        status=AwardStatus.APPROVED,
        created_by=officer,
        approved_by=officer,
        approved_at=utcnow(),
        years=[AwardYear(financial_year=first_year + i, amount_pence=pence) for i, pence in enumerate(amounts)],
    )
    award.service_areas = [spec.service_area]
    db.session.add(award)
    db.session.flush()
    return 1
