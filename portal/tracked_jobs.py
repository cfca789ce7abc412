"""Background work that a person waits for and watches, kept in a row of its own: a committee report being built,
a returns spreadsheet being checked, a download of someone's personal data being prepared.

The row, not the rq job, is the truth, and every kind of such work follows it the same way:

- The row is queued in the same commit that hands its job over (:func:`portal.jobs.enqueue`), so nothing is lost
  if Redis or the worker is away.
- A worker **claims** the queued row in a commit of its own before starting, so two workers never do the same work.
- Each **step** it reports renews its claim, and only its own claim: a worker that was given up on finds it no
  longer holds the row and stops.
- It **finishes** the row (done, refused, failed) in a single conditional update that holds only while the claim
  is still its own, so a worker that comes back late never overwrites what another has done, and a result that was
  kept is never reported as failed.
- The scheduler's check (``workers.maintenance``), or the person asking again, **starts again** any row whose
  claim, or whose queueing if nobody claimed it, is older than ``CLAIM_TIMEOUT_SECONDS``: its worker stopped, or
  its job was lost with a Redis. Where the table counts attempts, a row started too often is given up instead.
"""

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal import jobs
from portal.database import rows_matched, utcnow
from portal.extensions import db

log = logging.getLogger(__name__)


class Abandoned(Exception):
    """The worker no longer holds the row: it was started again by another, or given up on. It stops, keeping
    nothing."""


@dataclass(frozen=True)
class TrackedJob:
    """One kind of tracked work: its table (with ``status``, ``progress``, ``message``, ``claimed_at`` and
    ``claimed_by`` columns), the statuses it goes through, when a row was asked for, and the job that does it."""

    model: Any
    queued: enum.Enum
    working: enum.Enum
    failed: enum.Enum
    asked_at: str  # the column holding when the row was asked for
    job: str
    timeout_seconds: int
    what: str  # how the log names these rows, in the plural
    max_attempts: int | None = None  # the table has an ``attempts`` column counting the starts

    @property
    def in_hand(self) -> tuple[enum.Enum, enum.Enum]:
        return (self.queued, self.working)

    def _since(self, now: datetime | None = None) -> datetime:
        return (now or utcnow()) - timedelta(seconds=current_app.config["CLAIM_TIMEOUT_SECONDS"])

    def stuck(self) -> sa.ColumnElement[bool]:
        """In hand for longer than the claim timeout: its worker stopped, or its job never reached a worker."""
        model = self.model
        return sa.and_(
            model.status.in_(self.in_hand),
            sa.func.coalesce(model.claimed_at, getattr(model, self.asked_at)) < self._since(),
        )

    def is_stuck(self, row: Any, now: datetime | None = None) -> bool:
        """:meth:`stuck` for a row already loaded."""
        return row.status in self.in_hand and (row.claimed_at or getattr(row, self.asked_at)) < self._since(now)

    def enqueue(self, row_id: int) -> None:
        jobs.enqueue(self.job, row_id, timeout=self.timeout_seconds)

    def claim(self, row_id: int, **values: Any) -> str | None:
        """Take a queued row, in a commit of its own; who holds it now (pass it to :meth:`step` and
        :meth:`finish`), or ``None`` if another worker has it or it is no longer queued."""
        worker = jobs.current_worker()
        values = {"status": self.working, "claimed_at": utcnow(), "claimed_by": worker, **values}
        if self.max_attempts is not None:
            values["attempts"] = self.model.attempts + 1
        claimed = rows_matched(
            db.session.execute(
                sa.update(self.model)
                .where(self.model.id == row_id, self.model.status == self.queued)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        )
        db.session.commit()
        db.session.expire_all()
        return worker if claimed else None

    def _mine(self, row_id: int, worker: str) -> sa.ColumnElement[bool]:
        model = self.model
        return sa.and_(model.id == row_id, model.status == self.working, model.claimed_by == worker)

    def step(self, row_id: int, worker: str, progress: int, message: str) -> bool:
        """Show how far the work has gone, in a commit of its own so that the progress bar in another process sees
        it, and renew the claim; whether the row is still the worker's."""
        moved = rows_matched(
            db.session.execute(
                sa.update(self.model)
                .where(self._mine(row_id, worker))
                .values(progress=progress, message=message, claimed_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        )
        db.session.commit()
        return bool(moved)

    def finish(self, row_id: int, worker: str, **values: Any) -> bool:
        """Write the outcome if the row is still the worker's; whether it was. The caller commits, with anything
        that belongs with the outcome; if this gives ``False``, it rolls back instead."""
        finished = rows_matched(
            db.session.execute(
                sa.update(self.model)
                .where(self._mine(row_id, worker))
                .values(progress=100, **values)
                .execution_options(synchronize_session=False)
            )
        )
        if finished:
            row = db.session.get(self.model, row_id)
            if row is not None:
                db.session.refresh(row)
        return bool(finished)

    def restart(
        self,
        row_ids: list[int],
        *,
        message: str,
        given_up_message: str = "",
        on_given_up: Callable[[Any], object] | None = None,
    ) -> int:
        """Queue again each of these rows that is stuck, or, where attempts are counted and it has been started
        ``max_attempts`` times, mark it failed with ``given_up_message`` and call ``on_given_up`` with it; the
        number queued again. The caller commits; the jobs leave with that commit."""
        model = self.model
        restarted = 0
        for row_id in row_ids:
            if self.max_attempts is not None:
                given_up = rows_matched(
                    db.session.execute(
                        sa.update(model)
                        .where(model.id == row_id, self.stuck(), model.attempts >= self.max_attempts)
                        .values(status=self.failed, claimed_at=None, message=given_up_message)
                        .execution_options(synchronize_session=False)
                    )
                )
                if given_up:
                    if on_given_up is not None:
                        on_given_up(db.session.get(model, row_id))
                    continue
            if rows_matched(
                db.session.execute(
                    sa.update(model)
                    .where(model.id == row_id, self.stuck())
                    .values(
                        status=self.queued,
                        progress=0,
                        claimed_at=utcnow(),  # when it was queued again, so the next check waits a full timeout
                        claimed_by=None,
                        message=message,
                    )
                    .execution_options(synchronize_session=False)
                )
            ):
                self.enqueue(row_id)
                restarted += 1
        for row_id in row_ids:
            row = db.session.get(model, row_id)
            if row is not None:
                db.session.refresh(row)
        return restarted

    def restart_all_stuck(self, **kwargs: Any) -> int:
        """The scheduler's check: :meth:`restart` every stuck row, and commit."""
        row_ids = list(db.session.scalars(sa.select(self.model.id).where(self.stuck())))
        restarted = self.restart(row_ids, **kwargs)
        db.session.commit()
        if restarted:
            log.warning("%s %s whose worker stopped, or whose job was lost, were started again", restarted, self.what)
        return restarted
