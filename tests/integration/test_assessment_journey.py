"""The whole officer journey through the pages: screen, assign, declare, score, summarise, moderate, decide, make
the award and give it a second approval, with an audit event at every step."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationStatus,
    AuditEvent,
    Award,
    AwardStatus,
    Decision,
    DecisionOutcome,
    ReviewAssignment,
    ScreeningCheckKind,
)
from tests.client import summary_errors
from tests.factories_assessment import (
    create_assessed_round,
    create_bid,
    create_officer,
    create_reviewer,
    form_as_shown,
)


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def reload(application: Application) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application.id)


def criteria_ids(round_) -> dict[str, int]:
    return {c.name: c.id for c in round_.criteria}


def test_an_officer_takes_a_bid_from_submission_to_an_approved_award(client, mailbox, run_jobs):
    officer = create_officer("Tom Brennan", "officer@example.org")
    lead = create_officer("Priya Shah", "lead@example.org")
    grace = create_reviewer("Grace Mensah", "grace@example.org")
    daniel = create_reviewer("Daniel Kowalski", "daniel@example.org")
    round_ = create_assessed_round()
    application = create_bid(
        round_,
        organisation_name="Peckham Street Mentors CIC",
        amounts_pence=(60_000_00, 60_000_00),
        owner_email="owner@peckham.example.org",
    )
    ids = criteria_ids(round_)
    bid_url = f"/staff/rounds/{round_.id}/applications/{application.id}"

    # The officer finds the round and the bid.
    client.sign_in(officer)
    rounds_page = client.get_page("/staff/rounds")
    assert rounds_page.find("a", string=round_.title)
    bids_page = client.get_page(f"/staff/rounds/{round_.id}/applications")
    assert bids_page.find("a", string=application.reference)
    assert "Peckham Street Mentors CIC" in bids_page.get_text()

    # Screening.
    client.post_form(f"{bid_url}/screening/start")
    assert reload(application).status is ApplicationStatus.SCREENING
    checks = {f"{kind.value}_outcome": "passed" for kind in ScreeningCheckKind}
    checks["accounts_seen_outcome"] = "not_applicable"
    checks["accounts_seen_note"] = "A new CIC: no accounts filed yet."
    client.post_form(f"{bid_url}/screening", checks)
    screening_page = client.get_page(f"{bid_url}/screening")
    assert "Tom Brennan" in screening_page.get_text()
    assert "A new CIC: no accounts filed yet." in screening_page.get_text()
    client.post_form(f"{bid_url}/screening/pass")
    assert reload(application).status is ApplicationStatus.IN_REVIEW

    # Two reviewers, one at a time.
    client.post_form(f"{bid_url}/reviewers", {"reviewer_id": grace.id})
    client.post_form(f"{bid_url}/reviewers", {"reviewer_id": daniel.id})
    run_jobs()
    assert "A bid to review" in mailbox.last_to("grace@example.org")["Subject"]
    assignments = {
        a.reviewer_id: a for a in db.session.scalars(sa.select(ReviewAssignment).order_by(ReviewAssignment.id))
    }

    # Each reviewer declares no conflict, reads the bid and scores it.
    for reviewer, need, delivery in ((grace, 4, 3), (daniel, 5, 4)):
        assignment = assignments[reviewer.id]
        client.sign_in(reviewer)
        assert client.get_page("/staff/reviews").find("a", href=f"/staff/reviews/{assignment.id}")
        declaration = client.get_page(f"/staff/reviews/{assignment.id}")
        assert "Mentoring for 11 to 16 year olds" not in declaration.get_text()
        client.post_form(f"/staff/reviews/{assignment.id}", {"has_conflict": "no"})
        bid_page = client.get_page(f"/staff/reviews/{assignment.id}")
        assert "Mentoring for 11 to 16 year olds" in bid_page.get_text()
        client.post_form(
            f"/staff/reviews/{assignment.id}/scores",
            {f"score_{ids['Need']}": need, f"justification_{ids['Need']}": "Clear local need.", "save": "1"},
        )
        client.post_form(
            f"/staff/reviews/{assignment.id}/scores",
            {
                f"score_{ids['Need']}": need,
                f"justification_{ids['Need']}": "Clear local need.",
                f"score_{ids['Delivery']}": delivery,
                f"justification_{ids['Delivery']}": "A credible plan.",
                "complete": "1",
            },
        )

    # The summary of scores: 73.3% and 93.3%, average 83.3%, spread 20.0 points.
    client.sign_in(officer)
    scores_page = client.get_page(f"{bid_url}/scores").get_text()
    for shown in ("73.3%", "93.3%", "83.3%", "20.0 percentage points"):
        assert shown in scores_page

    # A lead officer who did not review moderates.
    client.sign_in(lead)
    moderation_page = client.get_page(f"{bid_url}/moderation")
    assert moderation_page.find("input", attrs={"name": "agreed_score"})["value"] == "83.3"
    client.post_form(f"{bid_url}/moderation", {"agreed_score": "82.5", "note": "Agreed at panel."})
    assert reload(application).status is ApplicationStatus.MODERATED

    # The decision, with feedback, emailed to the contact and the owner.
    client.post_form(f"{bid_url}/decision", {"outcome": "fund", "feedback": "A strong, well-evidenced bid."})
    run_jobs()
    assert reload(application).status is ApplicationStatus.DECIDED
    for address in ("contact@example.org", "owner@peckham.example.org"):
        email = mailbox.last_to(address)
        assert email["Subject"] == f"Decision on your bid {application.reference}"
        assert "A strong, well-evidenced bid." in email.get_content()
        assert "82.5" not in email.get_content()

    # The award, prefilled from the bid: £120,000 needs a second approver.
    client.sign_in(officer)
    award_page = client.get_page(f"/staff/awards/from-bid/{application.id}")
    assert award_page.find("input", attrs={"name": "amount_2027"})["value"] == "60000"
    assert award_page.find("input", attrs={"id": "end_date-year"})["value"] == "2029"
    client.post_form(f"/staff/awards/from-bid/{application.id}", form_as_shown(award_page))
    award = db.session.scalar(sa.select(Award))
    assert award.status is AwardStatus.AWAITING_SECOND_APPROVAL
    assert award.total_pence == 120_000_00
    assert award.approved_by_id == officer.id

    # The same officer cannot give the second approval; another can.
    client.post_form(f"/staff/awards/{award.id}/second-approval")
    db.session.expire_all()
    assert db.session.get(Award, award.id).status is AwardStatus.AWAITING_SECOND_APPROVAL
    client.sign_in(lead)
    client.post_form(f"/staff/awards/{award.id}/second-approval")
    db.session.expire_all()
    award = db.session.get(Award, award.id)
    assert award.status is AwardStatus.APPROVED
    assert award.second_approved_by_id == lead.id

    run_jobs()
    assert audit_actions() == [
        "application.screening_started",
        "screening.checks_recorded",
        "application.review_started",
        "review.assigned",
        "review.assigned",
        "review.no_conflict_declared",
        "review.scores_saved",
        "review.scores_saved",
        "review.completed",
        "review.no_conflict_declared",
        "review.scores_saved",
        "review.scores_saved",
        "review.completed",
        "application.moderated",
        "application.decided",
        "award.created",
        "award.approved",
        "award.second_approved",
        "award.returns_scheduled",
        "follow_up.scheduled",  # 6 and 12 months after the award ends
        "follow_up.scheduled",
    ]


def test_a_decision_needs_written_feedback(client):
    from tests.factories_assessment import moderated_bid

    officer = create_officer()
    round_ = create_assessed_round()
    application = moderated_bid(round_, officer, [create_reviewer()])
    client.sign_in(officer)
    page = client.post_form(
        f"/staff/rounds/{round_.id}/applications/{application.id}/decision",
        {"outcome": "decline", "feedback": "  "},
        expected_status=200,
    )
    assert summary_errors(page) == ["Write feedback for the applicant"]
    assert reload(application).status is ApplicationStatus.MODERATED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0


def test_funding_with_changes_needs_the_changes_written_down(client):
    from tests.factories_assessment import moderated_bid

    officer = create_officer()
    round_ = create_assessed_round()
    application = moderated_bid(round_, officer, [create_reviewer()])
    client.sign_in(officer)
    page = client.post_form(
        f"/staff/rounds/{round_.id}/applications/{application.id}/decision",
        {"outcome": "fund_with_changes", "feedback": "Good bid."},
        expected_status=200,
    )
    assert summary_errors(page) == ["Set out the changes the applicant must make to be funded"]
    client.post_form(
        f"/staff/rounds/{round_.id}/applications/{application.id}/decision",
        {"outcome": "fund_with_changes", "feedback": "Good bid.", "conditions": "Name a safeguarding lead."},
    )
    decision = db.session.scalar(sa.select(Decision))
    assert decision.outcome is DecisionOutcome.FUND_WITH_CHANGES
    assert decision.conditions == "Name a safeguarding lead."


def test_every_problem_with_a_decision_is_shown_at_once(client):
    from tests.factories_assessment import moderated_bid

    officer = create_officer()
    round_ = create_assessed_round()
    application = moderated_bid(round_, officer, [create_reviewer()])
    client.sign_in(officer)

    page = client.post_form(
        f"/staff/rounds/{round_.id}/applications/{application.id}/decision",
        {"outcome": "fund_with_changes"},
        expected_status=200,
    )

    assert summary_errors(page) == [
        "Set out the changes the applicant must make to be funded",
        "Write feedback for the applicant",
    ]
    assert page.find("input", attrs={"value": "fund_with_changes"}).has_attr("checked")
