"""Named queries for assessment: rounds and their bids, reviewers and their workload, scores and answers."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import orm
from sqlalchemy.orm import aliased, defaultload, lazyload, selectinload

from portal.assessment.answers import answer_text, file_id_of
from portal.assessment.scoring import (
    ReviewerScores,
    ScoreSummary,
    WeightedCriterion,
    summarise,
    tenths_to_percentage,
)
from portal.extensions import db
from portal.models import (
    Answer,
    Application,
    ApplicationStatus,
    ApplicationYear,
    Award,
    Criterion,
    Decision,
    DecisionOutcome,
    Fund,
    Moderation,
    Organisation,
    Question,
    ReviewAssignment,
    Round,
    Score,
    ScreeningCheck,
    StaffRole,
    User,
)
from portal.permissions import Permission, roles_granting

S = ApplicationStatus
# The order a bid moves through assessment, used to sort by status.
PIPELINE = (S.SUBMITTED, S.SCREENING, S.IN_REVIEW, S.MODERATED, S.DECIDED, S.WITHDRAWN)
BIDS_PER_PAGE = 25
SORTS = ("reference", "organisation", "amount", "status", "score")


# Rounds ---------------------------------------------------------------------------------------------------------


def fetch_round(round_id: int) -> Round | None:
    return db.session.get(Round, round_id)


def fetch_round_for_list(round_id: int) -> Round | None:
    """A round for a page that shows its title and fund's name: its boroughs and fund's service areas unloaded."""
    return db.session.get(
        Round, round_id, options=[lazyload(Round.boroughs), defaultload(Round.fund).lazyload(Fund.service_area_links)]
    )


# What the officers' list of rounds can be narrowed to: rounds with bids at one stage of assessment.
NEEDS = {
    "screening": ("Bids to screen", (S.SUBMITTED, S.SCREENING)),
    "review": ("Bids in review", (S.IN_REVIEW,)),
    "decision": ("Bids to decide", (S.MODERATED,)),
}


def fetch_rounds_page(page: int, per_page: int = 20, needs: str = "") -> Pagination:
    """Rounds, newest closing first; only those with bids at one stage if ``needs`` names it."""
    query = sa.select(Round)
    if needs in NEEDS:
        query = query.where(
            sa.exists().where(Application.round_id == Round.id, Application.status.in_(NEEDS[needs][1]))
        )
    return db.paginate(
        query.order_by(Round.closes_at.desc(), Round.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def fetch_status_counts(round_ids: list[int]) -> dict[int, dict[ApplicationStatus, int]]:
    counts: dict[int, dict[ApplicationStatus, int]] = defaultdict(dict)
    if not round_ids:
        return counts
    rows = db.session.execute(
        sa.select(Application.round_id, Application.status, sa.func.count())
        .where(Application.round_id.in_(round_ids), Application.status != S.DRAFT)
        .group_by(Application.round_id, Application.status)
    )
    for round_id, status, number in rows:
        counts[round_id][status] = number
    return counts


# The officers' list of bids ---------------------------------------------------------------------------------------


def _total_requested() -> sa.Subquery:
    return (
        sa.select(ApplicationYear.application_id, sa.func.sum(ApplicationYear.amount_pence).label("total"))
        .group_by(ApplicationYear.application_id)
        .subquery()
    )


def _average_score_tenths() -> sa.Subquery:
    """Each bid's average weighted total over its completed reviews, in tenths of a percent (for sorting)."""
    per_review = (
        sa.select(
            ReviewAssignment.application_id.label("application_id"),
            (
                sa.func.sum(Score.score * Criterion.weight)
                * sa.literal(1000.0)
                / sa.func.sum(Criterion.max_score * Criterion.weight)
            ).label("tenths"),
        )
        .join(Score, Score.assignment_id == ReviewAssignment.id)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(
            ReviewAssignment.completed_at.is_not(None),
            ReviewAssignment.has_conflict.is_(False),
            ReviewAssignment.removed_at.is_(None),
        )
        .group_by(ReviewAssignment.id, ReviewAssignment.application_id)
        .subquery()
    )
    return (
        sa.select(per_review.c.application_id, sa.func.avg(per_review.c.tenths).label("tenths"))
        .group_by(per_review.c.application_id)
        .subquery()
    )


