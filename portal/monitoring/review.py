"""What every kind of return does the same way: saving what the organisation wrote (with its version guard and
its answer to an officer's query), submitting, and the officers' review (accept, or query for a resubmission).
What a kind writes and checks is its own (``portal/monitoring/returns.py``, ``portal/dialogue/follow_ups.py``).

Two people editing one return at once: each form carries the version it was loaded at. A save from an older
version is refused with :class:`ReturnConflict` (what the person typed stays on their screen), and the version
column makes the database refuse it too if the other save lands between our check and our write. A double-clicked
submit is answered as the first click was: the return is submitted.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from portal import audit
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError
from portal.extensions import db
from portal.models import AwardStatus, ReturnQuery, ReturnStatus, User
from portal.monitoring.kinds import AnyReturn, SomeReturn, kind_of
from portal.periods import today_in_london as today
from portal.template_helpers import format_date

# How long after a submit a second submit of the same version by the same person counts as the same click.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)


class ReturnConflict(DomainError):
    """Someone else saved the return (or follow-up) since this person opened it."""

    def __init__(self, current_version: int, noun: str = "return") -> None:
        super().__init__(
            f"Someone else saved this {noun} while you were working on it, so your changes have not been saved. "
            "What you typed is still below: check it, then save again to replace their version."
        )
        self.current_version = current_version


def check_editable(record: AnyReturn) -> None:
    """Refuse a change to a return that cannot be changed now, with why."""
    kind = kind_of(record)
    if record.award is not None and record.award.status is AwardStatus.WITHDRAWN:
        raise DomainError(f"This award has been withdrawn, so its {kind.noun}s cannot be changed")
    if not record.status.editable:
        raise DomainError(f"This {kind.noun} has been submitted, so it cannot be changed now")


def may_fill_in(record: AnyReturn, on: date) -> bool:
    """Whether the organisation can write in it on that day: open, not yet submitted, on live funding."""
    live = record.award is None or record.award.status is AwardStatus.APPROVED
    return live and record.status.editable and record.opens_on <= on


def save(
    record: SomeReturn,
    version: int | None,
    actor: User,
    *,
    submit: bool,
    check: Callable[[], None],
    write: Callable[[], None],
) -> SomeReturn:
    """Save what the organisation has written with ``write`` once ``check`` finds nothing wrong, and submit it if
    asked. One commit; nothing half-written."""
    kind, record_id = kind_of(record), record.id  # the id is read now: a rollback expires the row it came from
    if submit and submitted_by_the_same_click(record, version, actor):
        return record
    check_editable(record)
    if record.opens_on > today():
        raise DomainError(f"You can fill in this {kind.noun} from {format_date(record.opens_on)}")
    if version != record.version:
        raise ReturnConflict(record.version, kind.noun)
    check()
    try:
        write()
        db.session.commit()
    except StaleDataError:
        # The other save landed between our version check and our write: the database refused ours.
        db.session.rollback()
        current = db.session.get(type(record), record_id)
        if current is None:  # not another save: the row itself has gone (a schedule that shrank took it)
            raise DomainError(f"This {kind.noun} has been removed, so your changes have not been saved") from None
        if submit and submitted_by_the_same_click(current, version, actor):
            return current
        raise ReturnConflict(current.version, kind.noun) from None
    return record


def submitted_by_the_same_click(record: AnyReturn, version: int | None, actor: User) -> bool:
    """Whether this person's own submit of the version they loaded has just been recorded: the second of a
    double-clicked submit, which should see it submitted rather than a conflict or an error."""
    return (
        record.status is ReturnStatus.SUBMITTED
        and record.submitted_by_id == actor.id
        and version is not None
        and record.version == version + 1
        and record.submitted_at is not None
        and utcnow() - record.submitted_at < DOUBLE_SUBMIT_WINDOW
    )


def answer_open_query(record: AnyReturn, answer: str, actor: User, *, submit: bool) -> None:
    """Keep the organisation's answer to the officer's open query; it counts as answered once submitted."""
    open_query = record.open_query
    if open_query is not None and answer.strip():
        open_query.answer = answer.strip()
        if submit:
            open_query.answered_by, open_query.answered_at = actor, utcnow()


def record_save(
    record: AnyReturn,
    actor: User,
    *,
    submit: bool,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Move the return on after a save (started, submitted or resubmitted), or note the save in the audit log."""
    kind = kind_of(record)
    if submit:
        now = utcnow()
        record.submitted_at, record.submitted_by = now, actor
        if hasattr(record, "first_submitted_at"):
            record.first_submitted_at = record.first_submitted_at or now
        kind.workflow.move(record, ReturnStatus.SUBMITTED, actor=actor, detail=after)
    elif record.status is ReturnStatus.DUE:
        kind.workflow.move(record, ReturnStatus.IN_PROGRESS, actor=actor, detail=after)
    else:
        audit.record(
            f"{kind.prefix}.saved",
            record,
            before=before,
            after=after,
            organisation_id=record.organisation_id,
            actor=actor,
        )


# Officers' review ---------------------------------------------------------------------------------------------------


def may_review(record: AnyReturn) -> bool:
    """An officer can accept or query it once submitted, while what it reports on is live."""
    award = record.award
    return record.status is ReturnStatus.SUBMITTED and (award is None or award.status is AwardStatus.APPROVED)


def notify(record: AnyReturn, outcome: str, /, **context: Any) -> None:
    """Tell whoever submitted it what the officer decided (``accepted`` or ``queried``)."""
    if record.submitted_by is None:
        return
    kind = kind_of(record)
    queue_email(
        record.submitted_by.email,
        f"{kind.prefix}_{outcome}",
        link=kind.organisation_link(record),
        **kind.email_context(record),
        **context,
    )


def mark_accepted(record: AnyReturn, actor: User) -> None:
    """Accept a submitted return. The caller adds what acceptance means for its kind, tells the organisation and
    commits."""
    kind_of(record).workflow.move(record, ReturnStatus.ACCEPTED, actor=actor)
    record.accepted_at, record.accepted_by = utcnow(), actor


def query(record: AnyReturn, question: str, actor: User) -> None:
    """Send a submitted return back to the organisation with a question they answer before resubmitting."""
    question = (question or "").strip()
    if not question:
        raise DomainError("Enter what the organisation needs to answer or change", "question")
    kind_of(record).workflow.move(record, ReturnStatus.QUERIED, actor=actor, detail={"question": question})
    record.queries.append(ReturnQuery(question=question, asked_by=actor))
    notify(record, "queried", question=question)
    db.session.commit()
