"""The dialogue between a funded organisation and its officers: feedback or a lesson learned, sent at any time
about an award, with replies both ways; officers put what is worth keeping in the fund's lessons-learned log.

A thread's status says whose turn it is: open (waiting for an officer), replied (an officer answered last) or
closed. It moves only through the transitions declared here, each with an audit event.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from portal import audit
from portal.database import utcnow
from portal.email.outbox import queue_email
from portal.errors import DomainError, raise_if_any
from portal.extensions import db
from portal.models import Award, AwardStatus, DialogueMessage, DialogueThread, ThreadKind, ThreadStatus, User
from portal.template_helpers import external_url
from portal.workflow import Workflow

SUBJECT_MAX = 160
BODY_MAX = 5000
# The same message from the same person this soon after is a double submit, not a second message.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=5)

T = ThreadStatus
THREADS = Workflow(
    {
        (T.OPEN, T.REPLIED): "dialogue.replied",
        (T.REPLIED, T.OPEN): "dialogue.organisation_replied",
        (T.CLOSED, T.OPEN): "dialogue.reopened",
        (T.OPEN, T.CLOSED): "dialogue.closed",
        (T.REPLIED, T.CLOSED): "dialogue.closed",
    },
    noun="conversation",
    organisation_of=lambda thread: thread.award.organisation_id,
)


@dataclass
class NewThread:
    kind: ThreadKind | None
    subject: str
    body: str


def _check_body(body: str, field: str = "body") -> list[DomainError]:
    if not body.strip():
        return [DomainError("Enter your message", field)]
    if len(body) > BODY_MAX:
        return [DomainError(f"Your message must be {BODY_MAX:,} characters or fewer", field)]
    return []


def _officer_of(award: Award) -> User | None:
    return award.approved_by or award.created_by


def start_thread(award: Award, details: NewThread, actor: User) -> DialogueThread:
    """The organisation sends feedback or a lesson learned. Its officer is emailed. One commit. The same message
    sent again by the same person within minutes (a double submit) returns the first."""
    if award.status is not AwardStatus.APPROVED:
        raise DomainError("You can send feedback once the award is approved")
    errors = []
    if details.kind is None:
        errors.append(DomainError("Select whether this is feedback or a lesson learned", "kind"))
    if not details.subject.strip():
        errors.append(DomainError("Enter a subject", "subject"))
    elif len(details.subject.strip()) > SUBJECT_MAX:
        errors.append(DomainError(f"The subject must be {SUBJECT_MAX} characters or fewer", "subject"))
    errors.extend(_check_body(details.body))
    raise_if_any(errors)

    now = utcnow()
    earlier = db.session.scalar(
        sa.select(DialogueThread)
        .join(DialogueMessage)
        .where(
            DialogueThread.award_id == award.id,
            DialogueThread.started_by_id == actor.id,
            DialogueThread.subject == details.subject.strip(),
            DialogueThread.created_at >= now - DOUBLE_SUBMIT_WINDOW,
            DialogueMessage.body == details.body.strip(),
        )
        .limit(1)
    )
    if earlier is not None:
        return earlier
    thread = DialogueThread(
        award=award,
        kind=details.kind,
        subject=details.subject.strip(),
        started_by=actor,
        created_at=now,
        last_message_at=now,
        messages=[DialogueMessage(body=details.body.strip(), author=actor, from_officer=False, created_at=now)],
    )
    db.session.add(thread)
    audit.record(
        "dialogue.started",
        thread,
        after={"kind": details.kind, "status": ThreadStatus.OPEN},
        organisation_id=award.organisation_id,
        actor=actor,
    )
    _tell_officer(thread, details.body.strip())
    db.session.commit()
    return thread


def _tell_officer(thread: DialogueThread, body: str) -> None:
    officer = _officer_of(thread.award)
    if officer is None:
        return
    queue_email(
        officer.email,
        "dialogue_received",
        thread=thread,
        award=thread.award,
        body=body,
        link=external_url("dialogue.staff_thread", thread_id=thread.id),
    )


def _repeated(thread: DialogueThread, body: str, actor: User) -> DialogueMessage | None:
    last = thread.messages[-1] if thread.messages else None
    if (
        last is not None
        and last.author_id == actor.id
        and last.body == body.strip()
        and last.created_at >= utcnow() - DOUBLE_SUBMIT_WINDOW
    ):
        return last
    return None


def organisation_reply(thread: DialogueThread, body: str, actor: User) -> DialogueMessage:
    """The organisation adds to its conversation; a replied or closed one is open again, waiting for an officer.
    Sending the same message twice in a row (a double submit) adds it once."""
    raise_if_any(_check_body(body))
    if repeated := _repeated(thread, body, actor):
        return repeated
    message = DialogueMessage(body=body.strip(), author=actor, from_officer=False)
    thread.messages.append(message)
    thread.last_message_at = utcnow()
    if thread.status is not ThreadStatus.OPEN:
        THREADS.move(thread, ThreadStatus.OPEN, actor=actor)
    else:
        audit.record("dialogue.message_added", thread, organisation_id=thread.award.organisation_id, actor=actor)
    _tell_officer(thread, body.strip())
    db.session.commit()
    return message


def officer_reply(thread: DialogueThread, body: str, actor: User) -> DialogueMessage:
    """An officer replies; everyone in the organisation with a confirmed address is emailed. Sending the same reply
    twice in a row (a double submit) sends it once."""
    raise_if_any(_check_body(body))
    if repeated := _repeated(thread, body, actor):
        return repeated
    message = DialogueMessage(body=body.strip(), author=actor, from_officer=True)
    thread.messages.append(message)
    thread.last_message_at = utcnow()
    if thread.status is ThreadStatus.REPLIED:
        audit.record("dialogue.replied", thread, organisation_id=thread.award.organisation_id, actor=actor)
    else:
        if thread.status is ThreadStatus.CLOSED:
            THREADS.move(thread, ThreadStatus.OPEN, actor=actor)
        THREADS.move(thread, ThreadStatus.REPLIED, actor=actor)
    link = external_url(
        "dialogue.organisation_thread",
        organisation_id=thread.award.organisation_id,
        award_id=thread.award_id,
        thread_id=thread.id,
    )
    for membership in sorted(thread.award.organisation.memberships, key=lambda m: m.user.email):
        if membership.user.email_confirmed_at:
            queue_email(
                membership.user.email,
                "dialogue_reply",
                thread=thread,
                award=thread.award,
                body=body.strip(),
                officer_name=actor.full_name,
                link=link,
            )
    db.session.commit()
    return message


def close_thread(thread: DialogueThread, actor: User) -> None:
    THREADS.move(thread, ThreadStatus.CLOSED, actor=actor)
    db.session.commit()


def log_lesson(thread: DialogueThread, summary: str, actor: User) -> None:
    """Put the conversation in its fund's lessons-learned log, with the officer's summary (or its subject)."""
    summary = summary.strip()
    if len(summary) > BODY_MAX:
        raise DomainError(f"The summary must be {BODY_MAX:,} characters or fewer", "summary")
    before = {"in_log": thread.in_lessons_log, "summary": thread.lesson_summary}
    thread.lesson_summary = summary or None
    if not thread.in_lessons_log:
        thread.lesson_logged_at, thread.lesson_logged_by = utcnow(), actor
    audit.record(
        "dialogue.lesson_logged",
        thread,
        before=before,
        after={"in_log": True, "summary": thread.lesson_summary},
        organisation_id=thread.award.organisation_id,
        actor=actor,
    )
    db.session.commit()


def remove_lesson(thread: DialogueThread, actor: User) -> None:
    if not thread.in_lessons_log:
        raise DomainError("This conversation is not in the lessons-learned log")
    thread.lesson_logged_at = thread.lesson_logged_by = None
    audit.record(
        "dialogue.lesson_removed",
        thread,
        before={"in_log": True},
        after={"in_log": False},
        organisation_id=thread.award.organisation_id,
        actor=actor,
    )
    db.session.commit()
