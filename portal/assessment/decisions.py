"""Moderation by a lead officer, then the decision on each bid, alone or several at once.

Every applicant gets written feedback, whatever the outcome, and is emailed the decision.
"""

from dataclasses import dataclass
from decimal import Decimal

from portal import audit
from portal.assessment.common import commit, email_applicant
from portal.assessment.queries import fetch_applications_in_round, fetch_assignments, fetch_decision
from portal.assessment.scoring import percentage_to_tenths
from portal.database import commit_or_refuse
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Application, ApplicationStatus, Decision, DecisionOutcome, Moderation, Round, User
from portal.workflow import move_application

S = ApplicationStatus


def moderation_blocker(application: Application, officer: User) -> str | None:
    """Why ``officer`` cannot moderate this bid now, in words, or ``None`` if they can."""
    if application.status is not S.IN_REVIEW:
        return f"This bid is {application.status.label.lower()}: only a bid in review can be moderated."
    assignments = fetch_assignments(application)
    if any(a.reviewer_id == officer.id for a in assignments):
        return "You were asked to review this bid, so you cannot moderate it. Ask another lead officer to moderate it."
    active = [a for a in assignments if a.active]
    if not any(a.completed_at for a in active):
        return "No reviewer has completed a review of this bid yet."
    unfinished = [a for a in active if a.completed_at is None]
    if unfinished:
        return f"Wait until every reviewer has finished: {len(unfinished)} review(s) still to complete."
    return None


def moderate(application: Application, agreed_percentage: Decimal | None, note: str | None, actor: User) -> Moderation:
    blocker = moderation_blocker(application, actor)
    if blocker:
        raise DomainError(blocker)
    note = (note or "").strip()
    problems = []
    if agreed_percentage is None:
        problems.append(
            DomainError("Enter the agreed score as a percentage from 0 to 100, like 73.5", field="agreed_score")
        )
    if not note:
        problems.append(DomainError("Explain how the reviewers' scores were moderated", field="note"))
    raise_if_any(problems)
    assert agreed_percentage is not None  # one of the problems raised above
    moderation = Moderation(
        application_id=application.id,
        agreed_score_tenths=percentage_to_tenths(agreed_percentage),
        note=note,
        moderated_by=actor,
    )
    db.session.add(moderation)
    move_application(application, S.MODERATED, actor=actor, detail={"agreed_score": f"{agreed_percentage}%"})
    commit()
    return moderation


@dataclass(frozen=True)
class DecisionEntry:
    application_id: int
    outcome: str | None
    feedback: str | None
    conditions: str | None = None


def _check(application: Application | None, entry: DecisionEntry) -> dict[str, str]:
    """Everything wrong with one decision, by field."""
    problems = {}
    if application is None:
        return {"outcome": "This bid is not in this round"}
    if application.status is not S.MODERATED:
        problems["outcome"] = (
            f"{application.reference} is {application.status.label.lower()}: only a moderated bid can be decided"
        )
    elif entry.outcome not in {o.value for o in DecisionOutcome}:
        problems["outcome"] = "Select the outcome"
    if not (entry.feedback or "").strip():
        problems["feedback"] = "Write feedback for the applicant"
    if entry.outcome == DecisionOutcome.FUND_WITH_CHANGES.value and not (entry.conditions or "").strip():
        problems["conditions"] = "Set out the changes the applicant must make to be funded"
    return problems


def _record(application: Application, entry: DecisionEntry, actor: User) -> Decision:
    assert entry.outcome and entry.feedback  # checked by _check first
    outcome = DecisionOutcome(entry.outcome)
    decision = Decision(
        application_id=application.id,
        outcome=outcome,
        feedback=entry.feedback.strip(),
        conditions=((entry.conditions or "").strip() or None) if outcome is DecisionOutcome.FUND_WITH_CHANGES else None,
        decided_by=actor,
    )
    db.session.add(decision)
    db.session.flush()
    move_application(application, S.DECIDED, actor=actor, detail={"outcome": outcome.value, "decision_id": decision.id})
    email_applicant(application, "bid_decision", decision=decision)
    return decision


