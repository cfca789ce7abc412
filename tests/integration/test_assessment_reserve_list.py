"""The reserve list: bids a lead officer can fund later with a new decision that keeps the earlier one in the
history, tells the applicant, and lets the award be set up as for any funded bid."""

import sqlalchemy as sa

from portal.assessment import decisions
from portal.assessment.decisions import DecisionEntry
from portal.awards import services as awards
from portal.errors import DomainError
from portal.extensions import db
from portal.models import AuditEvent, Award, Decision, DecisionOutcome, StaffRole
from tests.client import error_messages, summary_errors
from tests.factories import create_member, create_user
from tests.factories_assessment import (
    create_assessed_round,
    create_officer,
    create_reviewer,
    decided_bid,
    form_as_shown,
)

RESERVE = DecisionOutcome.RESERVE


def fund_url(application) -> str:
    return f"/staff/rounds/{application.round_id}/applications/{application.id}/fund-from-reserve"


def decisions_of(application) -> list[Decision]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(Decision).where(Decision.application_id == application.id).order_by(Decision.id))
    )


def reserve_bid(officer=None, round_=None, **fields):
    officer = officer or create_officer("Tom Brennan")
    round_ = round_ or create_assessed_round()
    return decided_bid(round_, officer, [create_reviewer()], outcome=RESERVE, **fields)


def test_the_reserve_list_shows_only_bids_whose_latest_decision_is_reserve_best_score_first(client):
    officer = create_officer()
    round_ = create_assessed_round()
    lower = decided_bid(round_, officer, [create_reviewer()], outcome=RESERVE, agreed_tenths=610)
    higher = decided_bid(round_, officer, [create_reviewer()], outcome=RESERVE, agreed_tenths=720)
    funded = decided_bid(round_, officer, [create_reviewer()], outcome=DecisionOutcome.FUND)
    declined = decided_bid(round_, officer, [create_reviewer()], outcome=DecisionOutcome.DECLINE)
    other_round = reserve_bid(officer)
    client.sign_in(officer)

    bids_page = client.get_page(f"/staff/rounds/{round_.id}/applications")
    assert bids_page.find("a", string="Reserve list: fund a bid from it")["href"] == (
        f"/staff/rounds/{round_.id}/reserve-list"
    )
    page = client.get_page(f"/staff/rounds/{round_.id}/reserve-list")

    references = [row.select("td")[0].get_text(strip=True) for row in page.select("main tbody tr")]
    assert references == [higher.reference, lower.reference]
    for absent in (funded, declined, other_round):
        assert absent.reference not in page.select_one("main").get_text()
    assert page.select_one("main tbody tr").find("a", href=fund_url(higher))


def test_an_empty_reserve_list_says_so(client):
    officer = create_officer()
    round_ = create_assessed_round()
    client.sign_in(officer)
    page = client.get_page(f"/staff/rounds/{round_.id}/reserve-list")
    assert "No bid in this round is on the reserve list." in page.get_text()


def test_a_lead_officer_funds_a_reserve_bid_with_conditions_and_both_decisions_stay_in_the_history(client, mailbox):
    officer = create_officer("Tom Brennan")
    lead = create_officer("Priya Shah")
    application = reserve_bid(officer, title="Knife crime workshops")
    application.contact_email = "contact@example.org"
    db.session.commit()
    client.sign_in(lead)

    bid_page = client.get_page(f"/staff/rounds/{application.round_id}/applications/{application.id}")
    assert bid_page.find("a", href=fund_url(application)).get_text(strip=True) == "Fund from the reserve list"
    page = client.get_page(fund_url(application))
    outcomes = [i["value"] for i in page.select("input[name=outcome]")]
    assert outcomes == ["fund", "fund_with_changes"]  # never reserve or decline again here

    client.post_form(
        fund_url(application),
        {
            "outcome": "fund_with_changes",
            "conditions": "Name a safeguarding lead before the grant starts.",
            "feedback": "Money has become available after another bid withdrew.",
        },
    )

    reserve, funded = decisions_of(application)
    assert reserve.outcome is RESERVE
    assert funded.outcome is DecisionOutcome.FUND_WITH_CHANGES
    assert funded.replaces_id == reserve.id
    assert funded.decided_by_id == lead.id
    assert funded.conditions == "Name a safeguarding lead before the grant starts."
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "application.funded_from_reserve"))
    assert event.actor_id == lead.id
    assert event.before["outcome"] == "reserve"
    assert event.after == {"outcome": "fund_with_changes", "decision_id": funded.id}
    assert event.organisation_id == application.organisation_id
    email = mailbox.last_to("contact@example.org")
    assert email["Subject"] == f"Decision on your bid {application.reference}"
    body = email.get_content()
    assert "Your bid was on the reserve list. Money has now become available" in body
    assert "Name a safeguarding lead before the grant starts." in body

    # Officers see both decisions; the bid is off the reserve list.
    bid_page = client.get_page(f"/staff/rounds/{application.round_id}/applications/{application.id}")
    history = bid_page.find("caption", string="Decision history").find_parent("table").get_text(" ", strip=True)
    assert "Fund with changes (current)" in history
    assert "Reserve list (replaced)" in history
    assert "A strong bid with a clear need." in history
    assert bid_page.find("a", href=fund_url(application)) is None
    reserve_page = client.get_page(f"/staff/rounds/{application.round_id}/reserve-list")
    assert application.reference not in reserve_page.select_one("main").get_text()


