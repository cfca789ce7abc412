"""The demo gives five boroughs their allocations (one confirmed nine months late, one not yet) and Lewisham's
borough user an approved delivery plan with payments and returns at every stage; loading it again adds nothing."""

from datetime import date

import sqlalchemy as sa

from portal.demo import boroughs
from portal.demo.seed import DEMO_DOMAIN, load_demo_data
from portal.extensions import db
from portal.models import (
    BoroughAllocation,
    DeliveryPlan,
    InstalmentStatus,
    PerformanceRecord,
    PlanInstalment,
    PlanStatus,
    Return,
    ReturnStatus,
    User,
)
from tests.client import PortalClient


def test_the_demo_borough_plan_shows_the_whole_cycle_and_loads_only_once(client: PortalClient):
    load_demo_data()
    first = boroughs.load(date(2026, 11, 23))
    second = boroughs.load(date(2026, 11, 23))
    assert first.startswith("Demo borough allocations: 10 added. Lewisham's delivery plan added")
    assert second == "Demo borough allocations: 0 added. Lewisham's delivery plan was already there."
    allocations = db.session.scalars(sa.select(BoroughAllocation).where(BoroughAllocation.financial_year == 2026)).all()
    assert sorted(a.days_late() for a in allocations if a.is_issued) == [0, 0, 41, 270]
    assert sum(1 for a in allocations if not a.is_issued) == 1

    plan = db.session.scalar(sa.select(DeliveryPlan))
    assert plan.status is PlanStatus.APPROVED and [v.decision.value for v in plan.versions] == ["queried", "approved"]
    assert len(plan.projects) == 4 and plan.planned_pence(2026) <= 812_000_00
    statuses = set(db.session.scalars(sa.select(Return.status)))
    assert {ReturnStatus.ACCEPTED, ReturnStatus.SUBMITTED, ReturnStatus.QUERIED, ReturnStatus.DUE} <= statuses
    assert db.session.scalar(sa.select(sa.func.count(PerformanceRecord.id))) == 4  # Q1 for each project
    payments = set(db.session.scalars(sa.select(PlanInstalment.status)))
    assert payments == {InstalmentStatus.PAID, InstalmentStatus.RELEASED, InstalmentStatus.SCHEDULED}

    user = db.session.scalar(sa.select(User).where(User.email == f"borough@{DEMO_DOMAIN}"))
    client.sign_in(user)
    page = client.get_page(f"/organisations/{plan.organisation_id}/delivery-plans/{plan.id}")
    assert "Lewisham youth mentoring" in page.get_text()
    page = client.get_page(f"/organisations/{plan.organisation_id}/delivery-plans/{plan.id}/returns")
    assert "Queried" in page.get_text() and "Accepted" in page.get_text()
