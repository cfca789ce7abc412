"""Allocations to Safer Neighbourhood Boards and drawdowns against them: every rule, and who may do what."""

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from portal.extensions import db
from portal.models import Allocation, AuditEvent, Drawdown, DrawdownStatus, MembershipRole, StaffRole
from tests.client import error_messages, summary_errors
from tests.factories import create_member, create_organisation, create_user
from tests.factories_assessment import create_officer
from tests.factories_drawdowns import create_allocation, create_board, create_drawdown
from tests.factories_funding import create_fund

TODAY = "2026-11-23 10:00:00+00:00"


@pytest.fixture(autouse=True)
def late_november_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


def actions(subject_type: str) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.subject_type == subject_type).order_by(AuditEvent.id)
        )
    )


def request_data(amount="3000", purpose="Safer streets week", projects=(("Street audits", "Walkabouts", "3000"),)):
    data = {"amount": amount, "purpose": purpose, "submission_key": ""}
    for number, (name, description, project_amount) in enumerate(projects, start=1):
        data |= {
            f"project_{number}_name": name,
            f"project_{number}_description": description,
            f"project_{number}_amount": project_amount,
        }
    return data


def request_url(allocation) -> str:
    return f"/organisations/{allocation.organisation_id}/allocations/{allocation.id}/drawdowns/new"


# Allocations


def test_an_officer_creates_an_allocation_due_the_day_before_the_year_starts(client):
    officer = create_officer()
    fund = create_fund("Safer Neighbourhood Board fund", code="SNB")
    board, _ = create_board("Lambeth")
    client.sign_in(officer)
    client.post_form(
        "/staff/drawdowns/allocations/new",
        {"fund": fund.id, "board": board.id, "financial_year": "2027", "amount": "60,000"},
    )
    allocation = db.session.scalar(sa.select(Allocation))
    assert (allocation.amount_pence, allocation.issue_by, allocation.issued_on) == (60_000_00, date(2027, 3, 31), None)
    assert actions("allocation") == ["allocation.created"]


def test_creating_an_allocation_shows_the_problems_and_keeps_what_was_typed(client):
    client.sign_in(create_officer())
    page = client.post_form("/staff/drawdowns/allocations/new", {"amount": "lots", "issue_by": ["31", "", ""]}, 200)
    errors = error_messages(page)
    assert errors["amount"] == "Enter an amount in pounds, like 25000"
    assert page.find("input", {"name": "amount"})["value"] == "lots"
    assert "Issue-by date must include a month and a year" in summary_errors(page)

    page = client.post_form(
        "/staff/drawdowns/allocations/new",
        {"amount": "0", "financial_year": "2026", "issue_by": ["1", "4", "2027"]},
        200,
    )
    errors = error_messages(page)
    assert errors["fund"] == "Select the fund the money comes from"
    assert errors["board"] == "Select the Safer Neighbourhood Board"
    assert errors["amount"] == "The amount allocated must be more than £0"
    assert errors["issue_by"] == "The issue-by date must be on or before 31 March 2027, when the year ends"
    assert page.find("option", {"value": "2026"}).has_attr("selected")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Allocation)) == 0


def test_only_a_board_can_get_an_allocation_and_only_one_per_fund_and_year(client):
    fund = create_fund("Safer Neighbourhood Board fund", code="SNB")
    board, _ = create_board("Lambeth")
    charity = create_organisation("A charity")
    create_allocation(board, fund=fund, financial_year=2026)
    client.sign_in(create_officer())
    page = client.post_form(
        "/staff/drawdowns/allocations/new",
        {"fund": fund.id, "board": charity.id, "financial_year": "2026", "amount": "100"},
        200,
    )
    assert error_messages(page)["board"] == "Select the Safer Neighbourhood Board"
    page = client.post_form(
        "/staff/drawdowns/allocations/new",
        {"fund": fund.id, "board": board.id, "financial_year": "2026", "amount": "100"},
        200,
    )
    assert error_messages(page)["financial_year"] == (
        "Lambeth Safer Neighbourhood Board already has an allocation from Safer Neighbourhood Board fund for 2026/27"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Allocation)) == 1


