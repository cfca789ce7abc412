"""A reviewer scores their bid against the round's weighted criteria: save and return, then mark complete."""

from dataclasses import dataclass

from portal import audit
from portal.assessment.common import commit, lock_assignment
from portal.assessment.queries import fetch_criteria, weighted_criteria
from portal.assessment.scoring import weighted_percentage
from portal.database import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import ApplicationStatus, ReviewAssignment, Score, User


@dataclass(frozen=True)
class ScoreEntry:
    criterion_id: int
    score: int | None
    justification: str | None


def can_still_score(assignment: ReviewAssignment) -> bool:
    return (
        assignment.may_see_bid
        and assignment.completed_at is None
        and assignment.application.status is ApplicationStatus.IN_REVIEW
    )


def save_scores(assignment: ReviewAssignment, entries: list[ScoreEntry], *, complete: bool, actor: User) -> None:
    """Save what the reviewer has written so far. To complete, every criterion needs a score and a justification.

    A criterion left blank is cleared; a score always comes with its justification.
    """
    lock_assignment(assignment)
    if assignment.removed:
        raise DomainError("You are no longer reviewing this bid")
    if assignment.has_conflict is not False:
        raise DomainError("Declare whether you have a conflict of interest before you score this bid")
    if assignment.completed_at is not None:
        raise DomainError("You have marked this review complete, so its scores cannot be changed")
    if assignment.application.status is not ApplicationStatus.IN_REVIEW:
        raise DomainError("Scoring for this bid has closed")
    criteria = {criterion.id: criterion for criterion in fetch_criteria(assignment.application.round)}
    if complete and not criteria:
        raise DomainError("This round has no scoring criteria yet, so the review cannot be completed")
    given = {entry.criterion_id: entry for entry in entries if entry.criterion_id in criteria}
    existing = {score.criterion_id: score for score in assignment.scores}
    for criterion_id, criterion in criteria.items():
        entry = given.get(criterion_id)
        score = entry.score if entry else None
        justification = ((entry.justification if entry else None) or "").strip()
        if score is None:
            if justification:
                raise DomainError(f"Give a score for \u201c{criterion.name}\u201d", field=f"score_{criterion_id}")
            if complete:
                raise DomainError(f"Give a score for \u201c{criterion.name}\u201d", field=f"score_{criterion_id}")
            if criterion_id in existing:
                assignment.scores.remove(existing[criterion_id])
            continue
        if not 0 <= score <= criterion.max_score:
            raise DomainError(
                f"The score for \u201c{criterion.name}\u201d must be from 0 to {criterion.max_score}",
                field=f"score_{criterion_id}",
            )
        if not justification:
            raise DomainError(
                f"Explain your score for \u201c{criterion.name}\u201d", field=f"justification_{criterion_id}"
            )
        row = existing.get(criterion_id)
        if row is None:
            assignment.scores.append(Score(criterion_id=criterion_id, score=score, justification=justification))
        else:
            row.score = score
            row.justification = justification
    db.session.flush()
    scores = {score.criterion_id: score.score for score in assignment.scores}
    audit.record("review.scores_saved", assignment, after={"scored": len(scores), "of": len(criteria)}, actor=actor)
    if complete:
        assignment.completed_at = utcnow()
        audit.record(
            "review.completed",
            assignment,
            after={
                "application_id": assignment.application_id,
                "weighted_percentage": weighted_percentage(weighted_criteria(list(criteria.values())), scores),
            },
            actor=actor,
        )
    commit("Your scores were saved from another window at the same moment. Check them and try again.")