def decide(application: Application, entry: DecisionEntry, actor: User) -> Decision:
    raise_if_any([DomainError(message, field=name) for name, message in _check(application, entry).items()])
    decision = _record(application, entry, actor)
    commit()
    return decision


class BulkDecisionError(DomainError):
    """One or more rows of a bulk decision are wrong; nothing was saved."""

    def __init__(self, row_errors: dict[int, dict[str, str]], message: str = "Some decisions need correcting") -> None:
        super().__init__(message)
        self.row_errors = row_errors


def decide_in_bulk(
    round_: Round, entries: list[DecisionEntry], actor: User, *, same_outcome: str | None = None
) -> list[Decision]:
    """Decide several moderated bids at once, all or nothing: if any row is wrong, none is saved."""
    if not entries:
        raise BulkDecisionError({}, "Select at least one bid to decide")
    if same_outcome:
        entries = [DecisionEntry(e.application_id, same_outcome, e.feedback, e.conditions) for e in entries]
    applications = {a.id: a for a in fetch_applications_in_round(round_, [e.application_id for e in entries])}
    errors = {}
    for entry in entries:
        problems = _check(applications.get(entry.application_id), entry)
        if problems:
            errors[entry.application_id] = problems
    if errors:
        raise BulkDecisionError(errors)
    decisions = [_record(applications[entry.application_id], entry, actor) for entry in entries]
    commit("Someone else decided one of these bids at the same moment. Nothing was saved: check and try again.")
    return decisions


# Funding a bid from the reserve list -----------------------------------------------------------------------------

FUNDING_OUTCOMES = (DecisionOutcome.FUND, DecisionOutcome.FUND_WITH_CHANGES)


def reserve_blocker(application: Application) -> str | None:
    """Why this bid cannot be funded from the reserve list, in words, or ``None`` if it can."""
    decision = fetch_decision(application)
    if application.status is not S.DECIDED or decision is None:
        return f"{application.reference} has not been decided yet: only a bid on the reserve list can be funded from it"
    if decision.outcome is not DecisionOutcome.RESERVE:
        return f"{application.reference} is not on the reserve list: its decision is {decision.outcome.label.lower()}"
    return None


def fund_from_reserve(application: Application, entry: DecisionEntry, actor: User) -> Decision:
    """Replace a reserve-list decision with a decision to fund. The earlier decision stays in the history; the
    applicant is emailed the new one, which is the one an award is set up from."""
    blocker = reserve_blocker(application)
    if blocker:
        raise DomainError(blocker)
    problems = {}
    if entry.outcome not in {o.value for o in FUNDING_OUTCOMES}:
        problems["outcome"] = "Select fund or fund with changes"
    if not (entry.feedback or "").strip():
        problems["feedback"] = "Write feedback for the applicant"
    if entry.outcome == DecisionOutcome.FUND_WITH_CHANGES.value and not (entry.conditions or "").strip():
        problems["conditions"] = "Set out the changes the applicant must make to be funded"
    raise_if_any([DomainError(message, field=name) for name, message in problems.items()])
    earlier = fetch_decision(application)
    assert earlier is not None and entry.outcome and entry.feedback  # reserve_blocker and the checks above
    outcome = DecisionOutcome(entry.outcome)
    decision = Decision(
        application_id=application.id,
        outcome=outcome,
        feedback=entry.feedback.strip(),
        conditions=(entry.conditions or "").strip() or None if outcome is DecisionOutcome.FUND_WITH_CHANGES else None,
        decided_by=actor,
        replaces=earlier,
    )
    clash = "Someone else funded this bid from the reserve list at the same moment. Check the bid and try again."
    with commit_or_refuse(clash):
        db.session.add(decision)
        db.session.flush()  # the decision's id, for the audit event
        audit.record(
            "application.funded_from_reserve",
            application,
            before={"outcome": earlier.outcome.value, "decision_id": earlier.id},
            after={"outcome": outcome.value, "decision_id": decision.id},
            organisation_id=application.organisation_id,
            actor=actor,
        )
        email_applicant(application, "bid_decision", decision=decision)
    return decision
