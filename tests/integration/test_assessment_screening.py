"""Screening, and the declared transitions that are the only way a bid's status moves."""

import pytest
import sqlalchemy as sa

from portal.errors import DomainError
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Decision,
    DecisionOutcome,
    ScreeningCheck,
    ScreeningCheckKind,
    ScreeningOutcome,
)
from portal.workflow import move_application
from tests.client import error_messages, summary_errors
from tests.factories_assessment import (
    bid_in_review,
    create_assessed_round,
    create_bid,
    create_officer,
    create_reviewer,
    record_all_checks,
)

S = ApplicationStatus


def status_of(application) -> ApplicationStatus:
    db.session.expire_all()
    return db.session.get(Application, application.id).status


def url(application, suffix: str = "") -> str:
    return f"/staff/rounds/{application.round_id}/applications/{application.id}{suffix}"


def flashed(client, response) -> str:
    return client.get_page(response.headers["Location"]).select_one("main").get_text(" ", strip=True)


def test_a_bid_passes_screening_only_when_every_check_is_recorded_and_none_failed(client):
    officer = create_officer()
    application = create_bid(create_assessed_round(), status=S.SCREENING)
    client.sign_in(officer)
    client.post_form(url(application, "/screening"), {"eligibility_outcome": "passed"})

    response = client.post_form(url(application, "/screening/pass"))

    assert "Still to record: charity or company registration seen, latest accounts seen" in flashed(client, response)
    assert status_of(application) is S.SCREENING

    client.post_form(
        url(application, "/screening"),
        {
            "registration_seen_outcome": "passed",
            "accounts_seen_outcome": "failed",
            "accounts_seen_note": "Accounts are two years overdue.",
            "safeguarding_policy_seen_outcome": "passed",
        },
    )
    response = client.post_form(url(application, "/screening/pass"))
    assert "A bid with a failed check cannot pass screening" in flashed(client, response)
    assert status_of(application) is S.SCREENING


def test_a_failed_check_needs_a_note_saying_why(client):
    officer = create_officer()
    application = create_bid(create_assessed_round(), status=S.SCREENING)
    client.sign_in(officer)

    page = client.post_form(url(application, "/screening"), {"eligibility_outcome": "failed"}, expected_status=400)

    assert error_messages(page) == {"eligibility_note": "Explain why \u201cEligibility confirmed\u201d failed"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScreeningCheck)) == 0


def test_saving_checks_again_keeps_who_recorded_the_unchanged_ones(client):
    officer = create_officer("Tom Brennan")
    colleague = create_officer("Priya Shah")
    application = create_bid(create_assessed_round(), status=S.SCREENING)
    client.sign_in(officer)
    client.post_form(
        url(application, "/screening"), {"eligibility_outcome": "passed", "accounts_seen_outcome": "passed"}
    )
    client.sign_in(colleague)

    client.post_form(
        url(application, "/screening"),
        {"eligibility_outcome": "passed", "accounts_seen_outcome": "not_applicable", "accounts_seen_note": "New CIC"},
    )

    checks = {c.kind: c for c in db.session.scalars(sa.select(ScreeningCheck))}
    assert checks[ScreeningCheckKind.ELIGIBILITY].recorded_by_id == officer.id
    assert checks[ScreeningCheckKind.ACCOUNTS_SEEN].recorded_by_id == colleague.id
    assert checks[ScreeningCheckKind.ACCOUNTS_SEEN].outcome is ScreeningOutcome.NOT_APPLICABLE


def test_screening_out_needs_feedback_then_declines_the_bid_and_tells_the_applicant(client, mailbox, run_jobs):
    officer = create_officer()
    application = create_bid(create_assessed_round(), status=S.SCREENING, owner_email="owner@example.org")
    client.sign_in(officer)

    page = client.post_form(url(application, "/screening/screen-out"), {"feedback": ""}, expected_status=200)
    assert summary_errors(page) == ["Write feedback for the applicant explaining why the bid was screened out"]
    assert status_of(application) is S.SCREENING

    client.post_form(url(application, "/screening/screen-out"), {"feedback": "The project is outside London."})
    run_jobs()

    assert status_of(application) is S.DECIDED
    decision = db.session.scalar(sa.select(Decision))
    assert decision.outcome is DecisionOutcome.DECLINE
    assert decision.decided_by_id == officer.id
    assert "The project is outside London." in mailbox.last_to("owner@example.org").get_content()
    assert "The project is outside London." in mailbox.last_to("contact@example.org").get_content()
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event.action == "application.screened_out"
    assert event.after["outcome"] == "decline"