def test_issuing_late_is_recorded_in_words_and_the_board_is_emailed(client, mailbox):
    board, owner = create_board("Lambeth", email="chair@lambeth-snb.example.org")
    allocation = create_allocation(board, financial_year=2026, issued_on=None)
    client.sign_in(create_officer())
    url = f"/staff/drawdowns/allocations/{allocation.id}"
    page = client.post_form(f"{url}/issue", {"issued_on": ["1", "12", "2026"]}, 200)
    assert error_messages(page)["issued_on"] == "The date the allocation was issued must be today or in the past"
    client.post_form(f"{url}/issue", {"issued_on": ["14", "4", "2026"]})
    page = client.get_page(url)
    again = client.post_form(f"{url}/issue", {"issued_on": ["1", "4", "2026"]}, 200)
    text = page.get_text(" ", strip=True)
    assert "Issued late" in text
    assert "Issued on 14 April 2026, 14 days late (it was due by 31 March 2026)" in text
    assert "This allocation was already issued on 14 April 2026" in summary_errors(again)
    db.session.expire_all()
    assert db.session.get(Allocation, allocation.id).issued_on == date(2026, 4, 14)
    assert actions("allocation") == ["allocation.issued"]
    email = mailbox.last_to(owner.email)
    assert email["Subject"] == "Your 2026/27 drawdown allocation has been issued"
    assert "we are sorry it was late" in email.get_content()


# The board's view and its requests


def test_the_board_sees_its_allocations_with_drawn_pending_and_remaining(client):
    board, owner = create_board("Lambeth")
    allocation = create_allocation(board, amount_pence=50_000_00)
    create_drawdown(
        allocation, 10_000_00, status=DrawdownStatus.PAID, decided_on=date(2026, 6, 2), paid_on=date(2026, 6, 5)
    )
    create_drawdown(allocation, 5_000_00, status=DrawdownStatus.REQUESTED)
    create_drawdown(allocation, 7_000_00, status=DrawdownStatus.REFUSED, decided_on=date(2026, 6, 3))
    client.sign_in(owner)
    page = client.get_page(f"/organisations/{board.id}/allocations")
    cells = [c.get_text(" ", strip=True) for c in page.select("tbody td")]
    assert cells[0] == "2026/27 Safer Neighbourhood Board fund"  # the link names the fund for screen readers
    assert cells[1:7] == ["Safer Neighbourhood Board fund", "£50,000", "£10,000", "£5,000", "£35,000", "Issued on time"]
    overview = client.get_page(f"/organisations/{board.id}")
    assert overview.find("a", href=f"/organisations/{board.id}/allocations") is not None


def test_a_board_never_sees_another_boards_allocations(client):
    lambeth, lambeth_owner = create_board("Lambeth")
    southwark, _ = create_board("Southwark")
    theirs = create_allocation(southwark, amount_pence=80_000_00)
    ours = create_allocation(lambeth, fund=theirs.fund, amount_pence=50_000_00)
    drawdown = create_drawdown(theirs)
    client.sign_in(lambeth_owner)
    page = client.get_page(f"/organisations/{lambeth.id}/allocations")
    assert "£80,000" not in page.get_text()
    assert "£50,000" in page.get_text()
    client.get_page(f"/organisations/{southwark.id}/allocations", 403)
    client.get_page(f"/organisations/{lambeth.id}/allocations/{theirs.id}", 404)
    client.get_page(f"/organisations/{southwark.id}/allocations/{theirs.id}", 403)
    client.get_page(f"/organisations/{lambeth.id}/allocations/{ours.id}/drawdowns/{drawdown.id}", 404)
    client.post_form(request_url(theirs), request_data(), 403)
    client.get_page(f"/staff/drawdowns/allocations/{theirs.id}", 403)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Drawdown)) == 1


def test_an_organisation_that_is_not_a_board_has_no_allocations_page(client):
    charity = create_organisation("A charity")
    owner = create_member(charity)
    client.sign_in(owner)
    client.get_page(f"/organisations/{charity.id}/allocations", 404)
    assert client.get_page(f"/organisations/{charity.id}").find(string="Allocations and drawdowns") is None


