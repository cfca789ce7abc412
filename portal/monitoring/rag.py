"""The red, amber and green rules for performance records, in one place.

The public page /performance/rules renders these same constants, so what Londoners read is what the code does.
Ratings are computed from whole numbers (pence, counts, days) so that a boundary is never missed by rounding.
"""

from dataclasses import dataclass
from datetime import date

from portal.models import Rag

# Delivery: what the service achieved against its measures' targets for the period.
DELIVERY_GREEN_FROM_PERCENT = 90
DELIVERY_AMBER_FROM_PERCENT = 70

# Spend: how far spend in the period is from its profile (the financial year's amount shared evenly between the
# award's returns in that year), either way.
SPEND_GREEN_WITHIN_PERCENT = 10
SPEND_AMBER_WITHIN_PERCENT = 25

# Timeliness: when the return was first submitted, against its due date.
TIMELINESS_AMBER_UP_TO_DAYS_LATE = 14


@dataclass(frozen=True)
class Ratings:
    delivery: Rag | None
    delivery_percent: int | None
    spend: Rag
    timeliness: Rag
    days_late: int
    overall: Rag


def delivery_rating(achievements: list[tuple[int, int]]) -> tuple[Rag | None, int | None]:
    """Rate ``(actual, target)`` pairs by their average achievement, each measure counted up to 100%, so that
    doing more than promised on one measure cannot hide a shortfall on another. No measures: not rated."""
    if not achievements:
        return None, None
    # Sum of each measure's achievement (capped at 1) over the count, compared in exact fractions.
    numerator, denominator = 0, 1
    for actual, target in achievements:
        share_num, share_den = (1, 1) if target <= 0 or actual >= target else (actual, target)
        numerator, denominator = numerator * share_den + share_num * denominator, denominator * share_den
    denominator *= len(achievements)
    percent = numerator * 100 // denominator
    if numerator * 100 >= DELIVERY_GREEN_FROM_PERCENT * denominator:
        return Rag.GREEN, percent
    if numerator * 100 >= DELIVERY_AMBER_FROM_PERCENT * denominator:
        return Rag.AMBER, percent
    return Rag.RED, percent


def spend_rating(spend_pence: int, profile_pence: int) -> Rag:
    """Green within ±10% of profile, amber within ±25%, red beyond. Nothing profiled: green only if nothing spent."""
    difference = abs(spend_pence - profile_pence)
    if profile_pence <= 0:
        return Rag.GREEN if spend_pence == 0 else Rag.RED
    if difference * 100 <= SPEND_GREEN_WITHIN_PERCENT * profile_pence:
        return Rag.GREEN
    if difference * 100 <= SPEND_AMBER_WITHIN_PERCENT * profile_pence:
        return Rag.AMBER
    return Rag.RED


def days_late(due_on: date, submitted_on: date | None, today: date) -> int:
    """Days after the due date that the return came in (or, if it has not, that it is now). Never negative."""
    return max(0, ((submitted_on or today) - due_on).days)


def timeliness_rating(due_on: date, submitted_on: date | None, today: date) -> Rag:
    """Green on or before the due date, amber up to 14 days late, red later. A return not yet in counts as late
    from the day after its due date, so a missing return turns red too."""
    late = days_late(due_on, submitted_on, today)
    if late == 0:
        return Rag.GREEN
    if late <= TIMELINESS_AMBER_UP_TO_DAYS_LATE:
        return Rag.AMBER
    return Rag.RED


def overall_rating(*ratings: Rag | None) -> Rag:
    """The worst of the aspects that were rated: one red aspect makes the period red."""
    rated = [rating for rating in ratings if rating is not None]
    return max(rated, key=lambda rating: rating.severity) if rated else Rag.GREEN


def rate(
    achievements: list[tuple[int, int]],
    spend_pence: int,
    profile_pence: int,
    due_on: date,
    submitted_on: date | None,
    today: date,
) -> Ratings:
    delivery, percent = delivery_rating(achievements)
    spend = spend_rating(spend_pence, profile_pence)
    timeliness = timeliness_rating(due_on, submitted_on, today)
    return Ratings(
        delivery=delivery,
        delivery_percent=percent,
        spend=spend,
        timeliness=timeliness,
        days_late=days_late(due_on, submitted_on, today),
        overall=overall_rating(delivery, spend, timeliness),
    )