def fetch_bids_page(
    round_: Round, *, status: ApplicationStatus | None, sort: str, descending: bool, page: int
) -> Pagination:
    """Every submitted bid in the round (never drafts), filtered by status and sorted by one column."""
    query = sa.select(Application).where(Application.round_id == round_.id, Application.status != S.DRAFT)
    if status is not None:
        query = query.where(Application.status == status)
    key: sa.ColumnElement[Any] | orm.InstrumentedAttribute[Any]
    if sort == "organisation":
        query = query.join(Organisation, Organisation.id == Application.organisation_id)
        key = sa.func.lower(Organisation.name)
    elif sort == "amount":
        totals = _total_requested()
        query = query.outerjoin(totals, totals.c.application_id == Application.id)
        key = sa.func.coalesce(totals.c.total, 0)
    elif sort == "status":
        key = sa.case({s: position for position, s in enumerate(PIPELINE)}, value=Application.status, else_=99)
    elif sort == "score":
        averages = _average_score_tenths()
        query = query.outerjoin(Moderation, Moderation.application_id == Application.id).outerjoin(
            averages, averages.c.application_id == Application.id
        )
        key = sa.func.coalesce(Moderation.agreed_score_tenths, averages.c.tenths)
    else:
        key = Application.reference
    ordered = key.desc() if descending else key.asc()
    if sort == "score":
        ordered = ordered.nulls_last()
    query = query.order_by(ordered, Application.reference).options(*_LIST_ONLY)
    return db.paginate(query, page=page, per_page=BIDS_PER_PAGE, error_out=False)


# A list of bids shows each one's reference, title, organisation's name, status and amount: the round is the one
# already loaded, and the bid's and its organisation's boroughs and service areas are left unloaded.
_LIST_ONLY = (
    lazyload(Application.round),
    lazyload(Application.boroughs),
    lazyload(Application.service_area_links),
    defaultload(Application.organisation).lazyload(Organisation.boroughs_served),
)


@dataclass(frozen=True)
class BidProgress:
    """What the officers' list shows about a bid's reviews."""

    assigned: int = 0
    complete: int = 0
    conflicts: int = 0
    removed: int = 0
    awaiting_declaration: int = 0
    replacement_needed: bool = False
    score: Decimal | None = None
    score_is_moderated: bool = False
    reviews_counted: int = 0


def fetch_bid_progress(applications: list[Application]) -> dict[int, BidProgress]:
    """Reviewer counts and the weighted score for each bid, read in a few queries for a whole page of bids."""
    ids = [application.id for application in applications]
    if not ids:
        return {}
    assignments = fetch_assignments_for(ids)
    criteria = fetch_criteria_by_round({application.round_id for application in applications})
    moderations = fetch_moderations_for(ids)
    progress = {}
    for application in applications:
        mine = assignments.get(application.id, [])
        active = [a for a in mine if a.active]
        moderation = moderations.get(application.id)
        summary = summarise_scores(criteria.get(application.round_id, []), active)
        progress[application.id] = BidProgress(
            assigned=len(active),
            complete=sum(1 for a in active if a.completed_at is not None),
            conflicts=sum(1 for a in mine if a.has_conflict),
            removed=sum(1 for a in mine if a.removed and not a.has_conflict),
            awaiting_declaration=sum(1 for a in active if a.has_conflict is None),
            replacement_needed=any(a.replacement_needed for a in mine),
            score=tenths_to_percentage(moderation.agreed_score_tenths) if moderation else summary.average,
            score_is_moderated=moderation is not None,
            reviews_counted=summary.completed,
        )
    return progress


# Bids, answers and screening ------------------------------------------------------------------------------------


def fetch_application(application_id: int) -> Application | None:
    return db.session.get(Application, application_id)


