"""The one way background work is started.

Call :func:`enqueue` inside the transaction that creates the job's data. Nothing leaves the process until that
transaction commits: then the job goes to an rq queue on Redis when ``REDIS_URL`` is configured, or runs inline
in this process otherwise. A rolled-back transaction takes its jobs with it. Jobs take ids, never objects.

Redis may be unreachable at the moment of hand-over although the commit succeeded. The job is then written to the
``job_handover`` table and the request goes on as a success, because what the person did is saved; the scheduler,
or the next web request once Redis answers, hands it over (:func:`hand_over_waiting`). Every job is safe to run
twice, so a hand-over repeated after a crash does no harm.
"""

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy.orm import Session

from portal.database import rows_matched, utcnow

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
    coalesce: bool = False


def enqueue(
    function: str, *args: int | str, queue: str = QUEUE_DEFAULT, timeout: int = 300, coalesce: bool = False
) -> None:
    """Queue ``function(*args)`` to run once the current transaction commits.

    ``coalesce`` is for a job that brings something up to date with everything committed before it starts (the
    open-data files): while one such job is waiting in the queue, queuing it again does nothing, since the waiting
    one will see this change too. Once it starts, the next change queues a new one."""
    from portal.extensions import db

    job = PendingJob(function, tuple(args), queue, timeout, coalesce=coalesce)
    pending = db.session.info.setdefault(_PENDING, [])
    if not (coalesce and job in pending):
        pending.append(job)


def discard_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def dispatch_committed(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    if not pending:
        return
    if current_app.config["RUN_JOBS_INLINE"]:
        _run_inline(session, pending)
        return
    waiting = []
    for job in pending:
        try:
            _hand_over(job)
        except REDIS_DOWN as error:
            log.warning("Redis unreachable: job %s%r kept to hand over later (%s)", job.function, job.args, error)
            waiting.append(job)
    if waiting:
        _keep_for_later(session, waiting)


# What an unreachable Redis raises: connection refused or reset, a timeout, a name that does not resolve.
REDIS_DOWN = (RedisError, OSError)


def _hand_over(job: PendingJob) -> None:
    function, args, job_id = job.function, job.args, None
    target = queue(job.queue)
    if job.coalesce:
        key = waiting_key(job.function, job.args)
        if _still_waiting(target.connection, key):
            return  # one is already waiting, and it will see this change
        job_id = uuid.uuid4().hex
        target.connection.set(key, job_id, ex=COALESCED_WAIT_SECONDS)
        function, args = "portal.jobs.run_coalesced", (key, job.function, *job.args)
    try:
        target.enqueue_call(
            function,
            args=args,
            timeout=job.timeout,
            retry=Retry(max=len(job.retries), interval=list(job.retries)),
            job_id=job_id,
        )
    except REDIS_DOWN:
        if job.coalesce:
            target.connection.delete(key)
        raise


# Past this, a coalesced job still marked as waiting is taken as lost and queued again.
COALESCED_WAIT_SECONDS = 3600


def waiting_key(function: str, args: tuple[Any, ...] = ()) -> str:
    return "portal:waiting-job:" + ":".join([function, *map(str, args)])


def _still_waiting(connection: Redis, key: str) -> bool:
    """Whether the job a coalescing key names is still in its queue: one emptied from the queue, lost or already
    started no longer holds back the next."""
    job_id = connection.get(key)
    if job_id is None:
        return False
    try:
        status = Job.fetch(
            job_id.decode() if isinstance(job_id, bytes) else str(job_id), connection=connection
        ).get_status()
    except NoSuchJobError:
        return False
    return status in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED)


def is_waiting(function: str, *args: Any) -> bool:
    """Whether a coalesced ``function(*args)`` is queued and not yet started (never, when jobs run inline)."""
    if current_app.config["RUN_JOBS_INLINE"]:
        return False
    try:
        return _still_waiting(redis_connection(), waiting_key(function, args))
    except REDIS_DOWN:
        return False


def run_coalesced(key: str, function: str, *args: Any) -> Any:
    """Run a coalesced job in the worker: from now on a new change queues a new job, since this one may have read
    the data before that change committed."""
    job = get_current_job()
    assert job is not None, "only an rq worker runs a coalesced job"
    job.connection.delete(key)
    return _import(function)(*args)


def _keep_for_later(session: Session, waiting: list[PendingJob]) -> None:
    from portal.models import JobHandover

    try:
        session.add_all(
            JobHandover(function=job.function, args=list(job.args), queue=job.queue, timeout=job.timeout)
            for job in waiting
        )
        session.commit()
    except Exception:
        # The person's change is committed; only the prompt start of its jobs is lost. The recurring jobs (the
        # outbox's retry, the reminders) pick up what they cover.
        log.exception("jobs %r could not be kept for later", [job.function for job in waiting])
        session.rollback()


