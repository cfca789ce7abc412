"""Quarterly returns on the projects of an approved delivery plan.

They are the same returns as awards have (``monitoring_return``, filled in, submitted, queried and accepted by
``portal.monitoring.returns`` and rated by the same published rules): only the schedule and the pages are the
borough's own.
"""

from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy.pagination import Pagination

from portal.extensions import db
from portal.models import (
    DeliveryPlan,
    Organisation,
    PerformanceRecord,
    PlanProject,
    Return,
    ReturnFrequency,
)
from portal.monitoring.kinds import shows, where_shown
from portal.monitoring.schedule import DEFAULT_DAYS_TO_REPORT, return_periods
from portal.periods import financial_year_bounds, today_in_london


def days_to_report() -> int:
    """How long a borough has to send a quarter's return after the quarter ends (``LCPF_DAYS_TO_REPORT``)."""
    days: int = current_app.config.get("LCPF_DAYS_TO_REPORT", DEFAULT_DAYS_TO_REPORT)
    return days


def schedule_project_returns(plan: DeliveryPlan) -> int:
    """Give every project of the approved plan a return for each quarter of the plan's years. Projects added by a
    variation get theirs when it is approved. Safe to run again. The caller commits."""
    start, end = financial_year_bounds(plan.first_year)[0], financial_year_bounds(plan.last_year)[1]
    periods = return_periods(start, end, ReturnFrequency.QUARTERLY, days_to_report=days_to_report())
    added = 0
    for project in plan.projects:
        db.session.flush()
        existing = set(db.session.scalars(sa.select(Return.period_start).where(Return.plan_project_id == project.id)))
        for period in periods:
            if period.start in existing:
                continue
            db.session.add(
                Return(
                    plan_project=project,
                    financial_year=period.financial_year,
                    label=period.label,
                    frequency=period.frequency,
                    period_start=period.start,
                    period_end=period.end,
                    due_on=period.due_on,
                )
            )
            added += 1
    return added


def fetch_plan_returns(plan: DeliveryPlan) -> list[Return]:
    return list(
        db.session.scalars(
            sa.select(Return)
            .join(PlanProject, PlanProject.id == Return.plan_project_id)
            .where(PlanProject.plan_id == plan.id)
            .order_by(Return.period_start, PlanProject.id)
        )
    )


def fetch_record(return_: Return) -> PerformanceRecord | None:
    return db.session.scalar(sa.select(PerformanceRecord).where(PerformanceRecord.return_id == return_.id))


SHOW = shows("returns")


def fetch_borough_returns(show: str, page: int, today: date | None = None) -> Pagination:
    """The officers' table of borough project returns."""
    query = (
        sa.select(Return)
        .join(PlanProject, PlanProject.id == Return.plan_project_id)
        .join(DeliveryPlan, DeliveryPlan.id == PlanProject.plan_id)
        .join(Organisation, Organisation.id == DeliveryPlan.organisation_id)
    )
    query = where_shown(query, Return, show, today or today_in_london())
    query = query.order_by(Return.due_on, Organisation.name, PlanProject.name, Return.id)
    return db.paginate(query, page=page, per_page=25, error_out=False)
