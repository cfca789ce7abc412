"""Screening: an officer checks a submitted bid's eligibility and paperwork before anyone scores it."""

from dataclasses import dataclass

from portal import audit
from portal.assessment.common import commit, email_applicant, require_text
from portal.assessment.queries import fetch_screening_checks
from portal.database import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    Decision,
    DecisionOutcome,
    ScreeningCheck,
    ScreeningCheckKind,
    ScreeningOutcome,
    User,
)
from portal.workflow import move_application

S = ApplicationStatus


@dataclass(frozen=True)
class CheckEntry:
    kind: ScreeningCheckKind
    outcome: ScreeningOutcome | None
    note: str | None = None


def _require_screening(application: Application) -> None:
    if application.status is not S.SCREENING:
        raise DomainError(f"This bid is {application.status.label.lower()}, so its screening cannot be changed")


def start_screening(application: Application, actor: User) -> None:
    move_application(application, S.SCREENING, actor=actor)
    commit()


def record_checks(application: Application, entries: list[CheckEntry], actor: User) -> int:
    """Record the outcome of each check given. Unchanged checks keep who recorded them and when. Returns how many
    checks changed."""
    _require_screening(application)
    existing = {check.kind: check for check in fetch_screening_checks(application)}
    changed = {}
    for entry in entries:
        note = (entry.note or "").strip() or None
        if entry.outcome is None:
            if note:
                raise DomainError(
                    f"Select an outcome for \u201c{entry.kind.label}\u201d", field=f"{entry.kind.value}_outcome"
                )
            continue
        if entry.outcome is ScreeningOutcome.FAILED and not note:
            raise DomainError(f"Explain why \u201c{entry.kind.label}\u201d failed", field=f"{entry.kind.value}_note")
        check = existing.get(entry.kind)
        if check is not None and check.outcome is entry.outcome and check.note == note:
            continue
        if check is None:
            check = ScreeningCheck(application_id=application.id, kind=entry.kind)
            db.session.add(check)
        check.outcome = entry.outcome
        check.note = note
        check.recorded_by = actor
        check.recorded_at = utcnow()
        changed[entry.kind.value] = entry.outcome.value
    if changed:
        audit.record("screening.checks_recorded", application, after=changed, actor=actor)
        commit()
    return len(changed)


def pass_screening(application: Application, actor: User) -> None:
    """Send the bid for review: every check must be recorded and none may have failed."""
    _require_screening(application)
    checks = {check.kind: check for check in fetch_screening_checks(application)}
    missing = [kind.label.lower() for kind in ScreeningCheckKind if kind not in checks]
    if missing:
        raise DomainError(f"Record every check before the bid passes screening. Still to record: {', '.join(missing)}")
    failed = [check.kind.label.lower() for check in checks.values() if check.outcome is ScreeningOutcome.FAILED]
    if failed:
        raise DomainError(
            f"A bid with a failed check cannot pass screening (failed: {', '.join(failed)}). Screen it out instead"
        )
    move_application(application, S.IN_REVIEW, actor=actor)
    commit()


def screen_out(application: Application, feedback: str | None, actor: User) -> Decision:
    """Decline the bid at screening, with the written feedback every applicant is owed, and tell the applicant."""
    _require_screening(application)
    feedback = require_text(
        feedback, "Write feedback for the applicant explaining why the bid was screened out", "feedback"
    )
    decision = Decision(
        application_id=application.id, outcome=DecisionOutcome.DECLINE, feedback=feedback, decided_by=actor
    )
    db.session.add(decision)
    db.session.flush()
    move_application(
        application,
        S.DECIDED,
        actor=actor,
        detail={"outcome": DecisionOutcome.DECLINE.value, "decision_id": decision.id, "screened_out": True},
    )
    email_applicant(application, "bid_decision", decision=decision)
    commit()
    return decision