def test_the_board_requests_a_drawdown_with_projects_and_it_is_audited(client):
    board, _ = create_board("Lambeth")
    editor = create_member(board, MembershipRole.EDITOR, full_name="Chloe Adeyemi")
    allocation = create_allocation(board, amount_pence=50_000_00)
    client.sign_in(editor)
    form = client.get_page(request_url(allocation))
    key = form.find("input", {"name": "submission_key"})["value"]
    data = request_data(
        "4,500",
        "Safer streets week",
        (("Street audits", "Walkabouts with residents", "3000"), ("Bike marking", "At markets", "1500")),
    ) | {"submission_key": key}
    response = client.post_form(request_url(allocation), data)
    page = client.get_page(response.headers["Location"])
    drawdown = db.session.scalar(sa.select(Drawdown))
    assert (drawdown.amount_pence, drawdown.status, drawdown.requested_by_id) == (
        4_500_00,
        DrawdownStatus.REQUESTED,
        editor.id,
    )
    assert [(p.name, p.amount_pence) for p in drawdown.projects] == [
        ("Street audits", 3_000_00),
        ("Bike marking", 1_500_00),
    ]
    assert "Drawdown requested." in page.get_text()
    assert actions("drawdown") == ["drawdown.requested"]

    client.post_form(request_url(allocation), data)  # the same form sent again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Drawdown)) == 1


def test_a_request_is_refused_until_the_allocation_is_issued(client):
    board, owner = create_board("Lambeth")
    allocation = create_allocation(board, issued_on=None)
    client.sign_in(owner)
    page = client.post_form(request_url(allocation), request_data(), 200)
    assert summary_errors(page) == ["You can ask for money from this allocation once it has been issued to you"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Drawdown)) == 0


def test_the_projects_must_be_complete_and_add_up_to_the_request(client):
    board, owner = create_board("Lambeth")
    allocation = create_allocation(board)
    client.sign_in(owner)
    page = client.post_form(request_url(allocation), request_data("", "", ()), 200)
    errors = error_messages(page)
    assert errors["amount"] == "Enter the amount you are asking for"
    assert errors["purpose"] == "Describe what the money is for"
    assert errors["project_1_name"] == "Give at least one local project the money will fund"

    page = client.post_form(
        request_url(allocation), request_data("5000", "Week", (("Audits", "", "3000"), ("", "", "1000"))), 200
    )
    errors = error_messages(page)
    assert errors["project_1_description"] == "Describe project 1"
    assert errors["project_2_name"] == "Enter the name of project 2"
    assert page.find("input", {"name": "project_2_amount"})["value"] == "1000"

    page = client.post_form(
        request_url(allocation),
        request_data("5000", "Week", (("Audits", "Walks", "3000"), ("Marking", "Bikes", "1000"))),
        200,
    )
    assert error_messages(page)["amount"] == (
        "The projects' amounts add up to £4,000: they must add up to the amount you are asking for, £5,000"
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Drawdown)) == 0


def test_a_request_can_never_exceed_what_remains_and_a_refusal_frees_its_amount(client):
    board, owner = create_board("Lambeth")
    allocation = create_allocation(board, amount_pence=10_000_00)
    create_drawdown(
        allocation, 4_000_00, status=DrawdownStatus.PAID, decided_on=date(2026, 6, 2), paid_on=date(2026, 6, 5)
    )
    pending = create_drawdown(allocation, 5_000_00, status=DrawdownStatus.REQUESTED)
    client.sign_in(owner)
    page = client.post_form(request_url(allocation), request_data("1000.01", "x", (("A", "B", "1000.01"),)), 200)
    assert error_messages(page)["amount"] == "You can ask for at most £1,000, what remains of this allocation"
    client.post_form(request_url(allocation), request_data("1000", "x", (("A", "B", "1000"),)))
    page = client.post_form(request_url(allocation), request_data("1", "x", (("A", "B", "1"),)), 200)
    assert error_messages(page)["amount"] == "Nothing remains of this allocation to ask for"

    client.sign_in(create_officer())
    client.post_form(
        f"/staff/drawdowns/allocations/{allocation.id}/drawdowns/{pending.id}/decision",
        {"decision": "refuse", "reason": "Not in the plan"},
    )
    client.sign_in(owner)
    client.post_form(request_url(allocation), request_data("5000", "x", (("A", "B", "5000"),)))
    amounts = [
        d.amount_pence for d in db.session.scalars(sa.select(Drawdown).where(Drawdown.status != DrawdownStatus.REFUSED))
    ]
    assert sum(amounts) == 10_000_00


# Officers decide and pay


