"""Helpers for the directory's tests: services (approved awards) in boroughs and service areas, and accepted
returns with their ratings."""

from datetime import UTC, date, datetime, time, timedelta

from portal.database import utcnow
from portal.extensions import db
from portal.models import Award, AwardStatus, Fund, MeasureActual, Organisation, Return, ReturnStatus, ServiceArea
from portal.monitoring.performance import profile_pence, record_performance
from tests.factories_monitoring import award_returns, create_award, create_measure


def today() -> date:
    return utcnow().date()


def create_service(
    title: str,
    *,
    organisation: Organisation | None = None,
    boroughs: tuple[str, ...] = ("Southwark",),
    pan_london: bool = False,
    areas: tuple[ServiceArea, ...] = (ServiceArea.VICTIM_SUPPORT,),
    fund: Fund | None = None,
    start: date | None = None,
    end: date | None = None,
    status: AwardStatus = AwardStatus.APPROVED,
    amounts_pence: tuple[int, ...] = (40_000_00, 40_000_00),
) -> Award:
    """A service running from a year ago for two years, unless told otherwise."""
    start = start or today() - timedelta(days=365)
    award = create_award(
        organisation,
        title=title,
        boroughs=() if pan_london else boroughs,
        start=start,
        end=end or start + timedelta(days=730),
        status=status,
        amounts_pence=amounts_pence,
    )
    award.service_areas = list(areas)
    award.works_pan_london = pan_london
    if fund is not None:
        award.fund = fund
    db.session.commit()
    return award


def accept_return(return_: Return, *, share: int = 100, people: int | None = None) -> Return:
    """Fill in a return with spend and delivery at ``share`` per cent of profile and target, submitted on time,
    and accept it, rating it as the officers' service does."""
    measures = list(return_.award and _measures(return_.award))
    return_.spend_pence = profile_pence(return_) * share // 100
    return_.people_helped = people
    for measure in measures:
        actual = measure.target_for(return_.frequency.quarters) * share // 100
        return_.actuals.append(MeasureActual(measure_id=measure.id, actual=actual))
    return_.progress = "Going well."
    return_.submitted_at = return_.first_submitted_at = datetime.combine(return_.due_on, time(9), tzinfo=UTC)
    return_.status = ReturnStatus.ACCEPTED
    return_.accepted_at = utcnow()
    record_performance(return_, None)
    db.session.commit()
    return return_


def _measures(award: Award):
    import sqlalchemy as sa

    from portal.models import Measure

    return db.session.scalars(sa.select(Measure).where(Measure.award_id == award.id).order_by(Measure.id))


def rate(award: Award, *shares: int) -> list[Return]:
    """Accept the award's first returns, one per share given, oldest first. Adds a measure if it has none."""
    if not list(_measures(award)):
        create_measure(award, "People supported", unit="people", target=100)
    returns = award_returns(award)[: len(shares)]
    for return_, share in zip(returns, shares, strict=True):
        accept_return(return_, share=share)
    return returns
