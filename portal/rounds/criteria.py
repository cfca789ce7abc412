"""What reviewers score a round's bids against. Weights are shown as shares of the whole.

Once any reviewer has scored a bid in the round the criteria are fixed: changing a weight or a maximum after
scoring would change results already given, and removing a criterion would delete its scores.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from portal import audit
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Score, User
from portal.models.funding import Criterion, Round
from portal.rounds.services import one_transaction

MAXIMUM_WEIGHT = 100
MAXIMUM_SCORE = 100
UP, DOWN = "up", "down"


@dataclass
class CriterionDetails:
    name: str
    guidance: str | None
    weight: int | None
    max_score: int | None = 5


def fetch_criteria(round_: Round) -> list[Criterion]:
    return list(
        db.session.scalars(
            sa.select(Criterion).where(Criterion.round_id == round_.id).order_by(Criterion.position, Criterion.id)
        )
    )


def fetch_criterion(round_: Round, criterion_id: int) -> Criterion | None:
    criterion = db.session.get(Criterion, criterion_id)
    return criterion if criterion is not None and criterion.round_id == round_.id else None


def weight_percentages(criteria: list[Criterion]) -> dict[int, Decimal]:
    """Each criterion's weight as a percentage of the total, to one decimal place where it is not whole."""
    total = sum(c.weight for c in criteria)
    if not total:
        return {}
    shares = {}
    for criterion in criteria:
        share = (Decimal(criterion.weight) * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        shares[criterion.id] = (
            share.quantize(Decimal(1)) if share == share.to_integral_value() else share
        )  # 40, not 40.0
    return shares


def scoring_has_started(round_: Round) -> bool:
    scores = sa.select(Score.id).join(Criterion, Score.criterion_id == Criterion.id)
    return db.session.scalar(scores.where(Criterion.round_id == round_.id).limit(1)) is not None


def _check_unlocked(round_: Round) -> None:
    if scoring_has_started(round_):
        raise DomainError("Reviewers have started scoring bids in this round, so its criteria cannot change")


def _clean(details: CriterionDetails) -> CriterionDetails:
    name = " ".join((details.name or "").split())
    if not name:
        raise DomainError("Enter the criterion's name", field="name")
    if len(name) > 120:
        raise DomainError("The name must be 120 characters or fewer", field="name")
    if details.weight is None:
        raise DomainError("Enter the weight", field="weight")
    if not 1 <= details.weight <= MAXIMUM_WEIGHT:
        raise DomainError(f"The weight must be a whole number from 1 to {MAXIMUM_WEIGHT}", field="weight")
    if details.max_score is None:
        raise DomainError("Enter the highest score a reviewer can give", field="max_score")
    if not 1 <= details.max_score <= MAXIMUM_SCORE:
        raise DomainError(f"The highest score must be a whole number from 1 to {MAXIMUM_SCORE}", field="max_score")
    return CriterionDetails(name, (details.guidance or "").strip() or None, details.weight, details.max_score)


def _snapshot(criterion: Criterion) -> dict:
    return {
        "name": criterion.name,
        "guidance": criterion.guidance,
        "weight": criterion.weight,
        "max_score": criterion.max_score,
    }


def create_criterion(round_: Round, details: CriterionDetails, *, actor: User | None) -> Criterion:
    details = _clean(details)
    _check_unlocked(round_)
    position = max((c.position for c in fetch_criteria(round_)), default=-1) + 1
    with one_transaction():
        criterion = Criterion(
            round_id=round_.id,
            position=position,
            name=details.name,
            guidance=details.guidance,
            weight=details.weight,
            max_score=details.max_score,
        )
        db.session.add(criterion)
        audit.record("criterion.created", criterion, after=_snapshot(criterion), actor=actor)
    return criterion


def update_criterion(criterion: Criterion, details: CriterionDetails, *, actor: User | None) -> None:
    details = _clean(details)
    _check_unlocked(criterion.round)
    with one_transaction():
        before = _snapshot(criterion)
        criterion.name = details.name
        criterion.guidance = details.guidance
        assert details.weight is not None and details.max_score is not None  # _clean refused them missing
        criterion.weight = details.weight
        criterion.max_score = details.max_score
        after = _snapshot(criterion)
        changed = [key for key in after if after[key] != before[key]]
        if changed:
            audit.record(
                "criterion.updated",
                criterion,
                before={k: before[k] for k in changed},
                after={k: after[k] for k in changed},
                actor=actor,
            )


def remove_criterion(criterion: Criterion, *, actor: User | None) -> None:
    _check_unlocked(criterion.round)
    with one_transaction():
        audit.record("criterion.deleted", criterion, before=_snapshot(criterion), actor=actor)
        db.session.delete(criterion)


def move_criterion(criterion: Criterion, direction: str) -> None:
    criteria = fetch_criteria(criterion.round)
    index = next(i for i, c in enumerate(criteria) if c.id == criterion.id)
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(criteria):
        return
    criteria[index], criteria[other] = criteria[other], criteria[index]
    with one_transaction():
        for position, c in enumerate(criteria):
            c.position = position