def fetch_applications_in_round(round_: Round, ids: list[int]) -> list[Application]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.round_id == round_.id, Application.id.in_(ids))
            .order_by(Application.reference)
        )
    )


def fetch_bids_with_status(round_: Round, status: ApplicationStatus) -> list[Application]:
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.round_id == round_.id, Application.status == status)
            .order_by(Application.reference)
        )
    )


@dataclass(frozen=True)
class AnsweredQuestion:
    question: Question
    value: Any

    @property
    def text(self) -> str:
        return answer_text(self.question, self.value)

    @property
    def file_id(self) -> int | None:
        return file_id_of(self.question, self.value)


def fetch_answers_by_section(application: Application) -> list[tuple[str, list[AnsweredQuestion]]]:
    """The bid's answers, grouped by the section of the form they were given in, in the form's order, with the
    eligibility questions first."""
    answers = db.session.scalars(
        sa.select(Answer)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.application_id == application.id)
        .order_by(
            Question.is_eligibility.desc(), Question.section_position, Question.section, Question.position, Question.id
        )
    )
    sections: dict[str, list[AnsweredQuestion]] = {}
    for answer in answers:
        sections.setdefault(answer.question.section, []).append(AnsweredQuestion(answer.question, answer.value))
    return list(sections.items())


def fetch_screening_checks(application: Application) -> list[ScreeningCheck]:
    return list(
        db.session.scalars(
            sa.select(ScreeningCheck).where(ScreeningCheck.application_id == application.id).order_by(ScreeningCheck.id)
        )
    )


def fetch_decision(application: Application) -> Decision | None:
    """The decision that counts: the latest, which replaced any earlier one (a bid funded from the reserve list)."""
    return db.session.scalar(
        sa.select(Decision)
        .where(Decision.application_id == application.id)
        .order_by(Decision.decided_at.desc(), Decision.id.desc())
        .limit(1)
    )


def fetch_decision_history(application: Application) -> list[Decision]:
    """Every decision on the bid, latest first. For officers only: the applicant sees the latest."""
    return list(
        db.session.scalars(
            sa.select(Decision)
            .where(Decision.application_id == application.id)
            .order_by(Decision.decided_at.desc(), Decision.id.desc())
        )
    )


def fetch_reserve_list_page(round_: Round, page: int) -> Pagination:
    """The round's bids whose latest decision is the reserve list, highest moderated score first."""
    later = aliased(Decision)
    query = (
        sa.select(Application)
        .join(Decision, Decision.application_id == Application.id)
        .outerjoin(Moderation, Moderation.application_id == Application.id)
        .where(
            Application.round_id == round_.id,
            Application.status == S.DECIDED,
            Decision.outcome == DecisionOutcome.RESERVE,
            ~sa.exists().where(later.replaces_id == Decision.id),
        )
        .order_by(Moderation.agreed_score_tenths.desc().nulls_last(), Application.reference)
    )
    return db.paginate(query, page=page, per_page=BIDS_PER_PAGE, error_out=False)


def fetch_award_for(application: Application) -> Award | None:
    return db.session.scalar(sa.select(Award).where(Award.application_id == application.id))


def fetch_moderations_for(application_ids: list[int]) -> dict[int, Moderation]:
    if not application_ids:
        return {}
    return {
        m.application_id: m
        for m in db.session.scalars(sa.select(Moderation).where(Moderation.application_id.in_(application_ids)))
    }


def fetch_moderation(application: Application) -> Moderation | None:
    return db.session.scalar(sa.select(Moderation).where(Moderation.application_id == application.id))


# Reviewers --------------------------------------------------------------------------------------------------------


def fetch_assignment(assignment_id: int) -> ReviewAssignment | None:
    return db.session.get(ReviewAssignment, assignment_id)


def fetch_assignments(application: Application) -> list[ReviewAssignment]:
    return fetch_assignments_for([application.id]).get(application.id, [])


