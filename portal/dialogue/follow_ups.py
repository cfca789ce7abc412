"""Follow-up returns: evaluation that carries on after an award ends.

Every approved award gets two short follow-ups, at 6 and 12 months after its end date. Each opens on that date
(the organisation can fill it in from then) and is due a set number of days later. :func:`sync_follow_ups` adds
them and, when the award's end date has changed, moves the dates of those not yet submitted; a follow-up already
submitted keeps the dates it was answered against.

Saving uses the same guard against concurrent edits as returns: the form carries the version it was loaded at.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Award, AwardStatus, FollowUpReturn, ReturnQuery, ReturnStatus, Sustained, User
from portal.monitoring.workflow import move_follow_up
from portal.periods import today_in_london as today
from portal.template_helpers import external_url, format_date

FOLLOW_UP_MONTHS = (6, 12)
DAYS_TO_REPORT = 30

NOT_YET_SUBMITTED = (ReturnStatus.DUE, ReturnStatus.IN_PROGRESS)


# Dates --------------------------------------------------------------------------------------------------------------


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later. A day past the end of the shorter month becomes its last day (31 August +
    6 months is 28 or 29 February), and the last day of a month stays the last day (30 September + 6 months is
    31 March), so that an award ending at a month's end is followed up at a month's end."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last_day)
    return date(year, month, min(day.day, last_day))


@dataclass(frozen=True)
class FollowUpDates:
    months_after: int
    opens_on: date
    due_on: date


def follow_up_dates(end_date: date, *, days_to_report: int = DAYS_TO_REPORT) -> list[FollowUpDates]:
    """When each follow-up opens and falls due, for an award ending on ``end_date``."""
    dates = []
    for months in FOLLOW_UP_MONTHS:
        opens_on = months_after(end_date, months)
        dates.append(FollowUpDates(months, opens_on, opens_on + timedelta(days=days_to_report)))
    return dates


def sync_follow_ups(award: Award) -> int:
    """Give an approved award its follow-ups, or move the dates of those not yet submitted to match its end date.

    Idempotent: running it again changes nothing. The caller commits. Returns how many were added or moved.
    """
    if award.status is not AwardStatus.APPROVED:
        return 0
    existing = {
        follow_up.months_after: follow_up
        for follow_up in db.session.scalars(sa.select(FollowUpReturn).where(FollowUpReturn.award_id == award.id))
    }
    changed = 0
    for dates in follow_up_dates(award.end_date):
        follow_up = existing.get(dates.months_after)
        if follow_up is None:
            follow_up = FollowUpReturn(
                award_id=award.id, months_after=dates.months_after, opens_on=dates.opens_on, due_on=dates.due_on
            )
            db.session.add(follow_up)
            audit.record(
                "follow_up.scheduled",
                follow_up,
                after={"months_after": dates.months_after, "due_on": dates.due_on},
                organisation_id=award.organisation_id,
            )
            changed += 1
        elif follow_up.status in NOT_YET_SUBMITTED and (follow_up.opens_on, follow_up.due_on) != (
            dates.opens_on,
            dates.due_on,
        ):
            before = {"opens_on": follow_up.opens_on, "due_on": follow_up.due_on}
            follow_up.opens_on, follow_up.due_on = dates.opens_on, dates.due_on
            audit.record(
                "follow_up.rescheduled",
                follow_up,
                before=before,
                after={"opens_on": dates.opens_on, "due_on": dates.due_on},
                organisation_id=award.organisation_id,
            )
            changed += 1
    return changed


# The organisation's answers -------------------------------------------------------------------------------------


class FollowUpConflict(DomainError):
    """Someone else saved the follow-up since this person opened it."""

    def __init__(self, current_version: int):
        super().__init__(
            "Someone else saved this follow-up while you were working on it, so your changes have not been saved. "
            "What you typed is still below: check it, then save again to replace their version."
        )
        self.current_version = current_version


@dataclass
class FollowUpAnswers:
    version: int | None
    service_running: Sustained | None = None
    funded_by: str = ""
    people_helped_since: int | None = None
    outcomes_sustained: Sustained | None = None
    what_changed: str = ""
    lessons: str = ""
    answer: str = ""


def _problems(follow_up: FollowUpReturn, answers: FollowUpAnswers, submitting: bool) -> None:
    errors = []
    if answers.people_helped_since is not None and answers.people_helped_since < 0:
        errors.append(DomainError("People helped cannot be less than 0", "people_helped_since"))
    if submitting:
        if answers.service_running is None:
            errors.append(DomainError("Select whether the service is still running", "service_running"))
        elif answers.service_running is not Sustained.NO and not answers.funded_by.strip():
            errors.append(DomainError("Say how the service is funded now", "funded_by"))
        if answers.people_helped_since is None:
            errors.append(
                DomainError("Enter how many people the service has helped since the award ended", "people_helped_since")
            )
        if answers.outcomes_sustained is None:
            errors.append(DomainError("Select whether the outcomes have lasted", "outcomes_sustained"))
        if not answers.what_changed.strip():
            errors.append(DomainError("Describe what has changed for the people the service helped", "what_changed"))
        if follow_up.open_query is not None and not answers.answer.strip():
            errors.append(DomainError("Answer the officer's query before you resubmit", "answer"))
    raise_if_any(errors)


def may_fill_in(follow_up: FollowUpReturn, on: date) -> bool:
    return follow_up.award.status is AwardStatus.APPROVED and follow_up.status.editable and follow_up.opens_on <= on


def save_follow_up(follow_up: FollowUpReturn, answers: FollowUpAnswers, actor: User, *, submit: bool):
    """Save what the organisation has written, and submit it if asked. One commit; nothing half-written."""
    if follow_up.award.status is AwardStatus.WITHDRAWN:
        raise DomainError("This award has been withdrawn, so its follow-ups cannot be changed")
    if not follow_up.status.editable:
        raise DomainError("This follow-up has been submitted, so it cannot be changed now")
    if follow_up.opens_on > today():
        raise DomainError(f"You can fill in this follow-up from {format_date(follow_up.opens_on)}")
    if answers.version != follow_up.version:
        raise FollowUpConflict(follow_up.version)
    _problems(follow_up, answers, submit)
    try:
        _write(follow_up, answers, actor, submit)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise FollowUpConflict(db.session.get(FollowUpReturn, follow_up.id).version) from None
    return follow_up


def _write(follow_up: FollowUpReturn, answers: FollowUpAnswers, actor: User, submit: bool) -> None:
    follow_up.service_running = answers.service_running
    follow_up.funded_by = answers.funded_by.strip() or None
    follow_up.people_helped_since = answers.people_helped_since
    follow_up.outcomes_sustained = answers.outcomes_sustained
    follow_up.what_changed = answers.what_changed.strip() or None
    follow_up.lessons = answers.lessons.strip() or None
    open_query = follow_up.open_query
    if open_query is not None and answers.answer.strip():
        open_query.answer = answers.answer.strip()
        if submit:
            open_query.answered_by, open_query.answered_at = actor, utcnow()
    if submit:
        follow_up.submitted_at, follow_up.submitted_by = utcnow(), actor
        move_follow_up(follow_up, ReturnStatus.SUBMITTED, actor=actor)
    elif follow_up.status is ReturnStatus.DUE:
        move_follow_up(follow_up, ReturnStatus.IN_PROGRESS, actor=actor)
    else:
        audit.record("follow_up.saved", follow_up, organisation_id=follow_up.award.organisation_id, actor=actor)


# Officers' review ---------------------------------------------------------------------------------------------------


def _notify(follow_up: FollowUpReturn, template: str, **context) -> None:
    if follow_up.submitted_by is None:
        return
    queue_email(
        follow_up.submitted_by.email,
        template,
        follow_up=follow_up,
        award=follow_up.award,
        link=external_url(
            "dialogue.organisation_follow_up",
            organisation_id=follow_up.award.organisation_id,
            award_id=follow_up.award_id,
            follow_up_id=follow_up.id,
        ),
        **context,
    )


def accept_follow_up(follow_up: FollowUpReturn, actor: User) -> None:
    move_follow_up(follow_up, ReturnStatus.ACCEPTED, actor=actor)
    follow_up.accepted_at, follow_up.accepted_by = utcnow(), actor
    _notify(follow_up, "follow_up_accepted")
    db.session.commit()


def query_follow_up(follow_up: FollowUpReturn, question: str, actor: User) -> None:
    if not (question or "").strip():
        raise DomainError("Enter what the organisation needs to answer or change", "question")
    move_follow_up(follow_up, ReturnStatus.QUERIED, actor=actor, detail={"question": question.strip()})
    follow_up.queries.append(ReturnQuery(question=question.strip(), asked_by=actor))
    _notify(follow_up, "follow_up_queried", question=question.strip())
    db.session.commit()