def test_the_applicant_sees_only_the_new_decision(client):
    officer = create_officer()
    application = reserve_bid(officer)
    decisions.fund_from_reserve(
        application, DecisionEntry(application.id, "fund", "Funds were freed up in March.", None), officer
    )
    client.sign_in(application.organisation.memberships[0].user)

    text = (
        client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/view")
        .select_one("main")
        .get_text(" ", strip=True)
    )

    assert "Your bid has been successful: we will fund it." in text
    assert "Funds were freed up in March." in text
    assert "Your bid is on the reserve list" not in text
    assert "A strong bid with a clear need." not in text  # the earlier feedback is for officers now
    assert "Tom Brennan" not in text


def test_the_award_is_set_up_from_the_new_decision(client):
    officer = create_officer()
    application = reserve_bid(officer)
    client.sign_in(officer)
    refused = client.get_page(f"/staff/awards/from-bid/{application.id}")
    assert refused.select_one("main form[method=post]") is None  # a reserve-list bid is not funded yet

    assert application not in awards.fetch_funded_bids_without_award()

    client.post_form(fund_url(application), {"outcome": "fund", "feedback": "Money has become available."})
    assert [a.id for a in awards.fetch_funded_bids_without_award()] == [application.id]
    form = client.get_page(f"/staff/awards/from-bid/{application.id}")
    client.post_form(f"/staff/awards/from-bid/{application.id}", form_as_shown(form))

    db.session.expire_all()
    award = db.session.scalar(sa.select(Award).where(Award.application_id == application.id))
    assert award is not None
    assert award.total_pence == application.total_requested_pence


def test_the_new_decision_needs_a_funding_outcome_feedback_and_any_conditions_and_keeps_what_was_typed(client):
    officer = create_officer()
    application = reserve_bid(officer)
    client.sign_in(officer)

    page = client.post_form(fund_url(application), {"feedback": "  "}, expected_status=400)
    assert error_messages(page) == {
        "outcome": "Select fund or fund with changes",
        "feedback": "Write feedback for the applicant",
    }
    page = client.post_form(
        fund_url(application), {"outcome": "fund_with_changes", "feedback": "Good news."}, expected_status=400
    )
    assert error_messages(page) == {"conditions": "Set out the changes the applicant must make to be funded"}
    assert page.select_one("textarea[name=feedback]").get_text() == "Good news."
    assert page.select_one("input[name=outcome][value=fund_with_changes]").has_attr("checked")
    page = client.post_form(fund_url(application), {"outcome": "decline", "feedback": "No."}, expected_status=400)
    assert error_messages(page) == {"outcome": "Select fund or fund with changes"}
    assert len(decisions_of(application)) == 1


def test_only_a_bid_on_the_reserve_list_can_be_funded_from_it_and_only_once(client):
    officer = create_officer()
    round_ = create_assessed_round()
    funded = decided_bid(round_, officer, [create_reviewer()], outcome=DecisionOutcome.FUND)
    declined = decided_bid(round_, officer, [create_reviewer()], outcome=DecisionOutcome.DECLINE)
    reserve = reserve_bid(officer, round_)
    client.sign_in(officer)

    for application, label in ((funded, "fund"), (declined, "decline")):
        page = client.get_page(fund_url(application))
        assert page.select_one("main form[method=post]") is None
        refused = client.post_form(fund_url(application), {"outcome": "fund", "feedback": "x"}, expected_status=400)
        assert summary_errors(refused) == [
            f"{application.reference} is not on the reserve list: its decision is {label}"
        ]
        assert len(decisions_of(application)) == 1

    client.post_form(fund_url(reserve), {"outcome": "fund", "feedback": "Money is available."})
    again = client.post_form(fund_url(reserve), {"outcome": "fund", "feedback": "Money is available."}, 400)
    assert summary_errors(again) == [f"{reserve.reference} is not on the reserve list: its decision is fund"]
    assert len(decisions_of(reserve)) == 2


def test_two_decisions_cannot_both_replace_the_same_reserve_decision():
    officer = create_officer()
    application = reserve_bid(officer)
    [reserve] = decisions_of(application)
    db.session.add(
        Decision(application_id=application.id, outcome=DecisionOutcome.FUND, feedback="A", replaces_id=reserve.id)
    )
    db.session.commit()
    db.session.add(
        Decision(application_id=application.id, outcome=DecisionOutcome.FUND, feedback="B", replaces_id=reserve.id)
    )
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
    else:
        raise AssertionError("a second decision replaced the same reserve decision")


def test_a_bid_not_yet_decided_cannot_be_funded_from_the_reserve_list():
    from tests.factories_assessment import moderated_bid

    officer = create_officer()
    application = moderated_bid(create_assessed_round(), officer, [create_reviewer()])
    try:
        decisions.fund_from_reserve(application, DecisionEntry(application.id, "fund", "x", None), officer)
    except DomainError as error:
        assert "has not been decided yet" in error.message
    else:
        raise AssertionError("an undecided bid was funded from the reserve list")


def test_reviewers_applicants_and_officers_without_the_permission_cannot_fund_from_the_reserve_list(client):
    officer = create_officer()
    reviewer = create_reviewer("Grace Mensah")
    application = reserve_bid(officer)
    applicant = application.organisation.memberships[0].user
    colleague = create_member(application.organisation)
    admin = create_user(full_name="Ada Admin", staff_role=StaffRole.ADMIN)

    for person in (reviewer, applicant, colleague, admin):
        client.sign_in(person)
        assert client.get(fund_url(application)).status_code == 403
        response = client.post(
            fund_url(application), data={"csrf_token": client.csrf_token(), "outcome": "fund", "feedback": "x"}
        )
        assert response.status_code == 403
        assert client.get(f"/staff/rounds/{application.round_id}/reserve-list").status_code == 403
    assert len(decisions_of(application)) == 1
