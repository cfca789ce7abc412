"""Reviewers: assigned to bids one at a time, in bulk or spread by workload, and their conflict declarations.

A reviewer who declares a conflict never sees the bid again. The bid is passed to the least-loaded reviewer who
is free to take it; if nobody is, the bid is flagged for the officers.
"""

from dataclasses import dataclass, field

import sqlalchemy as sa

from portal import audit
from portal.assessment.common import commit, lock_assignment, officers_to_tell
from portal.assessment.queries import (
    fetch_applications_in_round,
    fetch_assignments,
    fetch_assignments_for,
    fetch_eligible_reviewers,
    fetch_open_workload,
    fetch_reviewer,
)
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Application, ApplicationStatus, Membership, ReviewAssignment, Round, User
from portal.template_helpers import external_url


@dataclass
class BulkAssignResult:
    assigned: list[Application] = field(default_factory=list)
    already_assigned: list[Application] = field(default_factory=list)


@dataclass
class SpreadResult:
    assignments: int = 0
    short: list[tuple[Application, int]] = field(default_factory=list)  # bids still missing reviewers, and how many


def _require_in_review(applications: list[Application]) -> None:
    not_ready = [
        a.reference or f"a draft (number {a.id})" for a in applications if a.status is not ApplicationStatus.IN_REVIEW
    ]
    if not_ready:
        raise DomainError(
            "Reviewers can be assigned only to bids that have passed screening. Not in review: " + ", ".join(not_ready),
            field="application_ids",
        )


def _is_member_of(reviewer: User, application: Application) -> bool:
    return (
        db.session.scalar(
            sa.select(Membership.id).where(
                Membership.user_id == reviewer.id, Membership.organisation_id == application.organisation_id
            )
        )
        is not None
    )


def _why_not(reviewer: User, application: Application, assignments: list[ReviewAssignment]) -> str | None:
    for assignment in assignments:
        if assignment.reviewer_id == reviewer.id:
            if assignment.has_conflict:
                return f"{reviewer.full_name} has declared a conflict of interest on this bid"
            if assignment.removed:
                return f"{reviewer.full_name} was taken off this bid"
            return f"{reviewer.full_name} is already reviewing this bid"
    if _is_member_of(reviewer, application):
        return f"{reviewer.full_name} is a member of {application.organisation.name}"
    return None


def _assign(
    application: Application, reviewer: User, actor: User | None, *, automatic: bool = False
) -> ReviewAssignment:
    assignment = ReviewAssignment(application=application, reviewer=reviewer, assigned_by=actor)
    db.session.add(assignment)
    if not automatic:
        # An officer's new reviewer makes up for one conflicted reviewer nobody could replace, if there is one.
        waiting = db.session.scalar(
            sa.select(ReviewAssignment)
            .where(ReviewAssignment.application_id == application.id, ReviewAssignment.replacement_needed.is_(True))
            .order_by(ReviewAssignment.id)
            .limit(1)
        )
        if waiting is not None:
            waiting.replacement_needed = False
    audit.record(
        "review.reassigned" if automatic else "review.assigned",
        assignment,
        after={"application_id": application.id, "reviewer_id": reviewer.id, "reviewer": reviewer.full_name},
        actor=actor,
    )
    queue_email(
        reviewer.email,
        "review_assigned",
        reviewer=reviewer,
        assignment=assignment,
        application=application,
        link=external_url("assessment.review", assignment_id=assignment.id),
    )
    return assignment


def assign_reviewer(application: Application, reviewer_id: int | None, actor: User) -> ReviewAssignment:
    _require_in_review([application])
    reviewer = fetch_reviewer(reviewer_id) if reviewer_id else None
    if reviewer is None:
        raise DomainError("Select a reviewer", field="reviewer_id")
    reason = _why_not(reviewer, application, fetch_assignments(application))
    if reason:
        raise DomainError(reason, field="reviewer_id")
    assignment = _assign(application, reviewer, actor)
    commit("That reviewer was assigned to this bid at the same moment by someone else.")
    return assignment


def assign_in_bulk(round_: Round, application_ids: list[int], reviewer_id: int | None, actor: User) -> BulkAssignResult:
    """Give one reviewer several bids. Bids they already have (or declared a conflict on) are left as they are."""
    applications = fetch_applications_in_round(round_, application_ids)
    if not applications:
        raise DomainError("Select the bids to assign", field="application_ids")
    reviewer = fetch_reviewer(reviewer_id) if reviewer_id else None
    if reviewer is None:
        raise DomainError("Select a reviewer", field="reviewer_id")
    _require_in_review(applications)
    existing = fetch_assignments_for([a.id for a in applications])
    result = BulkAssignResult()
    for application in applications:
        if _why_not(reviewer, application, existing.get(application.id, [])):
            result.already_assigned.append(application)
        else:
            _assign(application, reviewer, actor)
            result.assigned.append(application)
    commit()
    return result


