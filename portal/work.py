"""The staff home's counts: how much of each kind of work is waiting, worked out in one database round trip.

Each count is a scalar subquery of one ``SELECT``, so the page costs one query however much work there is. Every
count matches what the list it links to shows under the same filter.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.evaluations import rules as evaluation_rules
from portal.extensions import Model, db
from portal.models import (
    Allocation,
    Application,
    ApplicationStatus,
    Award,
    AwardStatus,
    ContactStatus,
    Decision,
    DecisionOutcome,
    DeliveryPlan,
    DialogueThread,
    Drawdown,
    DrawdownStatus,
    Evaluation,
    GrantAgreement,
    Instalment,
    InstalmentStatus,
    LcpfResponse,
    LcpfVersion,
    LcpfVersionStatus,
    Organisation,
    PlanProject,
    PlanStatus,
    Return,
    ReturnStatus,
    ReviewAssignment,
    ServiceContact,
    ThreadStatus,
    User,
    Variation,
    VariationStatus,
)

OPEN_RETURN = (ReturnStatus.DUE, ReturnStatus.IN_PROGRESS)


@dataclass(frozen=True)
class OfficerWork:
    bids_to_screen: int = 0
    bids_in_review: int = 0
    decisions_to_make: int = 0
    awards_to_set_up: int = 0
    second_approvals_for_you: int = 0
    agreements_not_accepted: int = 0
    payments_to_release: int = 0
    drawdowns_to_decide: int = 0
    drawdowns_to_pay: int = 0
    returns_to_review: int = 0
    returns_overdue: int = 0
    plan_returns_to_review: int = 0
    plan_returns_overdue: int = 0
    variations_to_approve: int = 0
    contact_details_to_approve: int = 0
    plans_to_review: int = 0
    your_reviews: int = 0
    evaluations_missing: int = 0
    evaluations_overdue: int = 0


def _count(model: type[Model], *conditions: sa.ColumnElement[bool]) -> sa.ScalarSelect[int]:
    return sa.select(sa.func.count()).select_from(model).where(*conditions).scalar_subquery()


def on_approved_award() -> sa.ColumnElement[bool]:
    return Return.award_id.in_(sa.select(Award.id).where(Award.status == AwardStatus.APPROVED))


def second_approval_waiting_for(officer: User) -> sa.ColumnElement[bool]:
    """Awards waiting for a second approver that ``officer`` may give: not one they set up or approved first."""
    return sa.and_(
        Award.status == AwardStatus.AWAITING_SECOND_APPROVAL,
        sa.or_(Award.approved_by_id.is_(None), Award.approved_by_id != officer.id),
        sa.or_(Award.created_by_id.is_(None), Award.created_by_id != officer.id),
    )


def agreement_not_accepted() -> sa.ColumnElement[bool]:
    return sa.and_(
        Award.status == AwardStatus.APPROVED,
        ~sa.exists().where(GrantAgreement.award_id == Award.id),
    )


def variation_proposed() -> sa.ColumnElement[bool]:
    return sa.exists().where(Variation.award_id == Award.id, Variation.status == VariationStatus.PROPOSED)


def funded_without_award() -> sa.ColumnElement[bool]:
    """Bids whose latest decision funds them and that have no award yet (as the awards page lists them)."""
    later = aliased(Decision)
    funded = [outcome for outcome in DecisionOutcome if outcome.funds]
    return sa.and_(
        Application.status == ApplicationStatus.DECIDED,
        sa.exists().where(
            Decision.application_id == Application.id,
            Decision.outcome.in_(funded),
            ~sa.exists().where(later.replaces_id == Decision.id),
        ),
        ~sa.exists().where(Award.application_id == Application.id),
    )


def your_open_reviews(reviewer: User) -> sa.ColumnElement[bool]:
    return sa.and_(
        ReviewAssignment.reviewer_id == reviewer.id,
        ReviewAssignment.completed_at.is_(None),
        ReviewAssignment.removed_at.is_(None),
        sa.or_(ReviewAssignment.has_conflict.is_(None), ReviewAssignment.has_conflict.is_(False)),
    )


def fetch_officer_work(officer: User, today: date) -> OfficerWork:
    """Every count on the officers' home, in one query."""
    on_plan = Return.plan_project_id.is_not(None)
    counts = {
        "bids_to_screen": _count(
            Application, Application.status.in_([ApplicationStatus.SUBMITTED, ApplicationStatus.SCREENING])
        ),
        "bids_in_review": _count(Application, Application.status == ApplicationStatus.IN_REVIEW),
        "decisions_to_make": _count(Application, Application.status == ApplicationStatus.MODERATED),
        "awards_to_set_up": _count(Application, funded_without_award()),
        "second_approvals_for_you": _count(Award, second_approval_waiting_for(officer)),
        "agreements_not_accepted": _count(Award, agreement_not_accepted()),
        "payments_to_release": sa.select(sa.func.count())
        .select_from(Instalment)
        .join(Award, Award.id == Instalment.award_id)
        .where(
            Award.status == AwardStatus.APPROVED,
            Instalment.status == InstalmentStatus.SCHEDULED,
            Instalment.due_on <= today,
        )
        .scalar_subquery(),
        "drawdowns_to_decide": _count(Drawdown, Drawdown.status == DrawdownStatus.REQUESTED),
        "drawdowns_to_pay": _count(Drawdown, Drawdown.status == DrawdownStatus.APPROVED),
        "returns_to_review": _count(Return, on_approved_award(), Return.status == ReturnStatus.SUBMITTED),
        "returns_overdue": _count(Return, on_approved_award(), Return.status.in_(OPEN_RETURN), Return.due_on < today),
        "plan_returns_to_review": _count(Return, on_plan, Return.status == ReturnStatus.SUBMITTED),
        "plan_returns_overdue": _count(Return, on_plan, Return.status.in_(OPEN_RETURN), Return.due_on < today),
        "variations_to_approve": _count(Award, variation_proposed()),
        "contact_details_to_approve": _count(
            ServiceContact, ServiceContact.status == ContactStatus.SUBMITTED, ~ServiceContact.published
        ),
        "plans_to_review": _count(DeliveryPlan, DeliveryPlan.status == PlanStatus.SUBMITTED),
        "your_reviews": _count(ReviewAssignment, your_open_reviews(officer)),
        "evaluations_missing": _count(Award, evaluation_rules.missing_evaluation()),
        "evaluations_overdue": _count(Evaluation, evaluation_rules.overdue(today)),
    }
    row = db.session.execute(sa.select(*(query.label(name) for name, query in counts.items()))).one()
    return OfficerWork(**row._asdict())