def fetch_assignments_for(application_ids: list[int]) -> dict[int, list[ReviewAssignment]]:
    found: dict[int, list[ReviewAssignment]] = defaultdict(list)
    if not application_ids:
        return found
    for assignment in db.session.scalars(
        sa.select(ReviewAssignment)
        .where(ReviewAssignment.application_id.in_(application_ids))
        # The bids are the caller's, already loaded: not joined again with their organisation, round and fund.
        .options(selectinload(ReviewAssignment.scores), lazyload(ReviewAssignment.application))
        .order_by(ReviewAssignment.id)
    ).unique():
        found[assignment.application_id].append(assignment)
    return found


def fetch_reviewer_assignments_page(reviewer: User, page: int, per_page: int = 25) -> Pagination:
    """The bids a reviewer may still see, unfinished first: everything assigned to them except those they declared
    a conflict on or were taken off."""
    return db.paginate(
        sa.select(ReviewAssignment)
        .where(
            ReviewAssignment.reviewer_id == reviewer.id,
            ReviewAssignment.has_conflict.is_not(True),
            ReviewAssignment.removed_at.is_(None),
        )
        .options(selectinload(ReviewAssignment.scores))
        .order_by(ReviewAssignment.completed_at.is_not(None), ReviewAssignment.assigned_at.desc(), ReviewAssignment.id),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def count_declared_conflicts(reviewer: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ReviewAssignment)
            .where(ReviewAssignment.reviewer_id == reviewer.id, ReviewAssignment.has_conflict.is_(True))
        )
        or 0
    )


def _reviewer_roles() -> list[StaffRole]:
    """The staff roles that may score bids, as the permission table says."""
    return [role for role in roles_granting(Permission.SCORE_APPLICATIONS) if isinstance(role, StaffRole)]


def fetch_eligible_reviewers() -> list[User]:
    """Everyone who may be asked to review: reviewers and grant officers with an account that can sign in."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.staff_role.in_(_reviewer_roles()), User.active.is_(True))
            .order_by(User.full_name, User.id)
            .options(lazyload(User.memberships))  # staff: offered by name, never by organisation
        )
    )


def fetch_reviewer(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    if user is None or user.staff_role not in _reviewer_roles() or not user.active:
        return None
    return user


def fetch_open_workload(reviewer_ids: list[int] | None = None) -> dict[int, int]:
    """How many bids each reviewer has to score and has not finished (declared conflicts and removals do not
    count)."""
    query = (
        sa.select(ReviewAssignment.reviewer_id, sa.func.count())
        .where(
            ReviewAssignment.has_conflict.is_not(True),
            ReviewAssignment.completed_at.is_(None),
            ReviewAssignment.removed_at.is_(None),
        )
        .group_by(ReviewAssignment.reviewer_id)
    )
    if reviewer_ids is not None:
        query = query.where(ReviewAssignment.reviewer_id.in_(reviewer_ids))
    return dict(db.session.execute(query).tuples().all())


# Scores -----------------------------------------------------------------------------------------------------------


def fetch_criteria(round_: Round) -> list[Criterion]:
    return list(
        db.session.scalars(sa.select(Criterion).where(Criterion.round_id == round_.id).order_by(Criterion.position))
    )


def fetch_criteria_by_round(round_ids: set[int]) -> dict[int, list[Criterion]]:
    found: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in db.session.scalars(
        sa.select(Criterion).where(Criterion.round_id.in_(round_ids)).order_by(Criterion.position, Criterion.id)
    ):
        found[criterion.round_id].append(criterion)
    return found


def weighted_criteria(criteria: list[Criterion]) -> list[WeightedCriterion]:
    return [WeightedCriterion(c.id, c.name, c.weight, c.max_score) for c in criteria]


def summarise_scores(criteria: list[Criterion], assignments: list[ReviewAssignment]) -> ScoreSummary:
    """The score summary over the reviewers still on the bid: not conflicted, not taken off."""
    return summarise(
        weighted_criteria(criteria),
        [
            ReviewerScores(
                reviewer=assignment.reviewer.full_name,
                scores={score.criterion_id: score.score for score in assignment.scores},
                complete=assignment.completed_at is not None,
            )
            for assignment in assignments
            if assignment.active
        ],
    )
