"""Awards made from funded bids: prefilled from the bid, approved, a second approver above £100,000, and a
recorded reason for any award shorter than the round's minimum."""

from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, Award, AwardStatus, DecisionOutcome, ServiceArea
from tests.client import error_messages
from tests.factories_assessment import (
    create_assessed_round,
    create_officer,
    create_reviewer,
    decided_bid,
    form_as_shown,
)


def funded_bid(amounts_pence=(40_000_00, 40_000_00), outcome=DecisionOutcome.FUND, **fields):
    officer = create_officer("Tom Brennan")
    round_ = create_assessed_round()
    application = decided_bid(
        round_, officer, [create_reviewer()], outcome=outcome, amounts_pence=amounts_pence, **fields
    )
    return officer, application


def the_award() -> Award:
    db.session.expire_all()
    return db.session.scalar(sa.select(Award))


def test_an_award_is_prefilled_from_the_bid_and_one_approval_is_enough_up_to_100000(client, run_jobs):
    officer, application = funded_bid(amounts_pence=(50_000_00, 50_000_00), boroughs=("Southwark", "Lambeth"))
    client.sign_in(officer)
    page = client.get_page(f"/staff/awards/from-bid/{application.id}")

    client.post_form(f"/staff/awards/from-bid/{application.id}", form_as_shown(page))
    run_jobs()

    award = the_award()
    assert award.status is AwardStatus.APPROVED
    assert award.total_pence == 100_000_00
    assert [(y.financial_year, y.amount_pence) for y in award.years] == [(2027, 50_000_00), (2028, 50_000_00)]
    assert (award.start_date, award.end_date) == (date(2027, 4, 1), date(2029, 3, 31))
    assert award.title == application.project_title
    assert award.description == application.summary
    assert sorted(la.name for la in award.boroughs) == ["Lambeth", "Southwark"]
    assert list(award.service_areas) == [ServiceArea.VICTIM_SUPPORT]
    assert (award.approved_by_id, award.fund_id, award.organisation_id) == (
        officer.id,
        application.round.fund_id,
        application.organisation_id,
    )
    assert award.reference.startswith(f"{application.round.fund.code}-A-") and award.reference.endswith("-0001")
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.subject_type == "award").order_by(AuditEvent.id))
    assert [(e.action, e.after.get("status")) for e in events] == [
        ("award.created", None),
        ("award.approved", "approved"),
        ("award.returns_scheduled", None),
    ]


def test_approving_an_award_schedules_its_returns(client, run_jobs):
    from portal.models import Return as MonitoringReturn

    officer, application = funded_bid()
    client.sign_in(officer)
    client.post_form(
        f"/staff/awards/from-bid/{application.id}",
        form_as_shown(client.get_page(f"/staff/awards/from-bid/{application.id}")),
    )
    run_jobs()
    award = the_award()
    returns = db.session.scalars(sa.select(MonitoringReturn).where(MonitoringReturn.award_id == award.id)).all()
    assert returns, "approval should have generated the schedule of returns"
    assert min(r.period_start for r in returns) == award.start_date


def test_an_award_over_100000_needs_a_second_approver_who_is_a_different_officer(client):
    officer, application = funded_bid(amounts_pence=(50_000_00, 50_000_01))
    colleague = create_officer("Priya Shah")
    client.sign_in(officer)
    client.post_form(
        f"/staff/awards/from-bid/{application.id}",
        form_as_shown(client.get_page(f"/staff/awards/from-bid/{application.id}")),
    )
    award = the_award()
    assert award.status is AwardStatus.AWAITING_SECOND_APPROVAL

    page = client.get_page(f"/staff/awards/{award.id}")
    assert "You approved it, so another grant officer must give the second approval." in page.get_text()
    assert page.find("button", string="Give second approval") is None
    response = client.post_form(f"/staff/awards/{award.id}/second-approval")
    assert (
        "need a second approver who is a different officer" in client.get_page(response.headers["Location"]).get_text()
    )
    assert the_award().status is AwardStatus.AWAITING_SECOND_APPROVAL

    client.sign_in(colleague)
    client.post_form(f"/staff/awards/{award.id}/second-approval")

    award = the_award()
    assert award.status is AwardStatus.APPROVED
    assert (award.approved_by_id, award.second_approved_by_id) == (officer.id, colleague.id)
    assert award.second_approved_at is not None
    last = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "award.second_approved").order_by(AuditEvent.id.desc())
    ).first()
    assert (last.action, last.actor_id, last.after["status"]) == ("award.second_approved", colleague.id, "approved")
    # And it cannot be approved a third time.
    response = client.post_form(f"/staff/awards/{award.id}/second-approval")
    assert "not waiting for a second approver" in client.get_page(response.headers["Location"]).get_text()


