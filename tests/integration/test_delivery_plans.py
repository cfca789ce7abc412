"""Borough allocations, delivery plans and their payments: every rule, and who may do what."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    AuditEvent,
    BoroughAllocation,
    DeliveryPlan,
    InstalmentStatus,
    Measure,
    OutboundMessage,
    PlanInstalment,
    PlanProject,
    PlanStatus,
)
from tests.client import error_messages, summary_errors
from tests.factories_assessment import create_officer
from tests.factories_boroughs import a_member, create_borough_allocation, create_council, create_plan

TODAY = "2026-05-12 10:00:00+00:00"


@pytest.fixture(autouse=True)
def may_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


def actions(subject_type: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.subject_type == subject_type).order_by(AuditEvent.id)
        )
    )


def project_data(plan, name="Lewisham youth mentoring", amounts=None, **overrides):
    data = {
        "name": name,
        "description": "Mentors for young people at risk of exploitation",
        "provider": "other",
        "provider_name": "Lewisham Youth Trust",
        "charity_number": "1123456",
        "service_areas": ["children_and_young_people", "violence_reduction"],
        "coverage": "wards",
        "wards": "Catford South, Rushey Green",
        "measure_1_name": "Young people mentored",
        "measure_1_unit": "young people",
        "measure_1_target": "25",
    }
    for year in plan.years:
        data[f"amount_{year}"] = (amounts or {}).get(year, "100000")
    return data | overrides


def plan_url(plan) -> str:
    return f"/organisations/{plan.organisation_id}/delivery-plans/{plan.id}"


# Allocations


def test_an_officer_creates_an_allocation_due_before_the_year_and_it_is_unique(client):
    client.sign_in(create_officer())
    lewisham = db.session.scalar(sa.text("SELECT id FROM local_authority WHERE name = 'Lewisham'"))
    client.post_form(
        "/staff/boroughs/allocations/new", {"borough": lewisham, "financial_year": "2027", "amount": "812,000"}
    )
    allocation = db.session.scalar(sa.select(BoroughAllocation))
    assert (allocation.amount_pence, allocation.confirm_by, allocation.confirmed_on) == (
        812_000_00,
        date(2027, 1, 31),
        None,
    )
    assert actions("borough_allocation") == ["borough_allocation.created"]

    page = client.post_form(
        "/staff/boroughs/allocations/new", {"borough": lewisham, "financial_year": "2027", "amount": "1"}, 200
    )
    assert error_messages(page)["financial_year"] == "Lewisham already has an allocation for 2027/28"
    assert db.session.scalar(sa.select(sa.func.count(BoroughAllocation.id))) == 1


def test_an_allocation_made_by_another_officer_at_the_same_moment_is_refused_whole(client, monkeypatch):
    from portal.boroughs import allocations, queries

    officer = create_officer()
    lewisham = db.session.scalar(sa.text("SELECT id FROM local_authority WHERE name = 'Lewisham'"))
    details = allocations.AllocationDetails(lewisham, 2027, 812_000_00)
    allocations.create_allocation(details, officer)
    # The other officer's check ran before this allocation was committed, so it found none.
    monkeypatch.setattr(queries, "fetch_allocation_for", lambda *args: None)
    with pytest.raises(DomainError, match="Lewisham already has an allocation for 2027/28"):
        allocations.create_allocation(allocations.AllocationDetails(lewisham, 2027, 1), officer)
    assert db.session.scalars(sa.select(BoroughAllocation.amount_pence)).all() == [812_000_00]
    assert actions("borough_allocation") == ["borough_allocation.created"]


def test_creating_an_allocation_lists_every_problem_and_keeps_what_was_typed(client):
    client.sign_in(create_officer())
    city = db.session.scalar(sa.text("SELECT id FROM local_authority WHERE name = 'City of London'"))
    page = client.post_form("/staff/boroughs/allocations/new", {"borough": city, "amount": "lots"}, 200)
    assert error_messages(page)["amount"] == "Enter an amount in pounds, like 25000"
    assert page.find("input", {"name": "amount"})["value"] == "lots"
    page = client.post_form("/staff/boroughs/allocations/new", {"borough": city, "amount": "0"}, 200)
    errors = error_messages(page)
    assert errors["borough"] == "Select the borough"
    assert errors["amount"] == "The amount allocated must be more than £0"
    assert errors["financial_year"] == "Select the financial year"
    assert db.session.scalar(sa.select(sa.func.count(BoroughAllocation.id))) == 0


def test_an_allocation_is_to_be_confirmed_within_its_year_and_is_confirmed_once(client):
    from portal.boroughs import allocations

    officer = create_officer()
    lewisham = db.session.scalar(sa.text("SELECT id FROM local_authority WHERE name = 'Lewisham'"))
    late_deadline = allocations.AllocationDetails(lewisham, 2026, 812_000_00, confirm_by=date(2027, 4, 1))
    with pytest.raises(DomainError, match="The confirm-by date must be on or before 31 March 2027, when the year"):
        allocations.create_allocation(late_deadline, officer)
    allocation = create_borough_allocation("Lambeth", 2026, confirmed_on=date(2026, 5, 1))
    with pytest.raises(DomainError, match="This allocation was already confirmed on 1 May 2026"):
        allocations.confirm_allocation(allocation, date(2026, 5, 2), officer, date(2026, 5, 12))
    assert allocation.confirmed_on == date(2026, 5, 1)
    assert db.session.scalar(sa.select(sa.func.count(BoroughAllocation.id))) == 1


def test_confirming_late_is_shown_on_the_officers_page_and_the_council_is_told(client):
    _, owner = create_council("Lewisham")
    allocation = create_borough_allocation("Lewisham", 2026, confirmed_on=None)
    create_borough_allocation("Lambeth", 2026, confirmed_on=None)
    client.sign_in(create_officer())
    page = client.get_page("/staff/boroughs/allocations")
    assert "0 shown here were confirmed late and 2 are overdue" in page.get_text(" ", strip=True)

    page = client.post_form(
        f"/staff/boroughs/allocations/{allocation.id}/confirm", {"confirmed_on": ["31", "5", "2026"]}, 200
    )
    assert "must be today or in the past" in summary_errors(page)[0]
    client.post_form(f"/staff/boroughs/allocations/{allocation.id}/confirm", {"confirmed_on": ["1", "5", "2026"]})
    db.session.refresh(allocation)
    assert allocation.confirmed_on == date(2026, 5, 1) and allocation.days_late() == 90
    message = db.session.scalar(sa.select(OutboundMessage).where(OutboundMessage.to_address == owner.email))
    assert "we are sorry it was late" in message.body
    page = client.get_page("/staff/boroughs/allocations?year=2026")
    assert "1 shown here was confirmed late and 1 is overdue" in page.get_text(" ", strip=True)
    assert actions("borough_allocation") == ["borough_allocation.confirmed"]


# The plan


def test_a_borough_plans_projects_within_its_allocation_and_sees_what_is_unplanned(client):
    council, owner = create_council("Lewisham")
    create_borough_allocation("Lewisham", 2026, 800_000_00)
    create_borough_allocation("Lewisham", 2027, 800_000_00)
    client.sign_in(owner)
    client.post_form(f"/organisations/{council.id}/delivery-plans/start")
    plan = db.session.scalar(sa.select(DeliveryPlan))
    assert plan.years == [2026, 2027]

    client.post_form(f"{plan_url(plan)}/projects/new", project_data(plan, amounts={2026: "300000", 2027: "250000"}))
    project = db.session.scalar(sa.select(PlanProject))
    assert project.amounts == {"2026": 300_000_00, "2027": 250_000_00}
    assert project.provider_charity_number == "1123456" and project.wards == "Catford South, Rushey Green"
    assert [(m.name, m.target) for m in project.measures] == [("Young people mentored", 25)]
    page = client.get_page(plan_url(plan))
    unplanned = [row.get_text(" ", strip=True) for row in page.select("table")[0].select("tbody tr")]
    assert unplanned == ["2026/27 £800,000 £300,000 £500,000", "2027/28 £800,000 £250,000 £550,000"]

    # Over the allocation: refused, with what is left, and nothing saved.
    page = client.post_form(f"{plan_url(plan)}/projects/new", project_data(plan, "Second", {2026: "500001"}), 200)
    assert error_messages(page)["amount_2026"] == (
        "The plan's total for 2026/27 cannot be more than the allocation of £800,000: at most £500,000 is left "
        "for this project"
    )
    assert page.find("input", {"name": "name"})["value"] == "Second"
    assert db.session.scalar(sa.select(sa.func.count(PlanProject.id))) == 1


def test_a_project_form_lists_every_problem(client):
    council, owner = create_council("Lewisham")
    create_borough_allocation("Lewisham", 2026)
    plan = create_plan(council, projects=0)
    client.sign_in(owner)
    page = client.post_form(
        f"{plan_url(plan)}/projects/new",
        {"provider": "other", "charity_number": "12", "coverage": "wards", "amount_2026": "-5", "measure_2_unit": "x"},
        200,
    )
    errors = error_messages(page)
    assert errors["name"] == "Enter the project's name"
    assert errors["description"] == "Describe what the project does"
    assert errors["provider_name"] == "Enter the name of the organisation that provides the project"
    assert errors["charity_number"] == "Enter a charity number like 1234567, SC012345 or NIC123456"
    assert errors["wards"] == "Enter the wards the project covers"
    assert errors["amount_2026"] == "The amount for 2026/27 cannot be less than £0"
    assert errors["measure_2_name"] == "Enter what measure 2 counts"
    assert errors["measure_2_target"] == "Enter measure 2's target for a quarter as a whole number"
    assert "Select at least one service area" in summary_errors(page)
    assert db.session.scalar(sa.select(sa.func.count(PlanProject.id))) == 0


def test_submit_query_answer_approve_then_a_variation_keeps_every_version(client):
    council, owner = create_council("Lewisham")
    create_borough_allocation("Lewisham", 2026, 800_000_00)
    plan = create_plan(council, projects=1)
    officer = create_officer()
    client.sign_in(owner)
    client.post_form(f"{plan_url(plan)}/submit")
    assert plan.status is PlanStatus.SUBMITTED
    page = client.post_form(f"{plan_url(plan)}/projects/new", project_data(plan), 200)
    assert summary_errors(page) == ["This plan is waiting for an officer's review, so it cannot be changed now"]

    client.sign_in(officer)
    page = client.post_form(f"/staff/boroughs/plans/{plan.id}", {"send_query": "Query plan"}, 200)
    assert error_messages(page)["comment"] == "Enter what the borough needs to answer or change"
    client.post_form(f"/staff/boroughs/plans/{plan.id}", {"comment": "Who referred them?", "send_query": "y"})
    assert plan.status is PlanStatus.QUERIED

    client.sign_in(owner)
    page = client.post_form(f"{plan_url(plan)}/submit", {}, 200)
    assert error_messages(page)["response"] == "Answer the officer's comments before you submit the plan again"
    client.post_form(f"{plan_url(plan)}/submit", {"response": "Schools and the youth offending service"})

    client.sign_in(officer)
    client.post_form(f"/staff/boroughs/plans/{plan.id}", {"approve": "Approve plan"})
    assert plan.status is PlanStatus.APPROVED
    instalments = db.session.scalars(sa.select(PlanInstalment).order_by(PlanInstalment.due_on)).all()
    assert [(i.label, i.due_on, i.amount_pence) for i in instalments] == [
        ("H1 2026/27", date(2026, 5, 12), 400_000_00),
        ("H2 2026/27", date(2026, 10, 1), 400_000_00),
    ]

    client.sign_in(owner)
    page = client.post_form(f"{plan_url(plan)}/variation", {}, 200)
    assert error_messages(page)["reason"] == "Enter why the plan needs to change"
    client.post_form(f"{plan_url(plan)}/variation", {"reason": "A second provider for Bellingham"})
    client.post_form(f"{plan_url(plan)}/projects/new", project_data(plan, "Bellingham detached youth work"))
    client.post_form(f"{plan_url(plan)}/submit")
    client.sign_in(officer)
    client.post_form(f"/staff/boroughs/plans/{plan.id}", {"approve": "Approve plan"})

    versions = [(v.number, v.is_variation, v.decision.value, len(v.snapshot["projects"])) for v in plan.versions]
    assert versions == [(1, False, "queried", 1), (2, False, "approved", 1), (3, True, "approved", 2)]
    assert plan.versions[1].response == "Schools and the youth offending service"
    assert plan.versions[2].reason == "A second provider for Bellingham"
    assert db.session.scalar(sa.select(sa.func.count(PlanInstalment.id))) == 2  # approving again adds none
    assert actions("delivery_plan").count("delivery_plan.approved") == 2
    assert "delivery_plan.variation_started" in actions("delivery_plan")


def test_a_plan_over_its_allocation_cannot_be_submitted(client):
    council, owner = create_council("Lewisham")
    create_borough_allocation("Lewisham", 2026, 150_000_00)
    plan = create_plan(council, projects=2, amount_pence=100_000_00)
    client.sign_in(owner)
    page = client.post_form(f"{plan_url(plan)}/submit", {}, 200)
    assert "The projects for 2026/27 add up to £200,000, more than the allocation of £150,000" in summary_errors(page)
    assert plan.status is PlanStatus.DRAFT and plan.versions == []


def test_payments_are_released_and_paid_by_the_grants_rules_with_an_audit_event_each(client):
    council, _ = create_council("Lewisham")
    allocation = create_borough_allocation("Lewisham", 2026, 800_000_01, confirmed_on=None)
    plan = create_plan(council, status=PlanStatus.SUBMITTED)
    officer = create_officer()
    client.sign_in(officer)
    client.post_form(f"/staff/boroughs/plans/{plan.id}", {"approve": "Approve plan"})
    first, second = db.session.scalars(sa.select(PlanInstalment).order_by(PlanInstalment.due_on)).all()
    assert first.amount_pence + second.amount_pence == 800_000_01

    page = client.post_form(
        f"/staff/boroughs/plans/{plan.id}/payments/{first.id}/release", follow=True, expected_status=200
    )
    assert "before releasing its payments" in page.get_text()
    assert first.status is InstalmentStatus.SCHEDULED
    allocation.confirmed_on = date(2026, 5, 1)
    db.session.commit()
    client.post_form(f"/staff/boroughs/plans/{plan.id}/payments/{first.id}/release")
    page = client.post_form(
        f"/staff/boroughs/plans/{plan.id}/payments/{first.id}/paid", {"paid_on": ["13", "5", "2026"]}, 200
    )
    assert error_messages(page)["reference"] == "Enter the payment reference from the finance system"
    client.post_form(
        f"/staff/boroughs/plans/{plan.id}/payments/{first.id}/paid",
        {"paid_on": ["12", "5", "2026"], "reference": "BACS-LEW-1"},
    )
    db.session.refresh(first)
    assert (first.status, first.payment_reference) == (InstalmentStatus.PAID, "BACS-LEW-1")
    assert actions("plan_instalment") == ["plan_instalment.released", "plan_instalment.paid"]


# Who may do what


def test_another_borough_is_refused_every_route_that_takes_an_id(client):
    council, _ = create_council("Lewisham")
    create_borough_allocation("Lewisham", 2026)
    plan = create_plan(council, status=PlanStatus.APPROVED)
    project = plan.projects[0]
    other, other_owner = create_council("Lambeth")
    base = plan_url(plan)
    gets = [base, f"{base}/projects/new", f"{base}/projects/{project.id}"]
    posts = [
        f"/organisations/{council.id}/delivery-plans/start",
        f"{base}/submit",
        f"{base}/variation",
        f"{base}/projects/new",
        f"{base}/projects/{project.id}",
        f"{base}/projects/{project.id}/remove",
    ]
    client.sign_in(other_owner)
    client.get_page(f"/organisations/{council.id}/delivery-plans", 403)
    for url in gets:
        assert client.get(url).status_code in (403, 404), url
    for url in posts:
        assert client.post_form(url, project_data(plan) | {"reason": "x"}, expected_status=403), url
    # Through its own council's address, another borough's plan and project are not found.
    client.get_page(f"/organisations/{other.id}/delivery-plans/{plan.id}", 404)
    client.get_page(f"/organisations/{other.id}/delivery-plans/{plan.id}/projects/{project.id}", 404)
    client.post_form(f"/organisations/{other.id}/delivery-plans/{plan.id}/variation", {"reason": "x"}, 404)
    staff_only = [
        "/staff/boroughs/allocations",
        "/staff/boroughs/allocations/new",
        "/staff/boroughs/plans",
        f"/staff/boroughs/plans/{plan.id}",
    ]
    for url in staff_only:
        client.get_page(url, 403)
    assert plan.status is PlanStatus.APPROVED and plan.variation_reason is None
    assert db.session.scalar(sa.select(sa.func.count(PlanProject.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Measure.id))) == 1


def test_an_editor_of_the_council_may_change_the_plan_and_a_charity_has_no_plan_pages(client):
    council, _ = create_council("Lewisham")
    create_borough_allocation("Lewisham", 2026)
    plan = create_plan(council, projects=0)
    client.sign_in(a_member(council))
    client.post_form(f"{plan_url(plan)}/projects/new", project_data(plan))
    assert len(plan.projects) == 1
    from tests.factories import create_member, create_organisation

    charity = create_organisation("A charity")
    client.sign_in(create_member(charity))
    client.get_page(f"/organisations/{charity.id}/delivery-plans", 404)


def test_allocations_are_taken_from_the_published_formula_version_keeping_those_already_set(client):
    from portal.database import utcnow
    from portal.models import LcpfAllocation, LcpfVersion, LcpfVersionStatus
    from tests.factories import local_authority

    client.sign_in(create_officer())
    client.post_form("/staff/boroughs/allocations/from-formula")
    assert db.session.scalar(sa.select(sa.func.count(BoroughAllocation.id))) == 0  # nothing published yet

    version = LcpfVersion(
        title="LCPF 2026-28",
        status=LcpfVersionStatus.PUBLISHED,
        first_year=2026,
        last_year=2027,
        parameters={},
        inputs=[],
        published_at=utcnow(),
    )
    for borough, pounds in (("Lewisham", 812_345), ("Lambeth", 790_000), ("City of London", 10)):
        for year in (2026, 2027):
            version.allocations.append(
                LcpfAllocation(
                    local_authority=local_authority(borough), financial_year=year, amount_pounds=pounds, workings={}
                )
            )
    db.session.add(version)
    db.session.commit()
    set_by_hand = create_borough_allocation("Lambeth", 2026, 700_000_00)

    page = client.post_form("/staff/boroughs/allocations/from-formula", follow=True, expected_status=200)
    assert "3 allocations taken from “LCPF 2026-28”; 1 that already existed were kept" in page.get_text()
    found = {
        (a.local_authority.name, a.financial_year): (a.amount_pence, a.formula_version_id)
        for a in db.session.scalars(sa.select(BoroughAllocation))
    }
    assert found == {
        ("Lewisham", 2026): (812_345_00, version.id),
        ("Lewisham", 2027): (812_345_00, version.id),
        ("Lambeth", 2026): (700_000_00, None),
        ("Lambeth", 2027): (790_000_00, version.id),
    }
    assert set_by_hand.confirmed_on is not None


def test_a_borough_is_refused_every_officers_route_that_takes_an_id(client):
    council, owner = create_council("Lewisham")
    allocation = create_borough_allocation("Lewisham", 2026)
    plan = create_plan(council, status=PlanStatus.SUBMITTED)
    client.sign_in(create_officer())
    client.post_form(f"/staff/boroughs/plans/{plan.id}", {"approve": "Approve plan"})
    instalment = db.session.scalar(sa.select(PlanInstalment))
    client.sign_in(owner)  # even the plan's own borough
    for url in (
        f"/staff/boroughs/allocations/{allocation.id}",
        f"/staff/boroughs/plans/{plan.id}/payments/{instalment.id}/paid",
    ):
        client.get_page(url, 403)
    for url in (
        f"/staff/boroughs/allocations/{allocation.id}/confirm",
        "/staff/boroughs/allocations/from-formula",
        f"/staff/boroughs/plans/{plan.id}",
        f"/staff/boroughs/plans/{plan.id}/payments/{instalment.id}/release",
        f"/staff/boroughs/plans/{plan.id}/payments/{instalment.id}/paid",
    ):
        client.post_form(url, {"confirmed_on": ["1", "4", "2026"], "approve": "y", "reference": "X"}, 403)
    assert instalment.status is InstalmentStatus.SCHEDULED
    assert actions("plan_instalment") == [] and actions("borough_allocation") == []
