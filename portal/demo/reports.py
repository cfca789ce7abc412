"""Demonstration committee report: the report for the last six months to have ended, built and published by the
demo grant officer, so that /reports and /staff/reports have something in them. Safe to run again: nothing is
added when a report for that period exists."""

from datetime import date

import sqlalchemy as sa

from portal.database import utcnow
from portal.demo.seed import DEMO_DOMAIN
from portal.extensions import db
from portal.models import ReportRun, ReportStatus, User
from portal.periods import LONDON
from portal.reports import runs
from portal.reports.content import HalfYear


def load(today: date | None = None) -> str:
    period = HalfYear.last_completed(today or utcnow().astimezone(LONDON).date())
    if db.session.scalar(sa.select(ReportRun.id).where(ReportRun.period_start == period.start).limit(1)):
        return f"Committee report demo: a report for {period.label} is there already."
    officer = db.session.scalar(sa.select(User).where(User.email == f"officer@{DEMO_DOMAIN}"))
    run = ReportRun(period_start=period.start, period_end=period.end, requested_by=officer)
    db.session.add(run)
    db.session.commit()
    # Built here rather than queued, so that the demo has a published report without a worker running.
    if runs.build_report(run.id) is ReportStatus.DONE and officer is not None:
        runs.publish_report(run, officer)
    return f"Committee report demo: the report for {period.label} built and published."