def test_an_award_shorter_than_the_rounds_minimum_needs_a_recorded_reason(client):
    officer, application = funded_bid(amounts_pence=(30_000_00,))  # 12 months against a 24-month minimum
    client.sign_in(officer)
    page = client.get_page(f"/staff/awards/from-bid/{application.id}")

    refused = client.post_form(f"/staff/awards/from-bid/{application.id}", form_as_shown(page), expected_status=200)

    assert error_messages(refused) == {
        "duration_exception_reason": (
            "This award is shorter than the round's minimum of 24 months. Record why it is an exception"
        )
    }
    assert the_award() is None
    client.post_form(
        f"/staff/awards/from-bid/{application.id}",
        form_as_shown(page, duration_exception_reason="A one-year pilot agreed by the VRU board."),
    )
    assert the_award().duration_exception_reason == "A one-year pilot agreed by the VRU board."


def test_the_officer_can_adjust_the_amounts_but_not_pay_outside_the_awards_dates(client):
    officer, application = funded_bid()
    client.sign_in(officer)
    page = client.get_page(f"/staff/awards/from-bid/{application.id}")

    refused = client.post_form(
        f"/staff/awards/from-bid/{application.id}",
        form_as_shown(page, **{"end_date": ["31", "3", "2028"], "duration_exception_reason": "Agreed"}),
        expected_status=200,
    )
    assert error_messages(refused) == {
        "amount_2028": "2028/29 is outside the award's dates: change the dates or leave it empty"
    }

    client.post_form(
        f"/staff/awards/from-bid/{application.id}", form_as_shown(page, amount_2027="35,000.50", amount_2028="30000")
    )
    assert [y.amount_pence for y in the_award().years] == [35_000_50, 30_000_00]


def test_only_a_funded_bid_becomes_an_award_and_only_once(client):
    officer, declined = funded_bid(outcome=DecisionOutcome.DECLINE)
    client.sign_in(officer)
    page = client.get_page(f"/staff/awards/from-bid/{declined.id}")
    assert "Only a bid decided as fund, or fund with changes, can become an award" in page.get_text()
    assert page.select_one("main form") is None

    _, funded = funded_bid(outcome=DecisionOutcome.FUND_WITH_CHANGES)
    form = client.get_page(f"/staff/awards/from-bid/{funded.id}")
    assert "Add a safeguarding lead." in form.get_text()
    client.post_form(f"/staff/awards/from-bid/{funded.id}", form_as_shown(form))
    again = client.post_form(f"/staff/awards/from-bid/{funded.id}", form_as_shown(form), expected_status=200)
    assert "This bid already has award" in again.get_text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Award)) == 1


def test_the_awards_list_shows_awards_and_the_funded_bids_still_waiting_for_one(client):
    officer, waiting = funded_bid()
    _, made = funded_bid()
    client.sign_in(officer)
    client.post_form(
        f"/staff/awards/from-bid/{made.id}", form_as_shown(client.get_page(f"/staff/awards/from-bid/{made.id}"))
    )

    page = client.get_page("/staff/awards/")

    assert page.find("a", string=the_award().reference)
    assert f"Set up award for {waiting.reference}" in page.get_text(" ", strip=True)
    assert "Approved" in page.get_text()
    assert (
        client.get_page("/staff/awards/?status=awaiting_second_approval").find("a", string=the_award().reference)
        is None
    )


def test_people_without_the_award_permission_cannot_see_awards(client):
    _, application = funded_bid()
    client.sign_in(create_reviewer())
    assert client.get("/staff/awards/").status_code == 403
    assert client.get(f"/staff/awards/from-bid/{application.id}").status_code == 403
    client.sign_in(application.organisation.memberships[0].user)
    assert client.get("/staff/awards/").status_code == 403


def test_every_problem_with_the_award_form_is_shown_at_once(client):
    officer, application = funded_bid()
    client.sign_in(officer)
    page = client.get_page(f"/staff/awards/from-bid/{application.id}")
    data = form_as_shown(page, description="", amount_2027="", amount_2028="")
    data.pop("service_areas")

    refused = client.post_form(f"/staff/awards/from-bid/{application.id}", data, expected_status=200)

    assert error_messages(refused) == {
        "description": "Describe what the award pays for",
        "amount_2027": "Enter the amount for at least one year",
        "service_areas": "Select at least one service area",
    }
    assert the_award() is None