def fetch_reviewer_work(reviewer: User) -> int:
    """How many of the reviewer's assigned bids still wait for their declaration or scores."""
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(ReviewAssignment).where(your_open_reviews(reviewer)))
        or 0
    )


@dataclass(frozen=True)
class OrganisationWork:
    drafts: int = 0
    returns_due: int = 0
    returns_overdue: int = 0
    returns_queried: int = 0
    agreements_to_accept: int = 0
    replies: int = 0
    plans_queried: int = 0
    plan_returns_due: int = 0
    plan_returns_overdue: int = 0
    plan_returns_queried: int = 0
    drawdowns_waiting: int = 0
    consultations_to_answer: int = 0
    contact_details_returned: int = 0


def fetch_organisation_work(organisation_id: int, today: date) -> OrganisationWork:
    """What waits for an organisation's members, in one query: its bids, its awards' returns and agreements, replies
    from officers, and a borough council's plan and project returns or a board's drawdowns."""
    awards = sa.select(Award.id).where(Award.organisation_id == organisation_id, Award.status == AwardStatus.APPROVED)
    projects = (
        sa.select(PlanProject.id)
        .join(DeliveryPlan, DeliveryPlan.id == PlanProject.plan_id)
        .where(DeliveryPlan.organisation_id == organisation_id)
    )
    ended_and_open = (Return.status.in_(OPEN_RETURN), Return.period_end < today)
    on_award, on_project = Return.award_id.in_(awards), Return.plan_project_id.in_(projects)
    counts = {
        "drafts": _count(
            Application,
            Application.organisation_id == organisation_id,
            Application.status == ApplicationStatus.DRAFT,
        ),
        "returns_due": _count(Return, on_award, *ended_and_open, Return.due_on >= today),
        "returns_overdue": _count(Return, on_award, *ended_and_open, Return.due_on < today),
        "returns_queried": _count(Return, on_award, Return.status == ReturnStatus.QUERIED),
        "contact_details_returned": _count(
            ServiceContact, ServiceContact.award_id.in_(awards), ServiceContact.status == ContactStatus.RETURNED
        ),
        "agreements_to_accept": _count(Award, Award.organisation_id == organisation_id, agreement_not_accepted()),
        "replies": _count(
            DialogueThread, DialogueThread.award_id.in_(awards), DialogueThread.status == ThreadStatus.REPLIED
        ),
        "plans_queried": _count(
            DeliveryPlan, DeliveryPlan.organisation_id == organisation_id, DeliveryPlan.status == PlanStatus.QUERIED
        ),
        "plan_returns_due": _count(Return, on_project, *ended_and_open, Return.due_on >= today),
        "plan_returns_overdue": _count(Return, on_project, *ended_and_open, Return.due_on < today),
        "plan_returns_queried": _count(Return, on_project, Return.status == ReturnStatus.QUERIED),
        "drawdowns_waiting": sa.select(sa.func.count())
        .select_from(Drawdown)
        .join(Allocation, Allocation.id == Drawdown.allocation_id)
        .where(
            Allocation.organisation_id == organisation_id,
            Drawdown.status.in_([DrawdownStatus.REQUESTED, DrawdownStatus.APPROVED]),
        )
        .scalar_subquery(),
    }
    # Formula consultations open today that the organisation's borough has not answered (shown to councils only).
    borough = sa.select(Organisation.local_authority_id).where(Organisation.id == organisation_id).scalar_subquery()
    counts["consultations_to_answer"] = _count(
        LcpfVersion,
        LcpfVersion.status == LcpfVersionStatus.CONSULTATION,
        LcpfVersion.consultation_closes_on >= today,
        ~sa.exists().where(LcpfResponse.version_id == LcpfVersion.id, LcpfResponse.local_authority_id == borough),
    )
    row = db.session.execute(sa.select(*(query.label(name) for name, query in counts.items()))).one()
    return OrganisationWork(**row._asdict())