def spread_reviewers(
    round_: Round, application_ids: list[int], reviewer_ids: list[int], per_bid: int | None, actor: User
) -> SpreadResult:
    """Bring each bid up to ``per_bid`` reviewers from the chosen ones, least-loaded first.

    Never the same reviewer twice on a bid, never one who declared a conflict on it, never a member of the bidding
    organisation. Workload counts the reviews each person has open anywhere, and grows as this run assigns them.
    """
    applications = fetch_applications_in_round(round_, application_ids)
    if not applications:
        raise DomainError("Select the bids to share out", field="application_ids")
    reviewers = [r for r in (fetch_reviewer(i) for i in dict.fromkeys(reviewer_ids)) if r is not None]
    if not reviewers:
        raise DomainError("Select the reviewers to share the bids between", field="reviewer_ids")
    if per_bid is None or per_bid < 1:
        raise DomainError("Enter how many reviewers each bid needs, 1 or more", field="reviewers_per_bid")
    if per_bid > len(reviewers):
        raise DomainError(
            f"Each bid cannot have {per_bid} reviewers when you have chosen {len(reviewers)}. Choose more reviewers",
            field="reviewers_per_bid",
        )
    _require_in_review(applications)
    workload = fetch_open_workload([r.id for r in reviewers])
    existing = fetch_assignments_for([a.id for a in applications])
    result = SpreadResult()
    for application in applications:
        assignments = existing.get(application.id, [])
        needed = per_bid - sum(1 for a in assignments if a.active)
        if needed <= 0:
            continue
        free = [r for r in reviewers if _why_not(r, application, assignments) is None]
        free.sort(key=lambda r: (workload.get(r.id, 0), r.full_name, r.id))
        for reviewer in free[:needed]:
            _assign(application, reviewer, actor)
            workload[reviewer.id] = workload.get(reviewer.id, 0) + 1
            result.assignments += 1
        if len(free) < needed:
            result.short.append((application, needed - len(free)))
    commit()
    return result


def find_replacement(application: Application) -> User | None:
    """The least-loaded reviewer who could take over this bid: not already on it, never conflicted on it."""
    assignments = fetch_assignments(application)
    candidates = [r for r in fetch_eligible_reviewers() if _why_not(r, application, assignments) is None]
    if not candidates:
        return None
    workload = fetch_open_workload([r.id for r in candidates])
    return min(candidates, key=lambda r: (workload.get(r.id, 0), r.full_name, r.id))


def declare(assignment: ReviewAssignment, has_conflict: bool | None, note: str | None, actor: User) -> User | None:
    """Record the reviewer's declaration. On a conflict, reassign the bid (returning the new reviewer, if any),
    record it and tell the officers. A declaration cannot be changed afterwards."""
    if assignment.has_conflict is not None:
        raise DomainError("You have already made your declaration for this bid")
    if has_conflict is None:
        raise DomainError("Select yes if you have a conflict of interest with this bid", field="has_conflict")
    note = (note or "").strip() or None
    if has_conflict and not note:
        raise DomainError("Describe your conflict of interest", field="conflict_note")
    application = assignment.application
    assignment.has_conflict = has_conflict
    assignment.conflict_note = note if has_conflict else None
    assignment.declared_at = utcnow()
    audit.record(
        "review.conflict_declared" if has_conflict else "review.no_conflict_declared",
        assignment,
        before={"has_conflict": None},
        after={"has_conflict": has_conflict, "application_id": application.id},
        actor=actor,
    )
    replacement = None
    if has_conflict:
        db.session.flush()
        replacement = find_replacement(application)
        if replacement is not None:
            _assign(application, replacement, actor, automatic=True)
        else:
            assignment.replacement_needed = True
            audit.record("review.replacement_needed", assignment, after={"application_id": application.id}, actor=actor)
        for officer in officers_to_tell(assignment.assigned_by):
            if officer.id != actor.id:
                queue_email(
                    officer.email,
                    "review_conflict_declared",
                    officer=officer,
                    assignment=assignment,
                    application=application,
                    replacement=replacement,
                    link=external_url(
                        "assessment.bid_reviewers", round_id=application.round_id, application_id=application.id
                    ),
                )
    commit()
    return replacement


def unassign_blocker(assignment: ReviewAssignment) -> str | None:
    """Why this reviewer cannot be taken off the bid, in words, or ``None`` if they can."""
    name = assignment.reviewer.full_name
    if assignment.removed:
        return f"{name} has already been taken off this bid"
    if assignment.has_conflict:
        return f"{name} declared a conflict of interest and already cannot see this bid"
    if assignment.completed_at is not None:
        return f"{name} has completed their review, so it counts towards the bid's score and cannot be taken away"
    if assignment.application.status is not ApplicationStatus.IN_REVIEW:
        status = assignment.application.status.label.lower()
        return f"This bid is {status}: reviewers can be taken off a bid only while it is in review"
    return None


def unassign(assignment: ReviewAssignment, actor: User) -> None:
    """Take a reviewer off a bid they have not finished. They lose sight of it at once, as after a conflict, and
    any draft scores are deleted so they never reach moderation. The assignment stays, marked removed, so officers
    can see who was on the bid and the reviewer cannot be given it again by the workload share-out."""
    lock_assignment(assignment)
    blocker = unassign_blocker(assignment)
    if blocker:
        raise DomainError(blocker)
    discarded = len(assignment.scores)
    assignment.scores.clear()
    assignment.removed_at = utcnow()
    assignment.removed_by = actor
    assignment.replacement_needed = False
    audit.record(
        "review.unassigned",
        assignment,
        before={"reviewer_id": assignment.reviewer_id, "draft_scores": discarded},
        after={
            "application_id": assignment.application_id,
            "reviewer": assignment.reviewer.full_name,
            "draft_scores_discarded": discarded,
        },
        actor=actor,
    )
    queue_email(
        assignment.reviewer.email,
        "review_unassigned",
        reviewer=assignment.reviewer,
        application=assignment.application,
        link=external_url("assessment.reviews"),
    )
    commit()
