"""Committee report runs: requested by an officer (or the six-monthly command), built by a background job that
reports its progress, and published by an officer for anyone to download."""

import logging
from datetime import date

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from portal import audit
from portal.database import utcnow
from portal.errors import DomainError
from portal.extensions import db
from portal.models import ReportRun, ReportStatus, User
from portal.periods import LONDON
from portal.reports import content
from portal.reports.document import build_pdf
from portal.reports.spreadsheet import build_xlsx
from portal.tracked_jobs import Abandoned, TrackedJob

log = logging.getLogger(__name__)

RUNS_PER_PAGE = 20
BUILDS = TrackedJob(
    ReportRun,
    queued=ReportStatus.QUEUED,
    working=ReportStatus.RUNNING,
    failed=ReportStatus.FAILED,
    asked_at="requested_at",
    job="workers.reports.build_committee_report",
    timeout_seconds=900,
    what="committee reports",
)
RESTARTED = "The report builder stopped before finishing; waiting to start again"


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


def request_report(period: content.HalfYear, actor: User | None) -> ReportRun:
    """Queue a report for the period. Asking again while one for that period is still being built returns it
    rather than building a second (a double submit, or the command run twice); asking again for a run that is
    stuck (its builder stopped, or it never started) starts that run again."""
    in_hand = db.session.scalar(
        sa.select(ReportRun)
        .where(ReportRun.period_start == period.start, ReportRun.status.in_(BUILDS.in_hand))
        .order_by(ReportRun.id.desc())
        .limit(1)
    )
    if in_hand is not None:
        BUILDS.restart([in_hand.id], message=RESTARTED)
        db.session.commit()
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
    BUILDS.enqueue(run.id)
    db.session.commit()
    return run


def restart_stuck_runs() -> int:
    """Queue again every run whose builder stopped part way or whose job never reached one (the scheduler's
    check); the number restarted. The builder that claims it starts it from the beginning."""
    return BUILDS.restart_all_stuck(message=RESTARTED)


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


def build_report(run_id: int) -> ReportStatus | None:
    """Build both files for a queued run. Safe to run twice: only the builder that claims the queued run builds it,
    and a run whose builder stopped part way is queued again by :func:`restart_stuck_runs`. The files are written
    with the status ``done`` in one commit, and only while the run is still this builder's; any failure marks the
    run failed with a message and keeps no file."""
    run = fetch_run(run_id)
    if run is None or run.status.finished:
        return run.status if run else None
    worker = BUILDS.claim(run_id, started_at=utcnow())
    if worker is None:
        return run.status  # another builder has it in hand
    run = fetch_run(run_id)
    if run is None:
        return None  # deleted since it was claimed
    try:
        _step(run, worker, 5, "Collecting every funded service")
        period = content.HalfYear(run.period_start, run.period_end)
        generated_at = utcnow()
        report = content.gather(period, generated_at)
        _step(run, worker, 35, f"Writing the spreadsheet of {len(report.services)} services")
        xlsx = build_xlsx(report)
        _step(run, worker, 65, "Writing the PDF")
        pdf = build_pdf(report)
        if not BUILDS.finish(
            run_id,
            worker,
            status=ReportStatus.DONE,
            message=None,
            xlsx=xlsx,
            pdf=pdf,
            generated_at=generated_at,
            services_count=len(report.services),
        ):
            db.session.rollback()  # started again meanwhile: the builder that holds it now finishes it
            return _status(run_id)
        audit.record("report.generated", run, after={"services": len(report.services)}, actor=run.requested_by)
        db.session.commit()
    except Abandoned:
        db.session.rollback()
        log.warning("committee report %s was started again by another builder; this one stopped", run_id)
    except Exception as error:
        log.exception("committee report %s failed", run_id)
        db.session.rollback()
        message = (
            f"The report could not be built ({type(error).__name__}: {error}). No files were kept. "
            "Request it again; if it fails again, contact the portal's support team."
        )[:2000]
        if BUILDS.finish(run_id, worker, status=ReportStatus.FAILED, message=message, xlsx=None, pdf=None):
            audit.record("report.failed", fetch_run(run_id), after={"error": type(error).__name__}, actor=None)
        db.session.commit()
    db.session.expire_all()
    return _status(run_id)


def _status(run_id: int) -> ReportStatus | None:
    run = fetch_run(run_id)
    return run.status if run else None


def _step(run: ReportRun, worker: str, progress: int, message: str) -> None:
    if not BUILDS.step(run.id, worker, progress, message):
        raise Abandoned(f"committee report {run.id} is no longer this builder's")


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
