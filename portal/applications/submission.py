"""Where a bid stands (the task list and Check your answers), submitting it, and withdrawing it."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal import workflow
from portal.applications.drafts import closed_refusal, fetch_application, organisation_details_complete
from portal.applications.project import application_years, project_problems
from portal.applications.questions import (
    Section,
    answer_problem,
    answer_values,
    fetch_answers,
    fetch_asked_ids,
    fetch_eligibility_questions,
    fetch_sections,
    is_answered,
    visible_questions,
)
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import Answer, Application, ApplicationStatus, Question, User
from portal.periods import LONDON
from portal.references import next_reference
from portal.template_helpers import external_url, format_datetime

COMPLETED = "Completed"
IN_PROGRESS = "In progress"
NOT_STARTED = "Not started"
CANNOT_START_YET = "Cannot start yet"

# The page a problem is on: "organisation", "project" or a section number.
Page = str | int


@dataclass(frozen=True)
class Problem:
    message: str
    page: Page
    anchor: str


@dataclass
class SectionReview:
    section: Section
    questions: list[Question]
    status: str
    problems: list[Problem]


@dataclass
class Review:
    """Everything the task list, Check your answers and the read-only view need to know about a bid."""

    application: Application
    answers: dict[int, Answer]
    values: dict[int, Any]
    organisation_status: str
    project_status: str
    project_problems: dict[str, str]
    sections: list[SectionReview]
    eligibility_questions: list[Question] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        found = []
        if self.organisation_status != COMPLETED:
            found.append(Problem("Confirm your organisation's details and who we should contact", "organisation", ""))
        found += [Problem(message, "project", key) for key, message in self.project_problems.items()]
        for section in self.sections:
            found += section.problems
        return found

    @property
    def tasks_completed(self) -> int:
        statuses = [self.organisation_status, self.project_status, *(s.status for s in self.sections)]
        return sum(status == COMPLETED for status in statuses)

    @property
    def task_count(self) -> int:
        return 2 + len(self.sections)

    @property
    def prefilled_question_ids(self) -> set[int]:
        return {qid for qid, answer in self.answers.items() if answer.prefilled_from_application_id}


def review_application(application: Application) -> Review:
    answers = fetch_answers(application)
    values = answer_values(answers)
    variant = application.form_variant
    problems = project_problems(application)
    project_started = bool(
        application.project_title
        or application.summary
        or application.years
        or application.start_date
        or application.service_areas
    )
    sections = []
    asked_ids = fetch_asked_ids(application.round, variant)
    for section in fetch_sections(application.round):
        asked = section.asked(variant)
        if not asked:
            continue
        shown = visible_questions(asked, values, asked_ids)
        section_problems = []
        for question in shown:
            message = answer_problem(question, values.get(question.id))
            if message:
                section_problems.append(Problem(message, section.number, f"question-{question.id}"))
        if application.total_requested_pence == 0:
            status = CANNOT_START_YET
        elif not section_problems:
            status = COMPLETED
        elif any(is_answered(values.get(q.id)) for q in shown):
            status = IN_PROGRESS
        else:
            status = NOT_STARTED
        sections.append(SectionReview(section, shown, status, section_problems))
    return Review(
        application=application,
        answers=answers,
        values=values,
        organisation_status=COMPLETED if organisation_details_complete(application) else NOT_STARTED,
        project_status=COMPLETED if not problems else IN_PROGRESS if project_started else NOT_STARTED,
        project_problems=problems,
        sections=sections,
        eligibility_questions=fetch_eligibility_questions(application.round),
    )


def find_section(application: Application, number: int) -> Section | None:
    return next((s for s in fetch_sections(application.round) if s.number == number), None)


# Submitting


class Incomplete(DomainError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("Your bid is not finished yet")
        self.problems = problems


def submit_application(application: Application, user: User) -> Application:
    """Submit the bid once: a second press of the button, or a second request racing the first, finds it
    already submitted and returns it unchanged.

    Refused (DomainError) once the round has closed, and (:class:`Incomplete`) while answers are missing. The
    status, the reference, the audit event and the confirmation emails are written in one transaction.
    """
    if application.status is not ApplicationStatus.DRAFT:
        if application.status is ApplicationStatus.WITHDRAWN:
            raise DomainError("This bid has been withdrawn, so it cannot be submitted")
        return application
    now = utcnow()
    if application.round.has_closed(now):
        raise DomainError(closed_refusal(application.round, "submitted"))
    problems = review_application(application).problems
    if problems:
        raise Incomplete(problems)
    application_id = application.id
    try:
        reference = _claim_reference(application, now)
        application.submitted_at = now
        application.submitted_by_id = user.id
        workflow.move_application(
            application,
            ApplicationStatus.SUBMITTED,
            actor=user,
            detail={"reference": reference, "total_requested_pence": application.total_requested_pence},
        )
        _queue_submission_emails(application, user)
        db.session.commit()
    except StaleDataError:
        # Someone submitted (or changed) the bid between our read and our write: theirs stands.
        db.session.rollback()
        theirs = fetch_application(application_id)
        if theirs is not None and theirs.status is ApplicationStatus.SUBMITTED:
            return theirs
        raise DomainError("Someone else changed this bid while you were submitting it. Check it and submit again")
    return application


def _claim_reference(application: Application, now: datetime) -> str:
    """Give the bid the next free reference. The first write is the version-checked update of the bid, so a bid
    submitted by someone else in the meantime stops here; a number taken by another bid is retried."""
    year = now.astimezone(LONDON).year
    for _attempt in range(5):
        reference = next_reference(Application, application.round.fund.code, year)
        try:
            with db.session.begin_nested():
                application.reference = reference
                db.session.flush()
            return reference
        except IntegrityError:
            continue
    raise DomainError("We could not give your bid a reference just now. Try submitting again")


def _recipients(application: Application, user: User) -> list[str]:
    addresses = [user.email, application.contact_email]
    if application.submitted_by is not None:
        addresses.append(application.submitted_by.email)
    unique: list[str] = []
    for address in addresses:
        if address and address.lower() not in {a.lower() for a in unique}:
            unique.append(address)
    return unique


def _queue_submission_emails(application: Application, user: User) -> None:
    db.session.flush()
    for address in _recipients(application, user):
        queue_email(
            address,
            "application_submitted",
            application=application,
            submitted_by=user,
            submitted_at=format_datetime(application.submitted_at),
            years=application_years(application),
            link=external_url(
                "applications.view", organisation_id=application.organisation_id, application_id=application.id
            ),
        )


# Withdrawing


def withdraw_refusal(application: Application) -> str | None:
    if application.status not in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED):
        if application.status is ApplicationStatus.WITHDRAWN:
            return "This bid has already been withdrawn."
        return "This bid is being assessed, so it can no longer be withdrawn here. Contact the grants team."
    if application.round.has_closed(utcnow()):
        return (
            f"This round closed on {format_datetime(application.round.closes_at)}, so bids can no longer be "
            "withdrawn here. Contact the grants team if you need to withdraw."
        )
    return None


def withdraw_application(application: Application, reason: str | None, user: User) -> None:
    refusal = withdraw_refusal(application)
    if refusal:
        raise DomainError(refusal)
    reason = (reason or "").strip() or None
    if reason and len(reason) > 2000:
        raise DomainError("Your reason must be 2,000 characters or fewer", field="reason")
    was_submitted = application.status is ApplicationStatus.SUBMITTED
    application.withdrawn_at = utcnow()
    application.withdrawal_reason = reason
    workflow.move_application(application, ApplicationStatus.WITHDRAWN, actor=user, detail={"reason": reason})
    db.session.flush()
    for address in _recipients(application, user):
        queue_email(
            address,
            "application_withdrawn",
            application=application,
            withdrawn_by=user,
            was_submitted=was_submitted,
            reason=reason,
            link=external_url(
                "applications.view", organisation_id=application.organisation_id, application_id=application.id
            ),
        )
    db.session.commit()
