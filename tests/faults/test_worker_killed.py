"""A worker killed with SIGKILL part way through its work: once a new worker runs the scheduler's check, what the
dead one was doing is done, and an email goes out exactly once.

Real processes throughout: ``flask --app wsgi worker`` on a Redis of the test's own, the test's database, and an
SMTP server on loopback that counts what it accepts. The dead worker is caught in the middle of its work at the
boundary with the outside world, never by changing our code: the SMTP server holds its first conversation open
before the message is given, and PostgreSQL holds the report builder at a table the test has locked.
"""

import asyncio
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from portal import jobs
from portal.extensions import db
from portal.models import MessageStatus, OutboundMessage, ReportRun, ReportStatus, StaffRole
from portal.reports import content, runs
from tests.conftest import _free_port
from tests.factories import create_user

# A claim older than this is released by the scheduler's check in the new worker (the default is five minutes).
CLAIM_TIMEOUT_SECONDS = 2
# A worker starts in a second or two, but in twenty or more on a loaded machine; only a failure waits this long.
WAIT_SECONDS = 60


class HoldingSmtp:
    """An SMTP server's handler that keeps the first conversation waiting at its recipient, before any message is
    given, until the test lets it go; it counts the messages it accepts, by recipient."""

    def __init__(self):
        self.accepted: Counter = Counter()
        self.holding = threading.Event()  # the first sender is in the middle of its conversation
        self.release = threading.Event()
        self.holds_left = 1
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.holds_left:
            self.holds_left -= 1
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.accepted.update(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture
def holding_smtp():
    handler = HoldingSmtp()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, handler
    handler.release.set()
    controller.stop()


def read(statement):
    """Read what the workers have committed (ending this session's transaction first, for SQLite's snapshot)."""
    db.session.commit()
    db.session.expire_all()
    return db.session.scalar(statement)


def wait_for(condition, what: str, workers=(), seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(worker.log()[-3000:] for worker in workers)
            pytest.fail(f"{what} did not happen within {seconds} s; workers' logs:\n{logs}")
        time.sleep(0.1)


def run_the_schedulers_check() -> None:
    """Queue the scheduler's every-minute check now, as ``flask cron`` does at each minute."""
    job = jobs.queue(jobs.QUEUE_DEFAULT).enqueue_call("workers.maintenance.recover", timeout=120)
    wait_for(lambda: job.get_status(refresh=True) == "finished", "the scheduler's check")


def wait_past_claim_timeout(claimed_at) -> None:
    """Until the claim is older than the timeout, by the database's own clock of when it was made."""
    from portal.database import utcnow

    remaining = CLAIM_TIMEOUT_SECONDS - (utcnow() - claimed_at).total_seconds()
    time.sleep(max(remaining, 0) + 0.2)


def test_an_email_whose_worker_was_killed_while_sending_goes_out_exactly_once(holding_smtp, worker_processes):
    from portal.email.outbox import queue_email

    mail_port, smtp = holding_smtp
    person = create_user(email="reset@example.org")
    address = person.email
    message_id = queue_email(address, "password_changed", user=person).id
    db.session.commit()

    dying = worker_processes(mail_port)
    assert smtp.holding.wait(WAIT_SECONDS), dying.log()
    dying.kill()
    smtp.release.set()
    message = read(sa.select(OutboundMessage).where(OutboundMessage.id == message_id))
    assert (message.status, message.attempts) == (MessageStatus.SENDING, 1)
    assert message.claimed_by.startswith("rq-job:")
    assert smtp.accepted == Counter()

    fresh = worker_processes(mail_port, CLAIM_TIMEOUT_SECONDS=CLAIM_TIMEOUT_SECONDS)
    wait_past_claim_timeout(message.claimed_at)
    run_the_schedulers_check()
    wait_for(
        lambda: read(sa.select(OutboundMessage.status).where(OutboundMessage.id == message_id)) is MessageStatus.SENT,
        "the email being sent",
        [dying, fresh],
    )
    # Checking again, and rq's own retry of the abandoned job, find nothing more to send.
    run_the_schedulers_check()
    assert smtp.accepted == Counter({address: 1})
    message = read(sa.select(OutboundMessage).where(OutboundMessage.id == message_id))
    assert (message.status, message.attempts, message.claimed_by.startswith("rq-job:")) == (MessageStatus.SENT, 2, True)


def test_a_report_whose_builder_was_killed_part_way_is_built_by_the_next_worker(holding_smtp, worker_processes):
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite cannot hold the builder at a read (in WAL mode readers never wait), and a "
            "writer held past its busy timeout fails the run rather than leaving it for a killed worker"
        )
    mail_port, _smtp = holding_smtp
    officer = create_user(staff_role=StaffRole.GRANT_OFFICER)
    period = content.HalfYear.last_completed(runs.london_today())

    # The test holds the awards table, so the builder waits there once it has claimed the run.
    blocker = db.engine.connect()
    transaction = blocker.begin()
    blocker.execute(sa.text("LOCK TABLE award IN ACCESS EXCLUSIVE MODE"))
    try:
        run_id = runs.request_report(period, officer).id
        dying = worker_processes(mail_port)

        def builder_waiting_at_the_lock() -> bool:
            blocker.execute(sa.text("SELECT pg_stat_clear_snapshot()"))  # read the activity afresh each time
            waiting = blocker.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar()
            return bool(waiting)

        wait_for(builder_waiting_at_the_lock, "the builder reaching the awards", [dying])
        dying.kill()
    finally:
        transaction.rollback()
        blocker.close()

    run = read(sa.select(ReportRun).where(ReportRun.id == run_id))
    assert (run.status, run.progress) == (ReportStatus.RUNNING, 5)
    assert run.claimed_by.startswith("rq-job:")
    # Asking again while the builder might still be at work returns the same run.
    assert runs.request_report(period, officer).id == run_id

    fresh = worker_processes(mail_port, CLAIM_TIMEOUT_SECONDS=CLAIM_TIMEOUT_SECONDS)
    wait_past_claim_timeout(run.claimed_at)
    run_the_schedulers_check()
    wait_for(
        lambda: read(sa.select(ReportRun.status).where(ReportRun.id == run_id)) is ReportStatus.DONE,
        "the report being built",
        [dying, fresh],
    )
    run = read(sa.select(ReportRun).where(ReportRun.id == run_id))
    assert (run.progress, run.xlsx is not None, run.pdf is not None) == (100, True, True)
    assert read(sa.select(sa.func.count()).select_from(ReportRun)) == 1