def test_an_officer_approves_then_records_payment_and_the_board_hears_each_time(client, mailbox):
    board, owner = create_board("Lambeth")
    allocation = create_allocation(board)
    drawdown = create_drawdown(allocation, 2_500_00, requested_on=date(2026, 11, 16))
    client.sign_in(create_officer())
    url = f"/staff/drawdowns/allocations/{drawdown.allocation_id}/drawdowns/{drawdown.id}"
    page = client.post_form(
        f"{url}/payment",
        {"paid_on": ["23", "11", "2026"], "reference": "B1"},
        200,
    )
    assert "A drawdown that is awaiting decision cannot become paid" in summary_errors(page)
    client.post_form(f"{url}/decision", {"decision": "approve"})
    assert mailbox.last_to(owner.email)["Subject"] == "Your drawdown of £2,500 has been approved"
    page = client.post_form(f"{url}/payment", {"paid_on": ["20", "11", "2026"], "reference": ""}, 200)
    assert error_messages(page)["reference"] == "Enter the payment reference"
    page = client.post_form(
        f"{url}/payment",
        {"paid_on": ["20", "11", "2026"], "reference": "B1"},
        200,
    )
    assert (
        error_messages(page)["paid_on"]
        == "The date paid cannot be before the drawdown was approved, on 23 November 2026"
    )
    client.post_form(
        f"{url}/payment",
        {"paid_on": ["23", "11", "2026"], "reference": "BACS-1142"},
    )
    page = client.get_page(url)
    db.session.expire_all()
    drawdown = db.session.get(Drawdown, drawdown.id)
    assert (drawdown.status, drawdown.paid_on, drawdown.payment_reference) == (
        DrawdownStatus.PAID,
        date(2026, 11, 23),
        "BACS-1142",
    )
    assert actions("drawdown") == ["drawdown.approved", "drawdown.paid"]
    paid_event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "drawdown.paid"))
    assert paid_event.after["amount_pence"] == 2_500_00 and paid_event.organisation_id == board.id
    email = mailbox.last_to(owner.email)
    assert email["Subject"] == "Your drawdown of £2,500 has been paid"
    assert "BACS-1142" in email.get_content()
    assert "Within target" in page.get_text()


def test_refusing_needs_a_reason_which_the_board_sees(client, mailbox):
    board, owner = create_board("Lambeth")
    drawdown = create_drawdown(create_allocation(board))
    client.sign_in(create_officer())
    page = client.post_form(
        f"/staff/drawdowns/allocations/{drawdown.allocation_id}/drawdowns/{drawdown.id}/decision",
        {"decision": "refuse", "reason": " "},
        200,
    )
    assert error_messages(page)["reason"] == "Enter the reason for refusing the drawdown: the board will see it"
    page = client.post_form(
        f"/staff/drawdowns/allocations/{drawdown.allocation_id}/drawdowns/{drawdown.id}/decision", {}, 200
    )
    assert error_messages(page)["decision"] == "Select whether to approve or refuse the drawdown"
    client.post_form(
        f"/staff/drawdowns/allocations/{drawdown.allocation_id}/drawdowns/{drawdown.id}/decision",
        {"decision": "refuse", "reason": "Already funded by the council"},
    )
    assert "Already funded by the council" in mailbox.last_to(owner.email).get_content()
    client.sign_in(owner)
    page = client.get_page(f"/organisations/{board.id}/allocations/{drawdown.allocation_id}/drawdowns/{drawdown.id}")
    assert "Already funded by the council" in page.get_text()
    assert actions("drawdown") == ["drawdown.refused"]


def test_only_officers_manage_drawdowns(client):
    board, owner = create_board("Lambeth")
    drawdown = create_drawdown(create_allocation(board))
    for user in (owner, create_user(staff_role=StaffRole.REVIEWER), create_user(staff_role=StaffRole.ADMIN)):
        client.sign_in(user)
        client.get_page("/staff/drawdowns", 403)
        client.get_page("/staff/drawdowns/allocations/new", 403)
        client.get_page(f"/staff/drawdowns/allocations/{drawdown.allocation_id}/drawdowns/{drawdown.id}", 403)
        client.post_form(
            f"/staff/drawdowns/allocations/{drawdown.allocation_id}/drawdowns/{drawdown.id}/decision",
            {"decision": "approve"},
            403,
        )
    assert db.session.get(Drawdown, drawdown.id).status is DrawdownStatus.REQUESTED
    client.sign_in(create_officer())
    client.get_page(f"/organisations/{board.id}/allocations/{drawdown.allocation_id}")
