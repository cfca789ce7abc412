"""Filling in, submitting, querying and accepting returns.

Two people editing one return at once: each form carries the version it was loaded at. A save from an older
version is refused with :class:`ReturnConflict` (what the person typed stays on their screen), and the version
column makes the database refuse it too if the other save lands between our check and our write.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm.exc import StaleDataError

from portal import audit, jobs
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import AwardStatus, Measure, MeasureActual, Return, ReturnQuery, ReturnStatus, User
from portal.monitoring.performance import record_performance
from portal.monitoring.workflow import move_return
from portal.periods import today_in_london as today
from portal.template_helpers import external_url, format_date


class ReturnConflict(DomainError):
    """Someone else saved the return since this person opened it."""

    def __init__(self, current_version: int):
        super().__init__(
            "Someone else saved this return while you were working on it, so your changes have not been saved. "
            "What you typed is still below: check it, then save again to replace their version."
        )
        self.current_version = current_version


@dataclass
class ReturnDetails:
    version: int | None
    spend_pence: int | None = None
    people_helped: int | None = None
    actuals: dict[int, int | None] = field(default_factory=dict)  # measure id → actual
    progress: str = ""
    risks: str = ""
    issues: str = ""
    case_study: str = ""
    case_study_may_publish: bool = False
    answer: str = ""


def _problems(return_: Return, details: ReturnDetails, measures: list[Measure], submitting: bool) -> None:
    errors = []
    if details.spend_pence is not None and details.spend_pence < 0:
        errors.append(DomainError("Spend cannot be less than £0", "spend"))
    if details.people_helped is not None and details.people_helped < 0:
        errors.append(DomainError("People helped cannot be less than 0", "people_helped"))
    for measure in measures:
        actual = details.actuals.get(measure.id)
        if actual is not None and actual < 0:
            errors.append(DomainError(f"{measure.name} cannot be less than 0", f"measure_{measure.id}"))
    if details.case_study_may_publish and not details.case_study.strip():
        errors.append(DomainError("Write the case study, or untick permission to publish it", "case_study"))
    if submitting:
        if return_.period_end >= today():
            errors.append(
                DomainError(f"You can submit this return once its period ends on {format_date(return_.period_end)}")
            )
        if details.spend_pence is None:
            errors.append(DomainError("Enter how much you spent in the period", "spend"))
        if details.people_helped is None:
            errors.append(DomainError("Enter how many people you helped in the period", "people_helped"))
        for measure in measures:
            if details.actuals.get(measure.id) is None:
                errors.append(
                    DomainError(f"Enter the number of {measure.unit} for {measure.name}", f"measure_{measure.id}")
                )
        if not details.progress.strip():
            errors.append(DomainError("Describe the progress the service made in the period", "progress"))
        if return_.open_query is not None and not details.answer.strip():
            errors.append(DomainError("Answer the officer's query before you resubmit", "answer"))
    raise_if_any(errors)


def save_return(return_: Return, details: ReturnDetails, measures: list[Measure], actor: User, *, submit: bool):
    """Save what the organisation has written, and submit it if asked. One commit; nothing half-written.

    A double-clicked submit is answered as the first click was: the return is submitted."""
    if submit and _submitted_by_the_same_click(return_, details, actor):
        return return_
    if return_.award is not None and return_.award.status is AwardStatus.WITHDRAWN:
        raise DomainError("This award has been withdrawn, so its returns cannot be changed")
    if not return_.status.editable:
        raise DomainError("This return has been submitted, so it cannot be changed now")
    if return_.period_start > today():
        raise DomainError(f"You can fill in this return from {format_date(return_.period_start)}")
    if details.version != return_.version:
        raise ReturnConflict(return_.version)
    _problems(return_, details, measures, submit)

    try:
        _write(return_, details, measures, actor, submit)
        db.session.commit()
    except StaleDataError:
        # The other save landed between our version check and our write: the database refused ours.
        db.session.rollback()
        current = db.session.get(Return, return_.id)
        if submit and _submitted_by_the_same_click(current, details, actor):
            return current
        raise ReturnConflict(current.version) from None
    return return_


def save_returns_together(
    items: list[tuple[Return, ReturnDetails, list[Measure]]], actor: User, *, submit: bool = False
) -> None:
    """Save several returns (from one uploaded file) by the same rules as one, in one commit: if any is refused,
    none is saved."""
    try:
        for return_, details, measures in items:
            if not return_.status.editable:
                raise DomainError(f"The {return_.label} return for {return_.funded_title} has been submitted")
            if details.version != return_.version:
                raise ReturnConflict(return_.version)
            _problems(return_, details, measures, submit)
            _write(return_, details, measures, actor, submit)
        db.session.commit()
    except (DomainError, StaleDataError):
        db.session.rollback()
        raise


# How long after a submit a second submit of the same version by the same person counts as the same click.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)


def _submitted_by_the_same_click(return_: Return, details: ReturnDetails, actor: User) -> bool:
    """Whether this person's own submit of the version they loaded has just been recorded: the second of a
    double-clicked submit, which should see the return submitted rather than a conflict or an error."""
    return (
        return_.status is ReturnStatus.SUBMITTED
        and return_.submitted_by_id == actor.id
        and details.version is not None
        and return_.version == details.version + 1
        and return_.submitted_at is not None
        and utcnow() - return_.submitted_at < DOUBLE_SUBMIT_WINDOW
    )


def _write(return_: Return, details: ReturnDetails, measures: list[Measure], actor: User, submit: bool) -> None:
    spend_before = return_.spend_pence
    return_.spend_pence = details.spend_pence
    return_.people_helped = details.people_helped
    return_.progress = details.progress.strip() or None
    if not return_.is_short_form:
        return_.risks = details.risks.strip() or None
        return_.issues = details.issues.strip() or None
        return_.case_study = details.case_study.strip() or None
        return_.case_study_may_publish = details.case_study_may_publish and bool(return_.case_study)
    existing = {actual.measure_id: actual for actual in return_.actuals}
    for measure in measures:
        value = details.actuals.get(measure.id)
        if value is None:
            if measure.id in existing:
                return_.actuals.remove(existing[measure.id])
        elif measure.id in existing:
            existing[measure.id].actual = value
        else:
            return_.actuals.append(MeasureActual(measure_id=measure.id, actual=value))
    open_query = return_.open_query
    if open_query is not None and details.answer.strip():
        open_query.answer = details.answer.strip()
        if submit:
            open_query.answered_by, open_query.answered_at = actor, utcnow()

    if submit:
        now = utcnow()
        return_.submitted_at, return_.submitted_by = now, actor
        return_.first_submitted_at = return_.first_submitted_at or now
        move_return(return_, ReturnStatus.SUBMITTED, actor=actor, detail={"spend_pence": return_.spend_pence})
    elif return_.status is ReturnStatus.DUE:
        move_return(return_, ReturnStatus.IN_PROGRESS, actor=actor, detail={"spend_pence": return_.spend_pence})
    else:
        audit.record(
            "return.saved",
            return_,
            before={"spend_pence": spend_before},
            after={"spend_pence": return_.spend_pence},
            organisation_id=return_.organisation_id,
            actor=actor,
        )


def _notify(return_: Return, template: str, **context) -> None:
    recipient = return_.submitted_by
    if recipient is None:
        return
    queue_email(
        recipient.email,
        template,
        return_=return_,
        award=return_.award,
        organisation_name=(
            return_.award.organisation if return_.award else return_.plan_project.plan.organisation
        ).name,
        link=_link(return_),
        **context,
    )


def _link(return_: Return) -> str:
    """Where the organisation fills in this return: on its award, or in its borough's delivery plan."""
    if return_.plan_project is not None:
        return external_url(
            "plans.borough_return",
            organisation_id=return_.organisation_id,
            plan_id=return_.plan_project.plan_id,
            return_id=return_.id,
        )
    return external_url(
        "monitoring.organisation_return",
        organisation_id=return_.award.organisation_id,
        award_id=return_.award_id,
        return_id=return_.id,
    )


def accept_return(return_: Return, actor: User):
    """Accept a submitted return and rate the period by the published rules."""
    move_return(return_, ReturnStatus.ACCEPTED, actor=actor)
    return_.accepted_at, return_.accepted_by = utcnow(), actor
    record = record_performance(return_, actor)
    _notify(return_, "return_accepted", record=record)
    jobs.enqueue("workers.opendata.regenerate", coalesce=True)
    db.session.commit()
    return record


def query_return(return_: Return, question: str, actor: User):
    """Send a submitted return back to the organisation with a question they answer before resubmitting."""
    if not (question or "").strip():
        raise DomainError("Enter what the organisation needs to answer or change", "question")
    move_return(return_, ReturnStatus.QUERIED, actor=actor, detail={"question": question.strip()})
    return_.queries.append(ReturnQuery(question=question.strip(), asked_by=actor))
    _notify(return_, "return_queried", question=question.strip())
    db.session.commit()
