"""Committee report runs: requested by an officer (or the six-monthly command), built by a background job that
reports its progress, and published by an officer for anyone to download."""

import logging
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from portal import audit, jobs
from portal.database import rows_matched, utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import ReportRun, ReportStatus, User
from portal.periods import LONDON
from portal.reports import content
from portal.reports.document import build_pdf
from portal.reports.spreadsheet import build_xlsx

log = logging.getLogger(__name__)

BUILD_JOB = "workers.reports.build_committee_report"
BUILD_TIMEOUT_SECONDS = 900
RUNS_PER_PAGE = 20
IN_HAND = (ReportStatus.QUEUED, ReportStatus.RUNNING)


def london_today() -> date:
    return utcnow().astimezone(LONDON).date()


def fetch_run(run_id: int) -> ReportRun | None:
    return db.session.get(ReportRun, run_id)


def fetch_runs_page(page: int) -> Pagination:
    query = sa.select(ReportRun).order_by(ReportRun.requested_at.desc(), ReportRun.id.desc())
    return db.paginate(query, page=page, per_page=RUNS_PER_PAGE, error_out=False)


def fetch_published_runs() -> list[ReportRun]:
    return list(
        db.session.scalars(
            sa.select(ReportRun)
            .where(ReportRun.published_at.is_not(None), ReportRun.status == ReportStatus.DONE)
            .order_by(ReportRun.period_end.desc(), ReportRun.published_at.desc())
        )
    )


def fetch_published_run(run_id: int) -> ReportRun | None:
    run = fetch_run(run_id)
    return run if run is not None and run.is_published and run.status is ReportStatus.DONE else None


def _stale() -> sa.ColumnElement[bool]:
    """A run in hand for longer than the claim timeout: its builder stopped, or its job never reached a worker."""
    since = utcnow() - timedelta(seconds=current_app.config["CLAIM_TIMEOUT_SECONDS"])
    return sa.and_(
        ReportRun.status.in_(IN_HAND), sa.func.coalesce(ReportRun.claimed_at, ReportRun.requested_at) < since
    )


def request_report(period: content.HalfYear, actor: User | None) -> ReportRun:
    """Queue a report for the period. Asking again while one for that period is still being built returns it
    rather than building a second (a double submit, or the command run twice); asking again for a run that is
    stuck (its builder stopped, or it never started) gives up on that run and starts a new one."""
    in_hand = db.session.scalar(
        sa.select(ReportRun)
        .where(ReportRun.period_start == period.start, ReportRun.status.in_(IN_HAND))
        .order_by(ReportRun.id.desc())
        .limit(1)
    )
    if in_hand is not None and not _give_up_if_stuck(in_hand):
        return in_hand
    run = ReportRun(
        period_start=period.start,
        period_end=period.end,
        requested_by=actor,
        status=ReportStatus.QUEUED,
        progress=0,
        message="Waiting for the report builder to start",
    )
    db.session.add(run)
    audit.record("report.requested", run, after={"period": period.label}, actor=actor)
    jobs.enqueue(BUILD_JOB, run.id, timeout=BUILD_TIMEOUT_SECONDS)
    db.session.commit()
    return run


def _give_up_if_stuck(run: ReportRun) -> bool:
    """Mark a stuck run failed, so that a new one can be started; whether it was stuck. A builder that comes back
    to it later finds it finished and leaves it alone."""
    stopped = rows_matched(
        db.session.execute(
            sa.update(ReportRun)
            .where(ReportRun.id == run.id, _stale())
            .values(
                status=ReportStatus.FAILED,
                claimed_at=None,
                message="The report builder stopped before finishing this run, so it was started again.",
            )
            .execution_options(synchronize_session=False)
        )
    )
    if stopped:
        db.session.expire(run)
        audit.record("report.failed", run, after={"error": "stuck"})
    return bool(stopped)


def restart_stuck_runs() -> int:
    """Queue again every run whose builder stopped part way (the scheduler's check); the number restarted.

    Each goes back to "queued", and the builder that claims it starts it from the beginning."""
    stuck = sa.and_(_stale(), ReportRun.status == ReportStatus.RUNNING)
    ids = list(db.session.scalars(sa.select(ReportRun.id).where(stuck)))
    restarted = 0
    for run_id in ids:
        if rows_matched(
            db.session.execute(
                sa.update(ReportRun)
                .where(ReportRun.id == run_id, stuck)
                .values(
                    status=ReportStatus.QUEUED,
                    progress=0,
                    claimed_at=None,
                    claimed_by=None,
                    requested_at=utcnow(),
                    message="The report builder stopped part way; waiting to start again",
                )
            )
        ):
            jobs.enqueue(BUILD_JOB, run_id, timeout=BUILD_TIMEOUT_SECONDS)
            restarted += 1
    db.session.commit()
    if restarted:
        log.warning("%s committee reports left part built by a stopped builder were queued again", restarted)
    return restarted


