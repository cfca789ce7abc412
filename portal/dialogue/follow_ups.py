"""Follow-up returns: evaluation that carries on after an award ends.

Every approved award gets two short follow-ups, at 6 and 12 months after its end date. Each opens on that date
(the organisation can fill it in from then) and is due a set number of days later. :func:`sync_follow_ups` adds
them and, when the award's end date has changed, moves the dates of those not yet submitted; a follow-up already
submitted keeps the dates it was answered against.

Saving, submitting, the guard against concurrent edits, queries and review are the mechanism every kind of return
shares (``portal/monitoring/review.py``); only the answers and their checks are a follow-up's own.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from portal import audit
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Award, AwardStatus, FollowUpReturn, Sustained, User
from portal.monitoring import review
from portal.monitoring.kinds import NOT_YET_SUBMITTED

FOLLOW_UP_MONTHS = (6, 12)
DAYS_TO_REPORT = 30


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
                actor=None,  # the schedule follows the award's dates, whoever changed them
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
                actor=None,  # the schedule follows the award's dates, whoever changed them
            )
            changed += 1
    return changed


# The organisation's answers -------------------------------------------------------------------------------------


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


def save_follow_up(follow_up: FollowUpReturn, answers: FollowUpAnswers, actor: User, *, submit: bool) -> FollowUpReturn:
    """Save what the organisation has written, and submit it if asked. One commit; nothing half-written."""
    return review.save(
        follow_up,
        answers.version,
        actor,
        submit=submit,
        check=lambda: _problems(follow_up, answers, submit),
        write=lambda: _write(follow_up, answers, actor, submit),
    )


def _write(follow_up: FollowUpReturn, answers: FollowUpAnswers, actor: User, submit: bool) -> None:
    follow_up.service_running = answers.service_running
    follow_up.funded_by = answers.funded_by.strip() or None
    follow_up.people_helped_since = answers.people_helped_since
    follow_up.outcomes_sustained = answers.outcomes_sustained
    follow_up.what_changed = answers.what_changed.strip() or None
    follow_up.lessons = answers.lessons.strip() or None
    review.answer_open_query(follow_up, answers.answer, actor, submit=submit)
    review.record_save(follow_up, actor, submit=submit)


# Officers' review ---------------------------------------------------------------------------------------------------


def accept_follow_up(follow_up: FollowUpReturn, actor: User) -> None:
    review.mark_accepted(follow_up, actor)
    review.notify(follow_up, "accepted")
    db.session.commit()


def query_follow_up(follow_up: FollowUpReturn, question: str, actor: User) -> None:
    review.query(follow_up, question, actor)
