"""Moderation, decisions one at a time and in bulk, and the officers' list of bids."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Application, ApplicationStatus, AuditEvent, Decision, DecisionOutcome, Moderation
from tests.client import summary_errors
from tests.factories_assessment import (
    assign,
    bid_in_review,
    create_assessed_round,
    create_bid,
    create_officer,
    create_reviewer,
    moderated_bid,
    score,
)

S = ApplicationStatus


def status_of(application) -> ApplicationStatus:
    db.session.expire_all()
    return db.session.get(Application, application.id).status


def url(application, suffix: str = "") -> str:
    return f"/staff/rounds/{application.round_id}/applications/{application.id}{suffix}"


# Moderation -------------------------------------------------------------------------------------------------------


def test_an_officer_who_reviewed_a_bid_cannot_moderate_it(client):
    officer = create_officer()
    application = bid_in_review(create_assessed_round(), officer)
    score(assign(application, officer, officer), {"Need": 3, "Delivery": 3})
    score(assign(application, create_reviewer(), officer), {"Need": 4, "Delivery": 3})
    client.sign_in(officer)

    page = client.get_page(url(application, "/moderation"))
    assert "You were asked to review this bid, so you cannot moderate it" in page.get_text()
    assert page.find("input", attrs={"name": "agreed_score"}) is None

    page = client.post_form(
        url(application, "/moderation"), {"agreed_score": "60", "note": "Agreed"}, expected_status=200
    )
    assert summary_errors(page) == [
        "You were asked to review this bid, so you cannot moderate it. Ask another lead officer to moderate it."
    ]
    assert status_of(application) is S.IN_REVIEW


def test_moderation_waits_until_every_reviewer_has_finished(client):
    officer = create_officer()
    lead = create_officer("Priya Shah")
    application = bid_in_review(create_assessed_round(), officer)
    score(assign(application, create_reviewer(), officer), {"Need": 3, "Delivery": 3})
    score(assign(application, create_reviewer(), officer), {"Need": 3}, complete=False)
    assign(application, create_reviewer(), officer, declared=True)  # a conflicted reviewer does not count
    client.sign_in(lead)

    page = client.post_form(
        url(application, "/moderation"), {"agreed_score": "60", "note": "Agreed"}, expected_status=200
    )

    assert summary_errors(page) == ["Wait until every reviewer has finished: 1 review(s) still to complete."]
    assert status_of(application) is S.IN_REVIEW


def test_a_lead_officer_records_the_agreed_score_to_one_decimal_place(client):
    officer = create_officer()
    lead = create_officer("Priya Shah")
    application = bid_in_review(create_assessed_round(), officer)
    score(assign(application, create_reviewer(), officer), {"Need": 3, "Delivery": 3})
    client.sign_in(lead)

    page = client.post_form(
        url(application, "/moderation"), {"agreed_score": "61.25", "note": "Agreed"}, expected_status=200
    )
    assert summary_errors(page) == ["Enter the agreed score as a percentage from 0 to 100, like 73.5"]
    client.post_form(url(application, "/moderation"), {"agreed_score": "61.5%", "note": "Agreed at panel"})

    moderation = db.session.scalar(sa.select(Moderation))
    assert moderation.agreed_score_tenths == 615
    assert moderation.moderated_by_id == lead.id
    assert status_of(application) is S.MODERATED
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.after) == ("application.moderated", {"status": "moderated", "agreed_score": "61.5%"})


def test_the_officers_summary_flags_reviewers_who_disagree_in_words(client):
    officer = create_officer()
    application = bid_in_review(create_assessed_round(), officer)
    score(assign(application, create_reviewer("Grace Mensah"), officer), {"Need": 5, "Delivery": 5})
    score(assign(application, create_reviewer("Daniel Kowalski"), officer), {"Need": 1, "Delivery": 4})
    client.sign_in(officer)

    text = client.get_page(url(application, "/scores")).get_text(" ", strip=True)

    assert "100.0%" in text and "40.0%" in text and "70.0%" in text
    assert "Reviewers disagree on this bid" in text
    assert "60.0 percentage points apart, more than 20" in text
    assert "Scores for \u201cNeed\u201d range from 1 to 5 (a gap of 4 points)" in text


# Decisions in bulk ------------------------------------------------------------------------------------------------


def test_bulk_decisions_save_nothing_if_any_row_is_wrong_and_say_which(client, mailbox, run_jobs):
    officer = create_officer()
    round_ = create_assessed_round()
    reviewer = create_reviewer()
    first = moderated_bid(round_, officer, [reviewer], title="First")
    second = moderated_bid(round_, officer, [reviewer], title="Second")
    third = moderated_bid(round_, officer, [reviewer], title="Third")
    client.sign_in(officer)

    page = client.post_form(
        f"/staff/rounds/{round_.id}/decisions",
        {
            "selected": [first.id, second.id, third.id],
            f"outcome-{first.id}": "fund",
            f"feedback-{first.id}": "Well evidenced.",
            f"outcome-{second.id}": "fund_with_changes",
            f"feedback-{second.id}": "Good, with changes.",
            f"outcome-{third.id}": "",
            f"feedback-{third.id}": "",
        },
        expected_status=400,
    )
    run_jobs()

    assert summary_errors(page) == [
        f"{second.reference}: Set out the changes the applicant must make to be funded",
        f"{third.reference}: Select the outcome",
        f"{third.reference}: Write feedback for the applicant",
    ]
    assert page.find(id=f"feedback-{third.id}-error")
    assert page.find("textarea", id=f"feedback-{first.id}").get_text() == "Well evidenced."
    assert page.find("input", id=f"selected-{first.id}").has_attr("checked")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0
    assert {status_of(bid) for bid in (first, second, third)} == {S.MODERATED}
    assert mailbox.messages == []


def test_bulk_decisions_record_each_ticked_bid_and_email_each_applicant(client, mailbox, run_jobs):
    officer = create_officer()
    round_ = create_assessed_round()
    reviewer = create_reviewer()
    first = moderated_bid(round_, officer, [reviewer], title="First")
    second = moderated_bid(round_, officer, [reviewer], title="Second")
    untouched = moderated_bid(round_, officer, [reviewer], title="Untouched")
    client.sign_in(officer)

    client.post_form(
        f"/staff/rounds/{round_.id}/decisions",
        {
            "selected": [first.id, second.id],
            f"outcome-{first.id}": "reserve",
            f"feedback-{first.id}": "Strong but the budget ran out.",
            f"outcome-{second.id}": "decline",
            f"feedback-{second.id}": "The need was not evidenced.",
            f"feedback-{untouched.id}": "Not ticked, so not decided.",
        },
    )
    run_jobs()

    outcomes = {d.application_id: d.outcome for d in db.session.scalars(sa.select(Decision))}
    assert outcomes == {first.id: DecisionOutcome.RESERVE, second.id: DecisionOutcome.DECLINE}
    assert status_of(untouched) is S.MODERATED
    subjects = [m["Subject"] for m in mailbox.to("contact@example.org")]
    assert sorted(subjects) == sorted(f"Decision on your bid {b.reference}" for b in (first, second))


def test_bulk_decisions_can_give_every_ticked_bid_the_same_outcome(client):
    officer = create_officer()
    round_ = create_assessed_round()
    reviewer = create_reviewer()
    bids = [moderated_bid(round_, officer, [reviewer], title=t) for t in ("A", "B")]
    client.sign_in(officer)

    client.post_form(
        f"/staff/rounds/{round_.id}/decisions",
        {"selected": [b.id for b in bids], "same_outcome": "decline", **{f"feedback-{b.id}": "Sorry." for b in bids}},
    )

    assert {d.outcome for d in db.session.scalars(sa.select(Decision))} == {DecisionOutcome.DECLINE}


def test_bulk_decisions_need_at_least_one_ticked_bid(client):
    officer = create_officer()
    round_ = create_assessed_round()
    moderated_bid(round_, officer, [create_reviewer()])
    client.sign_in(officer)

    page = client.post_form(f"/staff/rounds/{round_.id}/decisions", {}, expected_status=400)

    assert summary_errors(page) == ["Select at least one bid to decide"]


# The officers' list of bids ---------------------------------------------------------------------------------------


def rows(page) -> list[str]:
    return [row.select("td")[2].get_text(strip=True) for row in page.select("tbody tr")]  # after select, reference


def test_the_list_shows_every_submitted_bid_but_no_drafts_and_filters_and_sorts(client):
    officer = create_officer()
    round_ = create_assessed_round()
    small = create_bid(round_, organisation_name="Brixton Small Group", amounts_pence=(5_000_00,))
    large = create_bid(round_, organisation_name="Acton Large Charity", amounts_pence=(90_000_00, 90_000_00))
    reviewed = bid_in_review(round_, officer, organisation_name="Camden Mentors")
    score(assign(reviewed, create_reviewer(), officer), {"Need": 5, "Delivery": 5})
    create_bid(round_, organisation_name="Draft Dalston", status=S.DRAFT)
    client.sign_in(officer)
    base = f"/staff/rounds/{round_.id}/applications"

    page = client.get_page(base)
    assert [r.split("Safer")[0] for r in rows(page)] == [
        "Brixton Small Group",
        "Acton Large Charity",
        "Camden Mentors",
    ]
    text = page.get_text(" ", strip=True)
    assert "Draft Dalston" not in text
    assert "Light" in text and "Full" in text
    assert "100.0% average of 1" in text
    assert "0 of 1 complete" not in text and "1 of 1 complete" in text

    by_organisation = client.get_page(f"{base}?sort=organisation")
    assert rows(by_organisation)[0].startswith("Acton")
    by_amount = client.get_page(f"{base}?sort=amount&order=desc")
    assert rows(by_amount)[0].startswith("Acton")
    by_score = client.get_page(f"{base}?sort=score&order=desc")
    assert rows(by_score)[0].startswith("Camden")
    in_review = client.get_page(f"{base}?status=in_review")
    assert [r.split("Safer")[0] for r in rows(in_review)] == ["Camden Mentors"]
    assert {small.id, large.id}  # both listed above


def test_the_list_is_paginated(client):
    from portal.assessment.queries import BIDS_PER_PAGE

    officer = create_officer()
    round_ = create_assessed_round()
    for number in range(BIDS_PER_PAGE + 2):
        create_bid(round_, organisation_name=f"Organisation {number:02d}")
    client.sign_in(officer)

    first = client.get_page(f"/staff/rounds/{round_.id}/applications")
    second = client.get_page(f"/staff/rounds/{round_.id}/applications?page=2")

    assert len(first.select("tbody tr")) == BIDS_PER_PAGE
    assert len(second.select("tbody tr")) == 2
    assert first.select_one(".govuk-pagination")


def test_the_rounds_list_counts_bids_by_status(client):
    officer = create_officer()
    round_ = create_assessed_round()
    create_bid(round_)
    create_bid(round_)
    bid_in_review(round_, officer)
    create_bid(round_, status=S.DRAFT)
    client.sign_in(officer)

    row = client.get_page("/staff/rounds").select_one("tbody tr")
    cells = [cell.get_text(strip=True) for cell in row.select("td")]

    # Round, closes, bids, then submitted, screening, in review, moderated, decided, withdrawn.
    assert cells[2:] == ["3", "2", "0", "1", "0", "0", "0"]