# A hand-over claimed this long ago by a process that has not finished it was left by a process that stopped.
HANDOVER_CLAIM_TIMEOUT = timedelta(minutes=5)


def hand_over_waiting(limit: int = 500) -> int:
    """Hand the jobs kept while Redis was unreachable to Redis, oldest first; the number handed over.

    Each row is claimed in its own commit before it is handed over and deleted after, so two processes never hand
    the same row over together. Stops at the first failure: Redis is still down, and the rest wait with it."""
    from portal.extensions import db
    from portal.models import JobHandover

    if current_app.config["RUN_JOBS_INLINE"]:
        return 0
    session = db.session
    stale = utcnow() - HANDOVER_CLAIM_TIMEOUT
    claimable = sa.or_(JobHandover.claimed_at.is_(None), JobHandover.claimed_at < stale)
    ids = list(session.scalars(sa.select(JobHandover.id).where(claimable).order_by(JobHandover.id).limit(limit)))
    handed = 0
    for row_id in ids:
        claimed = rows_matched(
            session.execute(
                sa.update(JobHandover).where(JobHandover.id == row_id, claimable).values(claimed_at=utcnow())
            )
        )
        session.commit()
        if not claimed:
            continue
        row = session.get(JobHandover, row_id)
        if row is None:
            continue  # another worker, finding our claim stale, handed it over and deleted it
        try:
            _hand_over(PendingJob(row.function, tuple(row.args), row.queue, row.timeout))
        except REDIS_DOWN as error:
            row.claimed_at, row.attempts, row.last_error = None, row.attempts + 1, f"{type(error).__name__}: {error}"
            session.commit()
            break
        session.delete(row)
        session.commit()
        handed += 1
    if handed:
        log.info("%s jobs kept while Redis was unreachable were handed over", handed)
    return handed


# How often a web process looks for kept jobs; the scheduler looks every minute as well.
HANDOVER_CHECK_SECONDS = 30
_last_check = {"at": 0.0}


def hand_over_waiting_now_and_then() -> None:
    """Run before each web request: at most every ``HANDOVER_CHECK_SECONDS`` per process, hand over any kept jobs.

    Never breaks the request: any failure is logged, and the next check tries again."""
    from portal.extensions import db
    from portal.models import JobHandover

    if current_app.config["RUN_JOBS_INLINE"] or time.monotonic() - _last_check["at"] < HANDOVER_CHECK_SECONDS:
        return
    _last_check["at"] = time.monotonic()
    try:
        if db.session.scalar(sa.select(sa.exists().where(JobHandover.id.is_not(None)))):
            hand_over_waiting(limit=50)
    except Exception:
        log.exception("kept jobs could not be handed over")
        db.session.rollback()


def _run_inline(session: Session, pending: list[PendingJob]) -> None:
    # A job that commits queues more jobs; they join the same loop rather than recursing.
    if session.info.get(_RUNNING_INLINE):
        session.info.setdefault("portal_inline_backlog", []).extend(pending)
        return
    session.info[_RUNNING_INLINE] = True
    backlog = list(pending)
    try:
        while backlog:
            job = backlog.pop(0)
            if job.coalesce and job in backlog:
                continue  # the same job later in the backlog sees this change too
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


def current_worker() -> str:
    """Who is doing the work, for a claim: the rq job, or the host and process when it runs inline or by hand."""
    job = get_current_job()
    return f"rq-job:{job.id}"[:80] if job is not None else f"{socket.gethostname()}:{os.getpid()}"[:80]


def _import(dotted: str) -> Callable[..., Any]:
    module_name, _, attribute = dotted.rpartition(".")
    module = __import__(module_name, fromlist=[attribute])
    function: Callable[..., Any] = getattr(module, attribute)
    return function


def redis_connection() -> Redis:
    """The app's Redis client. Its connections are kept in one pool per app and address and used again, where a
    client made for each call opened a connection for each hand-over (a connection, a handshake and two more round
    trips each time). A connection that Redis dropped is made again on its next use."""
    url = current_app.config["REDIS_URL"]
    clients: dict[str, Redis] = current_app.extensions.setdefault("portal_redis", {})
    client = clients.get(url)
    if client is None:
        # A Redis that does not answer must fail fast, not hold a web request for the operating system's timeout.
        client = clients[url] = Redis.from_url(url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS)
    return client


REDIS_CONNECT_TIMEOUT_SECONDS = 2


def queue(name: str) -> Queue:
    return Queue(name, connection=redis_connection())
