"""Measures on an award, and the schedule of returns that each approved award gets."""

from dataclasses import dataclass

import sqlalchemy as sa

from portal import audit
from portal.dialogue.follow_ups import sync_follow_ups
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Award, AwardStatus, Measure, MeasureBasis, Return, ReturnStatus, User
from portal.models.funding import DEFAULT_SMALL_BID_THRESHOLD_PENCE
from portal.monitoring.schedule import frequency_for, return_periods


@dataclass
class MeasureDetails:
    name: str
    unit: str
    target: int | None
    basis: MeasureBasis


def small_bid_threshold_pence(award: Award) -> int:
    if award.application is not None:
        return award.application.round.small_bid_threshold_pence
    return DEFAULT_SMALL_BID_THRESHOLD_PENCE


def generate_schedule(award: Award) -> int:
    """Bring an approved award's returns into line with its dates. The caller commits. Running it again changes
    nothing.

    Adds the returns it is missing (an extension adds the new periods), removes returns that lie entirely after
    the end date and were never started (status due, nothing saved), and moves the end and due date of an untouched
    return whose period the award's new dates clip or extend. Returns already started are never changed.
    Also adds its follow-ups after it ends, moving those not yet submitted if the end date has changed.
    Returns how many returns were added.
    """
    if award.status is not AwardStatus.APPROVED:
        return 0
    existing = {r.period_start: r for r in db.session.scalars(sa.select(Return).where(Return.award_id == award.id))}
    # Keep the frequency the award already reports at, so a changed amount never gives overlapping periods.
    frequency = next(iter(existing.values())).frequency if existing else None
    frequency = frequency or frequency_for(award.total_pence, small_bid_threshold_pence(award))
    periods = return_periods(award.start_date, award.end_date, frequency)
    added = changed = 0
    for period in periods:
        current = existing.get(period.start)
        if current is None:
            db.session.add(
                Return(
                    award_id=award.id,
                    financial_year=period.financial_year,
                    label=period.label,
                    frequency=period.frequency,
                    period_start=period.start,
                    period_end=period.end,
                    due_on=period.due_on,
                )
            )
            added += 1
        elif _untouched(current) and (current.period_end, current.due_on) != (period.end, period.due_on):
            current.period_end, current.due_on = period.end, period.due_on
            changed += 1
    removed = 0
    for return_ in existing.values():
        if return_.period_start > award.end_date and _untouched(return_):
            db.session.delete(return_)
            removed += 1
    if added or changed or removed:
        audit.record(
            "award.returns_scheduled",
            award,
            after={"returns": added, "frequency": frequency, "changed": changed, "removed": removed},
            organisation_id=award.organisation_id,
            actor=None,  # the schedule follows the award's dates, whoever changed them
        )
    sync_follow_ups(award)
    return added


def _untouched(return_: Return) -> bool:
    """Due and never saved: nobody has typed anything into it."""
    return (
        return_.status is ReturnStatus.DUE
        and return_.spend_pence is None
        and return_.people_helped is None
        and not return_.progress
        and not return_.actuals
    )


def generate_return_schedule(award_id: int) -> int:
    """The job: re-read the award and add its missing returns, in one transaction. Safe to run twice."""
    award = db.session.get(Award, award_id)
    if award is None:
        return 0
    added = generate_schedule(award)
    db.session.commit()
    return added


def _check(details: MeasureDetails) -> None:
    errors = []
    if not details.name.strip():
        errors.append(DomainError("Enter what the service promised", "name"))
    if not details.unit.strip():
        errors.append(DomainError("Enter the unit, like young people engaged", "unit"))
    if details.target is None:
        errors.append(DomainError("Enter the target as a whole number", "target"))
    elif details.target < 0:
        errors.append(DomainError("The target cannot be less than 0", "target"))
    raise_if_any(errors)


def create_measure(award: Award, details: MeasureDetails, actor: User) -> Measure:
    if award.status is not AwardStatus.APPROVED:
        raise DomainError("Measures can be added once the award is approved")
    _check(details)
    measure = Measure(
        award=award, name=details.name.strip(), unit=details.unit.strip(), target=details.target, basis=details.basis
    )
    db.session.add(measure)
    audit.record(
        "measure.created",
        measure,
        after={"name": measure.name, "target": measure.target, "basis": measure.basis},
        organisation_id=award.organisation_id,
        actor=actor,
    )
    db.session.commit()
    return measure


def update_measure(measure: Measure, details: MeasureDetails, actor: User) -> Measure:
    _check(details)
    assert details.target is not None  # _check refused a missing target
    assert measure.award is not None  # an award's measure: a borough project's are changed with its plan
    before = {"name": measure.name, "unit": measure.unit, "target": measure.target, "basis": measure.basis}
    measure.name, measure.unit = details.name.strip(), details.unit.strip()
    measure.target, measure.basis = details.target, details.basis
    audit.record(
        "measure.updated",
        measure,
        before=before,
        after={"name": measure.name, "unit": measure.unit, "target": measure.target, "basis": measure.basis},
        organisation_id=measure.award.organisation_id,
        actor=actor,
    )
    db.session.commit()
    return measure
