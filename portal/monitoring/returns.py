"""Filling in, submitting, querying and accepting returns (on awards and on borough plan projects): what a
return's form holds and checks, on the mechanism every kind of return shares (``portal/monitoring/review.py``)."""

from dataclasses import dataclass, field

from sqlalchemy.orm.exc import StaleDataError

from portal.directory import published
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Measure, MeasureActual, PerformanceRecord, Return, User
from portal.monitoring import review
from portal.monitoring.performance import record_performance
from portal.monitoring.review import ReturnConflict
from portal.periods import today_in_london as today
from portal.template_helpers import format_date

__all__ = ["ReturnConflict", "ReturnDetails", "accept_return", "query_return", "save_return", "today"]


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


def save_return(
    return_: Return, details: ReturnDetails, measures: list[Measure], actor: User, *, submit: bool
) -> Return:
    """Save what the organisation has written, and submit it if asked. One commit; nothing half-written."""
    return review.save(
        return_,
        details.version,
        actor,
        submit=submit,
        check=lambda: _problems(return_, details, measures, submit),
        write=lambda: _write(return_, details, measures, actor, submit),
    )


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
    review.answer_open_query(return_, details.answer, actor, submit=submit)
    review.record_save(
        return_, actor, submit=submit, before={"spend_pence": spend_before}, after={"spend_pence": return_.spend_pence}
    )


def accept_return(return_: Return, actor: User) -> PerformanceRecord:
    """Accept a submitted return and rate the period by the published rules."""
    review.mark_accepted(return_, actor)
    record = record_performance(return_, actor)
    review.notify(return_, "accepted", record=record)
    published.changed(awards=() if return_.award_id is None else (return_.award_id,))
    db.session.commit()
    return record


def query_return(return_: Return, question: str, actor: User) -> None:
    """Send a submitted return back to the organisation with a question they answer before resubmitting."""
    review.query(return_, question, actor)
