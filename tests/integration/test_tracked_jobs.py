"""Background work kept in a row (committee reports, returns uploads, downloads of personal data) follows one
mechanism: a worker keeps its result only while the row is still its own, so a worker given up on and replaced
never overwrites what its replacement does, and a stuck row is started again rather than left for ever."""

from datetime import date, timedelta

import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import ReportRun, ReportStatus
from portal.reports import runs
from portal.tracked_jobs import TrackedJob
from tests.factories_reports import create_funding


def queued_run() -> int:
    run = ReportRun(
        period_start=date(2025, 4, 1), period_end=date(2025, 9, 30), status=ReportStatus.QUEUED, message="Waiting"
    )
    db.session.add(run)
    db.session.commit()
    return run.id


def taken_over_by_another_builder(run_id: int) -> None:
    """What the scheduler's check and a second builder do once this builder has been silent too long."""
    db.session.execute(
        sa.update(ReportRun).where(ReportRun.id == run_id).values(claimed_at=utcnow() - timedelta(hours=1))
    )
    assert runs.BUILDS.restart([run_id], message=runs.RESTARTED) == 1
    db.session.execute(
        sa.update(ReportRun)
        .where(ReportRun.id == run_id)
        .values(status=ReportStatus.RUNNING, claimed_by="rq-job:the-other-builder", claimed_at=utcnow())
    )
    db.session.commit()


def test_a_builder_replaced_part_way_stops_and_keeps_nothing(monkeypatch):
    create_funding()
    run_id = queued_run()
    real_build_xlsx = runs.build_xlsx

    def slow_build_xlsx(report):
        taken_over_by_another_builder(run_id)  # this builder was silent for too long while writing it
        return real_build_xlsx(report)

    monkeypatch.setattr(runs, "build_xlsx", slow_build_xlsx)

    runs.build_report(run_id)

    db.session.expire_all()
    run = db.session.get(ReportRun, run_id)
    assert (run.status, run.claimed_by, run.xlsx, run.pdf) == (
        ReportStatus.RUNNING,
        "rq-job:the-other-builder",
        None,
        None,
    )


def test_a_builder_that_finishes_after_being_replaced_does_not_overwrite_the_replacement(monkeypatch):
    create_funding()
    run_id = queued_run()
    real_build_pdf = runs.build_pdf

    def slow_build_pdf(report):
        pdf = real_build_pdf(report)
        taken_over_by_another_builder(run_id)  # after its last progress step, before it writes the files
        return pdf

    monkeypatch.setattr(runs, "build_pdf", slow_build_pdf)

    runs.build_report(run_id)

    db.session.expire_all()
    run = db.session.get(ReportRun, run_id)
    assert (run.status, run.claimed_by, run.pdf) == (ReportStatus.RUNNING, "rq-job:the-other-builder", None)


def test_a_row_queued_whose_job_was_lost_is_started_again_and_one_in_time_is_left_alone(app):
    create_funding()
    run_id = queued_run()
    builds = runs.BUILDS
    assert builds.restart_all_stuck(message="again") == 0  # asked for just now: its job may simply be waiting

    db.session.execute(
        sa.update(ReportRun).where(ReportRun.id == run_id).values(requested_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    assert builds.is_stuck(db.session.get(ReportRun, run_id))
    assert builds.restart_all_stuck(message="again") == 1
    run = db.session.get(ReportRun, run_id)
    if app.config["RUN_JOBS_INLINE"]:
        assert run.status is ReportStatus.DONE  # its job ran as the restart committed
    else:
        assert (run.status, run.message, run.progress) == (ReportStatus.QUEUED, "again", 0)
        assert not builds.is_stuck(run)  # a full timeout before the next check may start it again
    assert builds.restart_all_stuck(message="again") == 0


def test_only_a_queued_row_can_be_claimed_and_only_once():
    run_id = queued_run()
    builds = TrackedJob(
        ReportRun,
        queued=ReportStatus.QUEUED,
        working=ReportStatus.RUNNING,
        failed=ReportStatus.FAILED,
        asked_at="requested_at",
        job=runs.BUILDS.job,
        timeout_seconds=60,
        what="runs",
    )
    worker = builds.claim(run_id)
    assert worker is not None
    assert builds.claim(run_id) is None
    assert builds.step(run_id, worker, 50, "Half way")
    assert not builds.step(run_id, "someone-else", 60, "Not theirs")
    assert not builds.finish(run_id, "someone-else", status=ReportStatus.DONE)
    assert builds.finish(run_id, worker, status=ReportStatus.FAILED, message="Stopped")
    db.session.commit()
    run = db.session.get(ReportRun, run_id)
    assert (run.status, run.progress, run.message) == (ReportStatus.FAILED, 100, "Stopped")
