"""Helpers for the tests of borough LCPF projects in public: a council's plan in any state, with named projects,
scheduled returns, one accepted (and rated) and one submitted but not accepted."""

from datetime import UTC, datetime, time

import sqlalchemy as sa

from portal.boroughs.returns import schedule_project_returns
from portal.extensions import db
from portal.models import (
    DeliveryPlan,
    MeasureActual,
    PlanProject,
    PlanStatus,
    Return,
    ReturnStatus,
)
from portal.monitoring.performance import record_performance
from tests.factories_boroughs import create_borough_allocation, create_council, create_plan

# Q1 2026/27 is accepted and Q2 submitted when it is this day.
TODAY = "2026-11-20 10:00:00+00:00"


def plan_in(
    borough: str,
    status: PlanStatus = PlanStatus.APPROVED,
    *,
    names: tuple[str, ...] = ("Safer Streets mentoring",),
    amount_pence: int = 120_000_00,
    years: tuple[int, ...] = (2026, 2027),
) -> DeliveryPlan:
    council, _ = create_council(borough)
    for year in years:
        create_borough_allocation(borough, year, 900_000_00)
    plan = create_plan(council, years=years, status=status, projects=len(names), amount_pence=amount_pence)
    for project, name in zip(plan.projects, names, strict=True):
        project.name = name
    db.session.commit()
    return plan


def commissioned(project: PlanProject, provider: str = "Lewisham Youth Trust", charity: str = "1123456") -> None:
    project.provider_name, project.provider_charity_number = provider, charity
    project.whole_borough, project.wards = False, "Catford South, Rushey Green"
    db.session.commit()


def returns_of(project: PlanProject) -> list[Return]:
    if not db.session.scalar(sa.select(sa.func.count(Return.id)).where(Return.plan_project_id == project.id)):
        schedule_project_returns(project.plan)
        db.session.commit()
    return list(
        db.session.scalars(sa.select(Return).where(Return.plan_project_id == project.id).order_by(Return.period_start))
    )


def report(return_: Return, *, spend_pence: int, actual: int, accept: bool) -> Return:
    """Fill in a return on time; accept and rate it, or leave it submitted."""
    measure = return_.plan_project.measures[0]
    return_.spend_pence = spend_pence
    return_.actuals.append(MeasureActual(measure_id=measure.id, actual=actual))
    return_.progress = "Mentors matched with young people referred by schools."
    return_.submitted_at = return_.first_submitted_at = datetime.combine(return_.due_on, time(9), tzinfo=UTC)
    return_.status = ReturnStatus.SUBMITTED
    if accept:
        return_.status = ReturnStatus.ACCEPTED
        return_.accepted_at = datetime(2026, 8, 10, 12, tzinfo=UTC)
        record_performance(return_, None)
    db.session.commit()
    return return_


def report_two_quarters(project: PlanProject) -> tuple[Return, Return]:
    """Q1 accepted (spend £30,000, 18 of 20 mentored: green), Q2 submitted with figures nobody has accepted."""
    q1, q2, *_ = returns_of(project)
    report(q1, spend_pence=30_000_00, actual=18, accept=True)
    report(q2, spend_pence=77_777_77, actual=4_321, accept=False)
    return q1, q2
