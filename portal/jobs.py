"""The one way background work is started.

Call :func:`enqueue` inside the transaction that creates the job's data. Nothing leaves the process until that
transaction commits: then the job goes to an rq queue on Redis when ``REDIS_URL`` is configured, or runs inline
in this process otherwise. A rolled-back transaction takes its jobs with it. Jobs take ids, never objects.
"""

import logging
from dataclasses import dataclass, field

from flask import current_app
from redis import Redis
from rq import Queue, Retry

log = logging.getLogger(__name__)

QUEUE_DEFAULT = "portal-default"
QUEUE_EMAIL = "portal-email"
QUEUES = (QUEUE_EMAIL, QUEUE_DEFAULT)

_PENDING = "portal_pending_jobs"
_RUNNING_INLINE = "portal_running_inline"


@dataclass(frozen=True)
class PendingJob:
    function: str  # dotted path, so the web process never imports worker-only code by accident
    args: tuple = ()
    queue: str = QUEUE_DEFAULT
    timeout: int = 300
    retries: tuple[int, ...] = field(default=(30, 120, 600))


def enqueue(function: str, *args: int | str, queue: str = QUEUE_DEFAULT, timeout: int = 300) -> None:
    """Queue ``function(*args)`` to run once the current transaction commits."""
    from portal.extensions import db

    db.session.info.setdefault(_PENDING, []).append(PendingJob(function, tuple(args), queue, timeout))


def discard_pending(session) -> None:
    session.info.pop(_PENDING, None)


def dispatch_committed(session) -> None:
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    if current_app.config["RUN_JOBS_INLINE"]:
        _run_inline(session, pending)
    else:
        for job in pending:
            queue(job.queue).enqueue_call(
                job.function,
                args=job.args,
                timeout=job.timeout,
                retry=Retry(max=len(job.retries), interval=list(job.retries)),
            )


def _run_inline(session, pending: list[PendingJob]) -> None:
    # A job that commits queues more jobs; they join the same loop rather than recursing.
    if session.info.get(_RUNNING_INLINE):
        session.info.setdefault("portal_inline_backlog", []).extend(pending)
        return
    session.info[_RUNNING_INLINE] = True
    backlog = list(pending)
    try:
        while backlog:
            job = backlog.pop(0)
            try:
                _import(job.function)(*job.args)
            except Exception:
                # Inline jobs must never break the request that queued them: the data is committed and a
                # worker or `flask outbox send` can pick it up again.
                log.exception("inline job %s%r failed", job.function, job.args)
                session.rollback()
            backlog.extend(session.info.pop("portal_inline_backlog", []))
    finally:
        session.info.pop(_RUNNING_INLINE, None)


def _import(dotted: str):
    module_name, _, attribute = dotted.rpartition(".")
    module = __import__(module_name, fromlist=[attribute])
    return getattr(module, attribute)


def redis_connection() -> Redis:
    return Redis.from_url(current_app.config["REDIS_URL"])


def queue(name: str) -> Queue:
    return Queue(name, connection=redis_connection())