# Declared transitions ---------------------------------------------------------------------------------------------


def test_the_declared_transitions_refuse_every_undeclared_move():
    officer = create_officer()
    round_ = create_assessed_round()
    application = create_bid(round_, status=S.SUBMITTED)
    for illegal in (S.IN_REVIEW, S.MODERATED, S.DECIDED, S.DRAFT):
        with pytest.raises(DomainError):
            move_application(application, illegal, actor=officer)
        assert application.status is S.SUBMITTED
    in_review = bid_in_review(round_, officer)
    for illegal in (S.DECIDED, S.SCREENING, S.SUBMITTED):
        with pytest.raises(DomainError):
            move_application(in_review, illegal, actor=officer)


def test_pages_refuse_to_skip_a_step(client):
    officer = create_officer()
    round_ = create_assessed_round()
    submitted = create_bid(round_, status=S.SUBMITTED)
    in_review = bid_in_review(round_, officer, reviewers=[create_reviewer()])
    client.sign_in(officer)

    # Passing screening before it has started.
    response = client.post_form(url(submitted, "/screening/pass"))
    assert "This bid is submitted, so its screening cannot be changed" in flashed(client, response)
    assert status_of(submitted) is S.SUBMITTED
    # Starting screening twice.
    client.post_form(url(submitted, "/screening/start"))
    response = client.post_form(url(submitted, "/screening/start"))
    assert "A bid that is screening cannot become screening" in flashed(client, response)
    # Deciding a bid that is still in review.
    page = client.post_form(url(in_review, "/decision"), {"outcome": "fund", "feedback": "Great"}, expected_status=200)
    assert "only a moderated bid can be decided" in summary_errors(page)[0]
    assert status_of(in_review) is S.IN_REVIEW
    # Screening out a bid that is in review.
    client.post_form(url(in_review, "/screening/screen-out"), {"feedback": "No"}, expected_status=200)
    assert status_of(in_review) is S.IN_REVIEW


def test_every_screening_step_writes_an_audit_event(client):
    officer = create_officer()
    application = create_bid(create_assessed_round(), status=S.SUBMITTED)
    client.sign_in(officer)
    client.post_form(url(application, "/screening/start"))
    record_all_checks(application, officer)
    client.post_form(url(application, "/screening/pass"))

    events = list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)))
    assert [(e.action, e.before, e.after, e.actor_id) for e in events] == [
        ("application.screening_started", {"status": "submitted"}, {"status": "screening"}, officer.id),
        ("application.review_started", {"status": "screening"}, {"status": "in_review"}, officer.id),
    ]


def test_drafts_and_other_rounds_bids_are_not_found(client):
    officer = create_officer()
    round_ = create_assessed_round()
    other_round = create_assessed_round("Another round")
    draft = create_bid(round_, status=S.DRAFT)
    submitted = create_bid(round_)
    client.sign_in(officer)

    assert client.get(url(draft)).status_code == 404
    assert client.get(f"/staff/rounds/{other_round.id}/applications/{submitted.id}").status_code == 404
    assert client.get(f"/staff/rounds/{round_.id + 999}/applications").status_code == 404


def test_passing_screening_leads_on_to_assigning_reviewers(client):
    officer = create_officer()
    application = create_bid(create_assessed_round(), status=S.SCREENING)
    record_all_checks(application, officer)
    client.sign_in(officer)
    response = client.post_form(url(application, "/screening/pass"))
    assert response.headers["Location"] == url(application, "/reviewers")
    assert "The bid passed screening and is ready for reviewers." in flashed(client, response)


def test_setting_up_the_award_goes_back_to_the_bid(client):
    officer = create_officer()
    application = create_bid(create_assessed_round(), status=S.SCREENING)
    client.sign_in(officer)
    page = client.get_page(f"/staff/awards/from-bid/{application.id}")
    assert page.select_one(".govuk-back-link")["href"] == url(application, "")
