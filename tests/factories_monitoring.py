"""Factories for approved awards, measures and returns, committed."""

from datetime import date
from itertools import count

from portal.database import utcnow
from portal.extensions import db
from portal.models import (
    Award,
    AwardStatus,
    AwardYear,
    Fund,
    Measure,
    MeasureBasis,
    Organisation,
    Return,
    ServiceArea,
    User,
)
from portal.monitoring.measures import generate_schedule
from portal.periods import financial_year_start
from tests.factories import create_organisation, local_authority
from tests.factories_funding import create_fund

_sequence = count(1)


def create_award(
    organisation: Organisation | None = None,
    *,
    start: date = date(2025, 4, 1),
    end: date = date(2027, 3, 31),
    amounts_pence: tuple[int, ...] = (40_000_00, 40_000_00),
    officer: User | None = None,
    boroughs: tuple[str, ...] = ("Southwark",),
    status: AwardStatus = AwardStatus.APPROVED,
    title: str = "Safer streets after school",
    with_schedule: bool = True,
    fund: Fund | None = None,
    service_areas: tuple[ServiceArea, ...] = (),
    works_pan_london: bool = False,
) -> Award:
    """An approved direct award (no bid), one amount per financial year from the start, with its returns; in a
    fund of its own unless ``fund`` is given."""
    organisation = organisation or create_organisation()
    first_year = financial_year_start(start)
    award = Award(
        reference=f"MON-{first_year}-{next(_sequence):04d}",
        fund=fund or create_fund(),
        organisation=organisation,
        title=title,
        description="A service for tests.",
        start_date=start,
        end_date=end,
        status=status,
        approved_by=officer,
        created_by=officer,
        approved_at=utcnow() if status is AwardStatus.APPROVED else None,
        boroughs=[local_authority(b) for b in boroughs],
        years=[AwardYear(financial_year=first_year + i, amount_pence=a) for i, a in enumerate(amounts_pence)],
        works_pan_london=works_pan_london,
    )
    if service_areas:
        award.service_areas = list(service_areas)
    db.session.add(award)
    db.session.flush()
    if with_schedule:
        generate_schedule(award)
    db.session.commit()
    return award


def create_measure(
    award: Award, name: str = "Young people engaged", *, unit: str = "young people", target: int = 100, basis=None
) -> Measure:
    measure = Measure(award=award, name=name, unit=unit, target=target, basis=basis or MeasureBasis.QUARTER)
    db.session.add(measure)
    db.session.commit()
    return measure


def first_return(award: Award) -> Return:
    return min(award_returns(award), key=lambda r: r.period_start)


def award_returns(award: Award) -> list[Return]:
    import sqlalchemy as sa

    return list(db.session.scalars(sa.select(Return).where(Return.award_id == award.id).order_by(Return.period_start)))
