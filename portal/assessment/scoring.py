"""The arithmetic of reviewers' scores, kept pure so that it can be checked by hand and tested on its own.

A reviewer's weighted total is ``sum(score * weight) / sum(max_score * weight) * 100``, shown to one decimal
place (rounded half up). Everything is Decimal: nothing stored or shown passes through a float.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ONE_PLACE = Decimal("0.1")
# Reviewers whose totals are further apart than this (in percentage points) disagree.
DISAGREEMENT_SPREAD_POINTS = Decimal(20)
# ... as do reviewers whose scores for any one criterion are this many points or more apart.
DISAGREEMENT_CRITERION_GAP = 3


@dataclass(frozen=True)
class WeightedCriterion:
    criterion_id: int
    name: str
    weight: int
    max_score: int


@dataclass(frozen=True)
class ReviewerScores:
    reviewer: str
    scores: Mapping[int, int]  # criterion id → score
    complete: bool


@dataclass(frozen=True)
class ReviewerTotal:
    reviewer: str
    complete: bool
    scored: int  # how many criteria have a score
    percentage: Decimal | None  # only for a complete review


@dataclass(frozen=True)
class ScoreSummary:
    reviewers: list[ReviewerTotal]
    completed: int
    average: Decimal | None
    spread: Decimal | None
    disagreements: list[str] = field(default_factory=list)

    @property
    def disagree(self) -> bool:
        return bool(self.disagreements)


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _exact_percentage(criteria: Sequence[WeightedCriterion], scores: Mapping[int, int]) -> Decimal:
    possible = sum(c.max_score * c.weight for c in criteria)
    if possible == 0:
        return Decimal(0)
    achieved = sum(scores.get(c.criterion_id, 0) * c.weight for c in criteria)
    return Decimal(achieved * 100) / Decimal(possible)


def weighted_percentage(criteria: Sequence[WeightedCriterion], scores: Mapping[int, int]) -> Decimal:
    """The weighted total as a percentage to one decimal place. A criterion without a score counts as 0."""
    return _round(_exact_percentage(criteria, scores))


def summarise(
    criteria: Sequence[WeightedCriterion],
    reviews: Iterable[ReviewerScores],
    *,
    spread_threshold: Decimal = DISAGREEMENT_SPREAD_POINTS,
    criterion_gap: int = DISAGREEMENT_CRITERION_GAP,
) -> ScoreSummary:
    """Each reviewer's total, and the average, spread and any disagreement across the completed reviews.

    The average is taken over the exact totals and rounded once; the spread is the gap between the highest and
    lowest totals as shown, so that a reader can check it from the table.
    """
    reviews = list(reviews)
    totals = []
    exact_completed = []
    for review in reviews:
        exact = _exact_percentage(criteria, review.scores) if review.complete else None
        if exact is not None:
            exact_completed.append(exact)
        totals.append(
            ReviewerTotal(
                reviewer=review.reviewer,
                complete=review.complete,
                scored=sum(1 for c in criteria if c.criterion_id in review.scores),
                percentage=_round(exact) if exact is not None else None,
            )
        )
    shown = [total.percentage for total in totals if total.percentage is not None]
    if not shown:
        return ScoreSummary(reviewers=totals, completed=0, average=None, spread=None)
    average = _round(sum(exact_completed, Decimal(0)) / len(exact_completed))
    spread = max(shown) - min(shown)
    disagreements = []
    if spread > spread_threshold:
        disagreements.append(
            f"The reviewers' totals are {spread} percentage points apart, more than {spread_threshold}."
        )
    completed = [review for review in reviews if review.complete]
    for criterion in criteria:
        given = [
            review.scores[criterion.criterion_id] for review in completed if criterion.criterion_id in review.scores
        ]
        if len(given) > 1 and max(given) - min(given) >= criterion_gap:
            disagreements.append(
                f"Scores for \u201c{criterion.name}\u201d range from {min(given)} to {max(given)} "
                f"(a gap of {max(given) - min(given)} points)."
            )
    return ScoreSummary(
        reviewers=totals, completed=len(shown), average=average, spread=spread, disagreements=disagreements
    )


def tenths_to_percentage(tenths: int | None) -> Decimal | None:
    """``735`` → ``Decimal('73.5')``: how an agreed score stored in tenths is shown."""
    if tenths is None:
        return None
    return (Decimal(tenths) / 10).quantize(ONE_PLACE)


def percentage_to_tenths(percentage: Decimal) -> int:
    return int((percentage * 10).to_integral_value(rounding=ROUND_HALF_UP))


def parse_percentage(text: str | None) -> Decimal | None:
    """``'73.5'`` or ``'73.5%'`` → ``Decimal('73.5')``; ``None`` for anything that is not 0 to 100 with at most one
    decimal place."""
    cleaned = (text or "").strip().removesuffix("%").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > 100 or value != value.quantize(ONE_PLACE):
        return None
    return value.quantize(ONE_PLACE)
