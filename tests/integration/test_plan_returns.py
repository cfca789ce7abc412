"""Quarterly returns on the projects of an approved delivery plan: the award returns' own mechanism (states,
queries, versions and ratings), on the borough's pages, and closed to every other borough."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.models import PerformanceRecord, PlanStatus, Rag, Return, ReturnStatus
from tests.client import error_messages
from tests.factories_assessment import create_officer
from tests.factories_boroughs import create_borough_allocation, create_council, create_plan

TODAY = "2026-07-20 10:00:00+00:00"


@pytest.fixture(autouse=True)
def july_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


def approved_plan(client):
    council, owner = create_council("Lewisham")
    create_borough_allocation("Lewisham", 2026, 800_000_00)
    plan = create_plan(council, status=PlanStatus.SUBMITTED, projects=2, amount_pence=100_000_00)
    client.sign_in(create_officer())
    client.post_form(f"/staff/boroughs/plans/{plan.id}", {"approve": "Approve plan"})
    return council, owner, plan


def returns_of(project) -> list[Return]:
    return list(
        db.session.scalars(sa.select(Return).where(Return.plan_project_id == project.id).order_by(Return.period_start))
    )


def return_data(return_, **overrides):
    measure = return_.plan_project.measures[0]
    return {
        "version": str(return_.version),
        "spend": "24000",
        "people_helped": "31",
        f"measure_{measure.id}": "22",
        "progress": "Mentors matched with 22 young people referred by schools",
        "risks": "",
        "issues": "",
        "case_study": "",
        **overrides,
    }


def test_approval_schedules_a_return_for_each_quarter_of_each_project(client):
    _, _, plan = approved_plan(client)
    first = returns_of(plan.projects[0])
    assert [(r.label, r.period_end, r.due_on) for r in first] == [
        ("Q1 2026/27", date(2026, 6, 30), date(2026, 7, 30)),
        ("Q2 2026/27", date(2026, 9, 30), date(2026, 10, 30)),
        ("Q3 2026/27", date(2026, 12, 31), date(2027, 1, 30)),
        ("Q4 2026/27", date(2027, 3, 31), date(2027, 4, 30)),
    ]
    assert len(returns_of(plan.projects[1])) == 4


def test_a_borough_fills_in_a_return_an_officer_queries_then_accepts_and_it_is_rated(client):
    council, owner, plan = approved_plan(client)
    return_ = returns_of(plan.projects[0])[0]
    url = f"/organisations/{council.id}/delivery-plans/{plan.id}/returns/{return_.id}"
    client.sign_in(owner)
    page = client.post_form(url, return_data(return_, progress="", submit_return="Submit return"), 200)
    assert error_messages(page)["progress"] == "Describe the progress the service made in the period"
    assert return_.status is ReturnStatus.DUE
    client.post_form(url, return_data(return_, submit_return="Submit return"))
    assert return_.status is ReturnStatus.SUBMITTED

    officer = create_officer("Ama Owusu")
    client.sign_in(officer)
    client.get_page("/staff/boroughs/returns?show=awaiting_review")
    client.post_form(
        f"/staff/boroughs/plans/{plan.id}/returns/{return_.id}/query", {"question": "Which schools referred them?"}
    )
    assert return_.status is ReturnStatus.QUERIED

    client.sign_in(owner)
    data = return_data(return_, answer="Catford and Bellingham secondaries", submit_return="Submit return")
    client.post_form(url, data)
    client.sign_in(officer)
    client.post_form(f"/staff/boroughs/plans/{plan.id}/returns/{return_.id}/accept")
    record = db.session.scalar(sa.select(PerformanceRecord))
    assert return_.status is ReturnStatus.ACCEPTED
    assert (record.plan_project_id, record.award_id) == (plan.projects[0].id, None)
    assert (record.profile_pence, record.delivery_percent, record.overall) == (25_000_00, 100, Rag.GREEN)
    assert "Overall" in client.get_page(url).get_text()


def test_another_borough_cannot_see_or_change_a_return(client):
    council, _, plan = approved_plan(client)
    return_ = returns_of(plan.projects[0])[0]
    other, other_owner = create_council("Lambeth")
    client.sign_in(other_owner)
    base = f"/organisations/{council.id}/delivery-plans/{plan.id}"
    client.get_page(f"{base}/returns", 403)
    client.get_page(f"{base}/returns/{return_.id}", 403)
    client.post_form(f"{base}/returns/{return_.id}", return_data(return_, save="Save"), 403)
    client.get_page(f"/organisations/{other.id}/delivery-plans/{plan.id}/returns/{return_.id}", 404)
    for url in ("/staff/boroughs/returns", f"/staff/boroughs/plans/{plan.id}/returns/{return_.id}"):
        client.get_page(url, 403)
    client.post_form(f"/staff/boroughs/plans/{plan.id}/returns/{return_.id}/accept", expected_status=403)
    assert return_.status is ReturnStatus.DUE and return_.spend_pence is None


def test_a_return_is_only_reachable_through_its_own_plan(client):
    council, owner, plan = approved_plan(client)
    second_plan = create_plan(council, years=(2027,), status=PlanStatus.DRAFT)
    return_ = returns_of(plan.projects[0])[0]
    client.sign_in(owner)
    client.get_page(f"/organisations/{council.id}/delivery-plans/{second_plan.id}/returns/{return_.id}", 404)
    client.get_page(f"/organisations/{council.id}/delivery-plans/{plan.id}/returns/{return_.id}", 200)


def test_a_project_with_returns_started_cannot_be_removed_by_a_variation(client):
    council, owner, plan = approved_plan(client)
    project = plan.projects[0]
    return_ = returns_of(project)[0]
    client.sign_in(owner)
    url = f"/organisations/{council.id}/delivery-plans/{plan.id}"
    client.post_form(f"{url}/returns/{return_.id}", return_data(return_, save="Save"))
    client.post_form(f"{url}/variation", {"reason": "The provider has closed"})
    page = client.post_form(f"{url}/projects/{project.id}/remove", follow=True, expected_status=200)
    assert "has returns already started, so it stays in the plan" in page.get_text()
    assert len(returns_of(project)) == 4


def test_reminders_and_escalation_reach_the_borough_and_the_approving_officer(client):
    from portal.models import OutboundMessage, ReminderSent
    from portal.monitoring.reminders import send_return_reminders

    council, owner, plan = approved_plan(client)
    officer = plan.approved_by
    assert send_return_reminders(date(2026, 7, 23)) == 2  # each project's Q1 return is due in a week
    assert send_return_reminders(date(2026, 7, 23)) == 0  # never twice
    upcoming = db.session.scalars(sa.select(OutboundMessage).where(OutboundMessage.template == "return_upcoming")).all()
    assert {m.to_address for m in upcoming} == {owner.email}
    assert "London Crime Prevention Fund, London Borough of Lewisham" in upcoming[0].subject
    assert f"/organisations/{council.id}/delivery-plans/{plan.id}/returns/" in upcoming[0].body

    send_return_reminders(date(2026, 8, 6))  # a week late: overdue, and escalated to the officer who approved
    escalated = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.template == "return_escalated")
    ).all()
    assert {m.to_address for m in escalated} == {officer.email}
    assert f"/staff/boroughs/plans/{plan.id}/returns/" in escalated[0].body
    assert db.session.scalar(sa.select(sa.func.count(ReminderSent.id))) == 2 * 3


def test_an_officer_overrides_a_borough_projects_rating_with_a_reason(client):
    council, owner, plan = approved_plan(client)
    return_ = returns_of(plan.projects[0])[0]
    client.sign_in(owner)
    url = f"/organisations/{council.id}/delivery-plans/{plan.id}/returns/{return_.id}"
    client.post_form(url, return_data(return_, submit_return="Submit return"))
    client.sign_in(plan.approved_by)
    client.post_form(f"/staff/boroughs/plans/{plan.id}/returns/{return_.id}/accept")
    record = db.session.scalar(sa.select(PerformanceRecord))
    page = client.get_page(f"/staff/monitoring/records/{record.id}/override?aspect=delivery")
    assert "Project 1 · London Borough of Lewisham · Q1 2026/27" in page.get_text()
    response = client.post_form(
        f"/staff/monitoring/records/{record.id}/override",
        {"aspect": "delivery", "rating": "amber", "reason": "Referrals came late in the quarter"},
    )
    assert response.headers["Location"] == f"/staff/boroughs/plans/{plan.id}/returns/{return_.id}"
    assert record.delivery is Rag.AMBER
    assert "Referrals came late in the quarter" in [change.reason for change in record.changes]
    client.sign_in(owner)
    client.get_page(f"/staff/monitoring/records/{record.id}/override", 403)


def test_the_officers_table_of_borough_returns_offers_the_same_choices_as_award_returns_and_follow_ups(client):
    from portal.monitoring.kinds import shows

    _, _, plan = approved_plan(client)
    late = returns_of(plan.projects[0])[0]
    late.due_on = date(2026, 7, 1)
    db.session.commit()
    total = db.session.scalar(sa.select(sa.func.count(Return.id)))

    page = client.get_page("/staff/boroughs/returns?show=due")
    assert [option.get_text() for option in page.select("#show option")] == list(shows("returns").values())
    assert page.find("caption").get_text(strip=True) == f"{total - 1} returns"
    page = client.get_page("/staff/boroughs/returns?show=overdue")
    assert page.find("caption").get_text(strip=True) == "1 returns"
