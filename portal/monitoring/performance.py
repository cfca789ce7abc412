"""Performance records: computed by the published rules when an officer accepts a return, and overridden only
with a written reason. Every rating given is kept as history."""

from decimal import ROUND_HALF_EVEN, Decimal

import sqlalchemy as sa

from portal import audit
from portal.database import utcnow
from portal.directory import published
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import PerformanceRecord, Rag, RatingAspect, RatingChange, Return, User
from portal.monitoring import rag
from portal.periods import london_date, today_in_london

ASPECTS = (RatingAspect.DELIVERY, RatingAspect.SPEND, RatingAspect.TIMELINESS)


def profile_pence(return_: Return) -> int:
    """What is expected to be spent in this return's period: the financial year's amount of the award (or plan
    project) shared evenly between its returns in that year."""
    if return_.award is not None:
        amount = next((y.amount_pence for y in return_.award.years if y.financial_year == return_.financial_year), 0)
        same_funding = Return.award_id == return_.award_id
    else:
        amount = return_.borough_project.amount_for(return_.financial_year)
        same_funding = Return.plan_project_id == return_.plan_project_id
    periods = (
        db.session.scalar(
            sa.select(sa.func.count(Return.id)).where(same_funding, Return.financial_year == return_.financial_year)
        )
        or 0
    )
    # Whole pence worked out in Decimal, never float; halves go to the even penny, as they always have.
    return int((Decimal(amount) / max(periods, 1)).to_integral_value(rounding=ROUND_HALF_EVEN))


def achievements(return_: Return) -> list[tuple[int, int]]:
    return [
        (actual.actual, actual.measure.target_for(return_.frequency.quarters))
        for actual in sorted(return_.actuals, key=lambda a: a.measure_id)
    ]


def record_performance(return_: Return, actor: User | None) -> PerformanceRecord:
    """Rate an accepted return and keep the ratings as history. The caller commits."""
    submitted = return_.first_submitted_at or return_.submitted_at
    submitted_on = london_date(submitted) if submitted else None
    today = today_in_london()
    profile = profile_pence(return_)
    ratings = rag.rate(achievements(return_), return_.spend_pence or 0, profile, return_.due_on, submitted_on, today)
    record = db.session.scalar(sa.select(PerformanceRecord).where(PerformanceRecord.return_id == return_.id))
    if record is None:
        record = PerformanceRecord(award_id=return_.award_id, plan_project_id=return_.plan_project_id, return_=return_)
        db.session.add(record)
    record.delivery_percent = ratings.delivery_percent
    record.spend_pence = return_.spend_pence or 0
    record.profile_pence = profile
    record.days_late = ratings.days_late
    record.computed_at = utcnow()
    for aspect in (*ASPECTS, RatingAspect.OVERALL):
        setattr(record, aspect.value, getattr(ratings, aspect.value))
        record.changes.append(RatingChange(aspect=aspect, rating=getattr(ratings, aspect.value), changed_by=actor))
    audit.record(
        "performance.rated",
        record,
        after={aspect.value: getattr(ratings, aspect.value) for aspect in (*ASPECTS, RatingAspect.OVERALL)},
        organisation_id=return_.organisation_id,
        actor=actor,
    )
    return record


def overall_is_overridden(record: PerformanceRecord) -> bool:
    overall = [change for change in record.changes if change.aspect is RatingAspect.OVERALL]
    return bool(overall) and overall[-1].overridden


def override_rating(
    record: PerformanceRecord, aspect: RatingAspect | None, rating: Rag | None, reason: str, actor: User
) -> PerformanceRecord:
    """Set one rating by hand. A reason is required and is kept with the change.

    Overriding delivery, spend or timeliness works the overall rating out again by the published rule, unless an
    officer has set the overall rating by hand, which then stands.
    """
    errors = []
    if aspect is None:
        errors.append(DomainError("Select which rating to change", "aspect"))
    if rating is None:
        errors.append(DomainError("Select red, amber or green", "rating"))
    if not (reason or "").strip():
        errors.append(DomainError("Enter the reason for changing the rating", "reason"))
    raise_if_any(errors)
    assert aspect is not None  # refused above when missing
    before = record.rating(aspect)
    setattr(record, aspect.value, rating)
    record.changes.append(
        RatingChange(aspect=aspect, rating=rating, overridden=True, reason=reason.strip(), changed_by=actor)
    )
    if aspect is not RatingAspect.OVERALL and not overall_is_overridden(record):
        overall = rag.overall_rating(*(record.rating(a) for a in ASPECTS))
        if overall is not record.overall:
            record.overall = overall
            record.changes.append(RatingChange(aspect=RatingAspect.OVERALL, rating=overall, changed_by=actor))
    audit.record(
        "performance.overridden",
        record,
        before={aspect.value: before},
        after={aspect.value: rating, "reason": reason.strip(), "overall": record.overall},
        organisation_id=record.return_.organisation_id,
        actor=actor,
    )
    published.changed(awards=() if record.award_id is None else (record.award_id,))  # the performance file shows it
    db.session.commit()
    return record
