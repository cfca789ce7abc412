"""Email goes through the outbox: a row written with the change that causes it, sent by a job after commit."""

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_sqlalchemy.pagination import Pagination

from portal import jobs
from portal.database import rows_matched, utcnow
from portal.extensions import db
from portal.models import MessageStatus, OutboundMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def queue_email(to_address: str, template: str, **context: Any) -> OutboundMessage:
    """Write an email to the outbox; it is sent once the current transaction commits.

    ``template`` names ``templates/email/<template>.txt``, whose first line is ``Subject: ...``.
    """
    rendered = render_template(f"email/{template}.txt", **context)
    subject_line, _, body = rendered.partition("\n")
    if not subject_line.startswith("Subject: "):
        raise ValueError(f"email/{template}.txt must start with a 'Subject: ' line")
    message = OutboundMessage(
        to_address=to_address,
        subject=subject_line.removeprefix("Subject: ").strip(),
        body=body.strip() + "\n",
        template=template,
    )
    db.session.add(message)
    db.session.flush()
    jobs.enqueue("workers.email.send_message", message.id, queue=jobs.QUEUE_EMAIL, timeout=60)
    return message


def send_message(message_id: int) -> None:
    """Send one outbox message. Safe to run twice: only the run that claims the row sends it."""
    claimed = rows_matched(
        db.session.execute(
            sa.update(OutboundMessage)
            .where(
                OutboundMessage.id == message_id,
                OutboundMessage.status.in_([MessageStatus.PENDING, MessageStatus.FAILED]),
                OutboundMessage.attempts < MAX_ATTEMPTS,
            )
            .values(
                status=MessageStatus.SENDING,
                attempts=OutboundMessage.attempts + 1,
                claimed_at=utcnow(),
                claimed_by=jobs.current_worker(),
            )
        )
    )
    db.session.commit()
    if not claimed:
        return
    message = db.session.get(OutboundMessage, message_id)
    if message is None:
        return  # deleted (its person erased) since it was claimed
    try:
        deliver(message)
    except Exception as error:
        message.status = MessageStatus.FAILED
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
        raise
    message.status = MessageStatus.SENT
    message.sent_at = utcnow()
    message.last_error = None
    db.session.commit()


def deliver(message: OutboundMessage) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "log":
        log.info("Email to %s: %s\n%s", message.to_address, message.subject, message.body)
        return
    if not config["MAIL_SERVER"]:
        raise RuntimeError("MAIL_BACKEND is smtp but MAIL_SERVER is not set")
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)


def release_stuck_messages() -> list[int]:
    """Make messages left "sending" by a stopped worker sendable again, once they have been claimed for longer than
    ``CLAIM_TIMEOUT_SECONDS``; the ids released. Delivery is at least once: a worker that stopped after the SMTP
    server accepted a message but before recording it may send it a second time."""
    stale = utcnow() - timedelta(seconds=current_app.config["CLAIM_TIMEOUT_SECONDS"])
    stuck = sa.and_(
        OutboundMessage.status == MessageStatus.SENDING,
        # Messages claimed before claims were recorded are judged by when they were written.
        sa.func.coalesce(OutboundMessage.claimed_at, OutboundMessage.created_at) < stale,
    )
    ids = list(db.session.scalars(sa.select(OutboundMessage.id).where(stuck)))
    released = []
    for message_id in ids:
        if rows_matched(
            db.session.execute(
                sa.update(OutboundMessage)
                .where(OutboundMessage.id == message_id, stuck)
                .values(status=MessageStatus.FAILED, last_error="The worker stopped while sending", claimed_at=None)
            )
        ):
            released.append(message_id)
    db.session.commit()
    if released:
        log.warning("%s messages left sending by a stopped worker were released", len(released))
    return released


def resend_stuck_messages() -> int:
    """Release messages left "sending" by a stopped worker and queue each to be sent again (the scheduler's check)."""
    released = release_stuck_messages()
    for message_id in released:
        message = db.session.get(OutboundMessage, message_id)
        if message is not None and (message.attempts or 0) < MAX_ATTEMPTS:
            jobs.enqueue("workers.email.send_message", message_id, queue=jobs.QUEUE_EMAIL, timeout=60)
    db.session.commit()
    return len(released)


def send_unsent() -> tuple[int, int]:
    """Send every message not yet sent and under the attempt limit, one by one: (sent, failed)."""
    release_stuck_messages()
    ids = fetch_unsent_message_ids()
    failed = 0
    for message_id in ids:
        try:
            send_message(message_id)
        except Exception as error:
            failed += 1
            log.warning("Message %s was not sent: %s", message_id, error)
    return len(ids) - failed, failed


def fetch_unsent_message_ids() -> list[int]:
    return list(
        db.session.scalars(
            sa.select(OutboundMessage.id)
            .where(
                OutboundMessage.status.in_([MessageStatus.PENDING, MessageStatus.FAILED]),
                OutboundMessage.attempts < MAX_ATTEMPTS,
            )
            .order_by(OutboundMessage.id)
        )
    )


def fetch_outbox_page(page: int, per_page: int = 50) -> Pagination:
    return db.paginate(
        sa.select(OutboundMessage).order_by(OutboundMessage.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
