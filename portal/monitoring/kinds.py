"""The kinds of periodic return on something funded, and what differs between them.

There is one mechanism for all of them: the schedule's states and their workflow, officers' queries and the
organisation's answers (``ReturnQuery``), reminders and overdue escalation (``ReminderSent``, keyed by due date),
review (accept, query, resubmit), the version that guards against two saves at once, and the officers' tables.
Three kinds use it:

- a return on an award, and a return on a project of a borough's delivery plan: both are ``Return`` rows (they
  report the same things: spend, measures' actuals, progress), told apart by ``award_id`` or ``plan_project_id``;
- a follow-up some months after an award has ended: a ``FollowUpReturn``, whose answers (is the service still
  running, what lasted) have nothing in common with a return's figures, so they are kept in a table of their own.

A :class:`ReturnKind` names only what differs: the model, its workflow (so its own audit actions), its emails and
where its pages are.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeAlias, TypeVar

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Award, AwardStatus, DeliveryPlan, FollowUpReturn, PlanProject, Return, ReturnStatus
from portal.monitoring.workflow import FOLLOW_UPS, RETURNS
from portal.template_helpers import external_url
from portal.workflow import Workflow

NOT_YET_SUBMITTED = (ReturnStatus.DUE, ReturnStatus.IN_PROGRESS)

# A row of any kind of return, and (for what hands back the row it was given) the kind it is.
AnyReturn: TypeAlias = Return | FollowUpReturn
SomeReturn = TypeVar("SomeReturn", Return, FollowUpReturn)
Row = TypeVar("Row", bound=tuple[Any, ...])


@dataclass(frozen=True)
class ReturnKind:
    model: Any
    noun: str  # how messages name one: "return", "follow-up"
    workflow: Workflow
    reminder_key: str  # the column of ``ReminderSent`` and ``ReturnQuery`` that points at one
    prefix: str  # of its audit actions (``{prefix}.saved``) and emails (``{prefix}_accepted``, ``{prefix}_overdue``)
    live: Callable[[], sa.ColumnElement[bool]]  # on funding that is still live (approved), in SQL
    email_context: Callable[[Any], dict[str, Any]]  # what its email templates are given, besides the link
    organisation_link: Callable[[Any], str]  # where the organisation fills it in
    review_link: Callable[[Any], str]  # where an officer reviews it


def _return_on_live_funding() -> sa.ColumnElement[bool]:
    on_approved_award = Return.award_id.in_(sa.select(Award.id).where(Award.status == AwardStatus.APPROVED))
    on_approved_plan = Return.plan_project_id.in_(
        sa.select(PlanProject.id).join(DeliveryPlan).where(DeliveryPlan.approved_at.is_not(None))
    )
    return sa.or_(on_approved_award, on_approved_plan)


def _return_organisation_link(return_: Return) -> str:
    if return_.plan_project is not None:
        return external_url(
            "plans.borough_return",
            organisation_id=return_.organisation_id,
            plan_id=return_.plan_project.plan_id,
            return_id=return_.id,
        )
    return external_url(
        "monitoring.organisation_return",
        organisation_id=return_.organisation_id,
        award_id=return_.award_id,
        return_id=return_.id,
    )


def _return_review_link(return_: Return) -> str:
    if return_.plan_project is not None:
        return external_url("plans.staff_return", plan_id=return_.plan_project.plan_id, return_id=return_.id)
    return external_url("monitoring.review", award_id=return_.award_id, return_id=return_.id)


RETURN = ReturnKind(
    model=Return,
    noun="return",
    workflow=RETURNS,
    reminder_key="return_id",
    prefix="return",
    live=_return_on_live_funding,
    email_context=lambda return_: {
        "return_": return_,
        "award": return_.award,
        "organisation_name": return_.organisation.name,
    },
    organisation_link=_return_organisation_link,
    review_link=_return_review_link,
)

FOLLOW_UP = ReturnKind(
    model=FollowUpReturn,
    noun="follow-up",
    workflow=FOLLOW_UPS,
    reminder_key="follow_up_id",
    prefix="follow_up",
    live=lambda: FollowUpReturn.award_id.in_(sa.select(Award.id).where(Award.status == AwardStatus.APPROVED)),
    email_context=lambda follow_up: {"follow_up": follow_up, "award": follow_up.award},
    organisation_link=lambda follow_up: external_url(
        "dialogue.organisation_follow_up",
        organisation_id=follow_up.organisation_id,
        award_id=follow_up.award_id,
        follow_up_id=follow_up.id,
    ),
    review_link=lambda follow_up: external_url(
        "dialogue.review_follow_up", award_id=follow_up.award_id, follow_up_id=follow_up.id
    ),
)

KINDS = (RETURN, FOLLOW_UP)


def kind_of(record: AnyReturn) -> ReturnKind:
    return FOLLOW_UP if isinstance(record, FollowUpReturn) else RETURN


def fetch_open_due_by(kind: ReturnKind, day: date) -> list[int]:
    """The ids of this kind's returns not yet submitted, on live funding, due on or before ``day``: the reminder
    job's work list."""
    model = kind.model
    return list(
        db.session.scalars(
            sa.select(model.id)
            .where(kind.live(), model.status.in_(NOT_YET_SUBMITTED), model.due_on <= day)
            .order_by(model.id)
        )
    )


# The officers' tables (award returns, borough project returns, follow-ups): the same "show" choices, meaning the
# same thing, for every kind.


def shows(plural: str) -> dict[str, str]:
    return {
        "open": "Not yet accepted",
        "due": "Due (not yet late)",
        "overdue": "Overdue",
        "awaiting_review": "Awaiting review",
        "queried": "Queried",
        "accepted": "Accepted",
        "all": f"All {plural}",
    }


def where_shown(query: sa.Select[Row], model: type[AnyReturn], show: str, today: date) -> sa.Select[Row]:
    """Narrow an officers' table of ``model`` rows to what the "show" choice asks for."""
    if show == "open":
        return query.where(model.status != ReturnStatus.ACCEPTED)
    if show == "due":
        return query.where(model.status.in_(NOT_YET_SUBMITTED), model.due_on >= today)
    if show == "overdue":
        return query.where(model.status.in_(NOT_YET_SUBMITTED), model.due_on < today)
    if show == "awaiting_review":
        return query.where(model.status == ReturnStatus.SUBMITTED)
    if show == "queried":
        return query.where(model.status == ReturnStatus.QUERIED)
    if show == "accepted":
        return query.where(model.status == ReturnStatus.ACCEPTED)
    return query
