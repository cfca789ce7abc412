"""What a load balancer and monitoring ask of each web process."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from portal.database import utcnow
from portal.extensions import db


def check_dependencies() -> tuple[dict[str, str | int | None], int]:
    """Can this process reach its database and Redis, and how long has the oldest unsent email and the oldest job
    been waiting (``null`` when none is), so that monitoring can alert on a stuck queue?

    Only an unreachable database answers 503. Without Redis the portal still serves everyone (jobs wait in the
    database, limits and caches fall back to each process), so Redis is reported but keeps the process in service.
    """
    status: dict[str, str | int | None] = {"database": "ok"}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        status["database"] = "unreachable"
    redis_ok = False  # without Redis configured, jobs run inline and no queue can be waiting
    if current_app.config["REDIS_URL"]:
        from portal.jobs import redis_connection

        try:
            redis_connection().ping()
            status["redis"] = "ok"
            redis_ok = True
        except Exception:
            status["redis"] = "unreachable"
            redis_ok = False
    if status["database"] == "ok":
        status["oldest_pending_email_seconds"] = _age(_oldest_unsent_email())
        waiting = [_oldest_kept_job(), *(_oldest_queued_jobs() if redis_ok else [])]
        status["oldest_pending_job_seconds"] = _age(min((w for w in waiting if w), default=None))
    return status, 200 if status["database"] == "ok" else 503


def _age(since: datetime | None) -> int | None:
    return None if since is None else max(0, int((utcnow() - since).total_seconds()))


def _oldest_unsent_email() -> datetime | None:
    from portal.email.outbox import MAX_ATTEMPTS
    from portal.models import MessageStatus, OutboundMessage

    return db.session.scalar(
        sa.select(sa.func.min(OutboundMessage.created_at)).where(
            OutboundMessage.status.in_([MessageStatus.PENDING, MessageStatus.SENDING, MessageStatus.FAILED]),
            OutboundMessage.attempts < MAX_ATTEMPTS,
        )
    )


def _oldest_kept_job() -> datetime | None:
    from portal.models import JobHandover

    return db.session.scalar(sa.select(sa.func.min(JobHandover.created_at)))


def _oldest_queued_jobs() -> list[datetime]:
    """When the job at the head of each rq queue was queued."""
    from datetime import UTC

    from portal import jobs

    found = []
    for name in jobs.QUEUES:
        queue = jobs.queue(name)
        for job_id in queue.get_job_ids(0, 1):
            job = queue.fetch_job(job_id)
            if job is not None and job.enqueued_at is not None:
                at = job.enqueued_at
                found.append(at if at.tzinfo else at.replace(tzinfo=UTC))
    return found