def request_scheduled_report(today: date) -> ReportRun:
    """The six-monthly report for the half-year last ended, unless one for that period is built or being built."""
    period = content.HalfYear.last_completed(today)
    existing = db.session.scalar(
        sa.select(ReportRun)
        .where(ReportRun.period_start == period.start, ReportRun.status != ReportStatus.FAILED)
        .order_by(ReportRun.id.desc())
        .limit(1)
    )
    return existing or request_report(period, None)


def _claim(run_id: int) -> bool:
    """Take a queued run to build, in its own commit, so that two builders never build the same run together."""
    claimed = rows_matched(
        db.session.execute(
            sa.update(ReportRun)
            .where(ReportRun.id == run_id, ReportRun.status == ReportStatus.QUEUED)
            .values(
                status=ReportStatus.RUNNING, started_at=utcnow(), claimed_at=utcnow(), claimed_by=jobs.current_worker()
            )
        )
    )
    db.session.commit()
    db.session.expire_all()
    return bool(claimed)


def _step(run: ReportRun, progress: int, message: str) -> None:
    run.progress, run.message = progress, message
    db.session.commit()  # so that the progress bar, in another process, sees it


def build_report(run_id: int) -> ReportStatus | None:
    """Build both files for a queued run. Safe to run twice: only the builder that claims the queued run builds it,
    and a run whose builder died part way is queued again by :func:`restart_stuck_runs`. The files are written
    with the status ``done`` in one commit; any failure marks the run failed with a message and keeps no file."""
    run = fetch_run(run_id)
    if run is None or run.status.finished:
        return run.status if run else None
    if not _claim(run_id):
        return run.status  # another builder has it in hand
    run = fetch_run(run_id)
    if run is None:
        return None  # deleted since it was claimed
    try:
        _step(run, 5, "Collecting every funded service")
        period = content.HalfYear(run.period_start, run.period_end)
        generated_at = utcnow()
        report = content.gather(period, generated_at)
        _step(run, 35, f"Writing the spreadsheet of {len(report.services)} services")
        xlsx = build_xlsx(report)
        _step(run, 65, "Writing the PDF")
        pdf = build_pdf(report)
        run.xlsx, run.pdf = xlsx, pdf
        run.status, run.progress, run.message = ReportStatus.DONE, 100, None
        run.generated_at, run.services_count = generated_at, len(report.services)
        audit.record("report.generated", run, after={"services": len(report.services)}, actor=run.requested_by)
        db.session.commit()
    except Exception as error:
        log.exception("committee report %s failed", run_id)
        db.session.rollback()
        failed = fetch_run(run_id)
        if failed is None:
            return None
        failed.status, failed.xlsx, failed.pdf = ReportStatus.FAILED, None, None
        failed.message = (
            f"The report could not be built ({type(error).__name__}: {error}). No files were kept. "
            "Request it again; if it fails again, contact the portal's support team."
        )[:2000]
        audit.record("report.failed", failed, after={"error": type(error).__name__})
        db.session.commit()
        return failed.status
    return run.status


def publish_report(run: ReportRun, actor: User) -> ReportRun:
    """Make a finished report downloadable by anyone at /reports. Publishing twice changes nothing."""
    if run.status is not ReportStatus.DONE:
        raise DomainError("Only a report that has been built can be published")
    if run.is_published:
        return run
    run.published_at, run.published_by = utcnow(), actor
    audit.record(
        "report.published", run, after={"period": content.HalfYear(run.period_start, run.period_end).label}, actor=actor
    )
    db.session.commit()
    return run


def unpublish_report(run: ReportRun, actor: User) -> ReportRun:
    """Take a report off the public list (say, one published by mistake). Unpublishing twice changes nothing."""
    if not run.is_published:
        return run
    run.published_at, run.published_by = None, None
    audit.record("report.unpublished", run, actor=actor)
    db.session.commit()
    return run


def period_of(run: ReportRun) -> content.HalfYear:
    return content.HalfYear(run.period_start, run.period_end)


def file_name(run: ReportRun, kind: str) -> str:
    return f"committee-report-{period_of(run).slug}.{kind}"
