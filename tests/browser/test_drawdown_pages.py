"""Drawdown pages in a real browser, each checked with axe-core: the board's allocations, an allocation, the
request form with its errors, a drawdown; the officers' drawdowns page, allocations, creating one with errors,
issuing, deciding with errors and recording payment."""

from datetime import date

from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Drawdown, DrawdownStatus
from tests.browser.conftest import sign_in_as
from tests.factories_assessment import create_officer
from tests.factories_drawdowns import create_allocation, create_board, create_drawdown


def a_board():
    board, owner = create_board("Lambeth", email="chair@lambeth-snb.example.org")
    allocation = create_allocation(board, amount_pence=50_000_00, issued_on=date(2026, 4, 10))
    create_drawdown(
        allocation, 5_000_00, status=DrawdownStatus.PAID, decided_on=date(2026, 6, 3), paid_on=date(2026, 6, 8)
    )
    return board, owner, allocation


def test_the_board_requests_a_drawdown_with_mistakes_then_correctly(page, assert_accessible):
    board, owner, _ = a_board()
    sign_in_as(page, owner)
    page.goto(f"/organisations/{board.id}/allocations")
    assert_accessible(page)
    page.get_by_role("link", name="2026/27 Safer Neighbourhood Board fund").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("£45,000")
    expect(page.locator(".govuk-summary-list")).to_contain_text("days late")
    assert_accessible(page)

    page.get_by_role("button", name="Request a drawdown").click()
    assert_accessible(page)
    page.get_by_label("Amount you are asking for").fill("50000")
    page.get_by_label("What the money is for").fill("Safer streets week")
    page.get_by_label("Project 1 name").fill("Street audits")
    page.get_by_label("Project 1 short description").fill("Walkabouts with residents")
    page.get_by_label("Project 1 amount").fill("50000")
    page.get_by_role("button", name="Request drawdown").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("You can ask for at most £45,000")
    assert page.get_by_label("Project 1 name").input_value() == "Street audits"
    assert_accessible(page)

    page.get_by_label("Amount you are asking for").fill("3000")
    page.get_by_label("Project 1 amount").fill("3000")
    page.get_by_role("button", name="Request drawdown").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Drawdown requested.")
    expect(page.locator("h1")).to_have_text("Drawdown of £3,000")
    assert_accessible(page)


def test_an_officer_creates_and_issues_an_allocation_with_mistakes_shown(page, assert_accessible):
    board, _, _ = a_board()
    sign_in_as(page, create_officer())
    page.goto("/staff/drawdowns/allocations")
    assert_accessible(page)
    page.get_by_role("button", name="Create an allocation").click()
    page.get_by_label("Amount allocated").fill("lots")
    page.get_by_role("button", name="Create allocation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Fund").select_option(label="Safer Neighbourhood Board fund")
    page.get_by_label("Safer Neighbourhood Board").select_option(label=board.name)
    page.get_by_label("Financial year").select_option(label="2027/28")
    page.get_by_label("Amount allocated").fill("62000")
    page.get_by_role("button", name="Create allocation").click()
    expect(page.locator("main")).to_contain_text("Not issued yet")
    assert_accessible(page)
    page.get_by_label("Day").fill("40")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Record as issued").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_an_officer_sees_turnaround_decides_and_records_payment(page, assert_accessible):
    _, _, allocation = a_board()
    waiting = create_drawdown(allocation, 2_000_00, requested_on=date(2026, 11, 2))
    sign_in_as(page, create_officer())
    page.goto("/staff/drawdowns")
    expect(page.locator("tbody")).to_contain_text("Within target")
    assert_accessible(page)
    page.goto(f"/staff/drawdowns/allocations/{allocation.id}/drawdowns/{waiting.id}")
    assert_accessible(page)
    page.get_by_label("Refuse").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the reason for refusing")
    assert_accessible(page)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Drawdown approved.")
    page.get_by_role("button", name="Record payment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date the drawdown was paid")
    assert_accessible(page)
    db.session.commit()
    assert db.session.get(Drawdown, waiting.id).status is DrawdownStatus.APPROVED
