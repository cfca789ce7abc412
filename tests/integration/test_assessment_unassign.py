"""Taking a reviewer off a bid: only before they finish, while the bid is in review; they lose sight of it at once."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import ApplicationStatus, AuditEvent, ReviewAssignment, Score
from tests.client import summary_errors
from tests.factories import create_member
from tests.factories_assessment import (
    assign,
    bid_in_review,
    create_assessed_round,
    create_officer,
    create_reviewer,
    moderated_bid,
    score,
)


def remove_url(assignment) -> str:
    application = assignment.application
    return f"/staff/rounds/{application.round_id}/applications/{application.id}/reviewers/{assignment.id}/remove"


def reviewers_url(application) -> str:
    return f"/staff/rounds/{application.round_id}/applications/{application.id}/reviewers"


def reloaded(assignment) -> ReviewAssignment:
    db.session.expire_all()
    return db.session.get(ReviewAssignment, assignment.id)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_an_officer_confirms_then_takes_a_reviewer_off_and_their_draft_scores_are_deleted(client, mailbox):
    officer = create_officer("Tom Brennan")
    grace = create_reviewer("Grace Mensah", "grace@example.org")
    daniel = create_reviewer("Daniel Kowalski")
    application = bid_in_review(create_assessed_round(), officer)
    draft = score(assign(application, grace, officer), {"Need": 4}, complete=False)
    score(assign(application, daniel, officer), {"Need": 3, "Delivery": 3})
    client.sign_in(officer)

    listing = client.get_page(reviewers_url(application))
    links = [a["href"] for a in listing.select("main table a")]
    assert links == [remove_url(draft)]  # Daniel has finished: no link for him
    confirm = client.get_page(remove_url(draft))
    text = confirm.select_one("main").get_text(" ", strip=True)
    assert "Take Grace Mensah off this bid" in text
    assert "1 of 2 criteria scored" in text
    assert reloaded(draft).removed_at is None  # the page only asks

    after = client.post_form(remove_url(draft), {}, follow=True, expected_status=200)

    assignment = reloaded(draft)
    assert assignment.removed_at is not None
    assert assignment.removed_by_id == officer.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score).where(Score.assignment_id == draft.id)) == 0
    table = after.select_one("main table").get_text(" ", strip=True)
    assert "Taken off the bid" in table and "by Tom Brennan" in table
    assert "Daniel Kowalski" in table
    assert "Grace Mensah is no longer reviewing this bid" in after.get_text()
    [event] = events("review.unassigned")
    assert event.actor_id == officer.id
    assert event.after["draft_scores_discarded"] == 1
    assert mailbox.last_to("grace@example.org")["Subject"].startswith("You are no longer reviewing")

    # Only Daniel's completed review counts now, so the bid can be moderated.
    client.sign_in(create_officer("Priya Shah"))
    moderation = client.get_page(f"/staff/rounds/{application.round_id}/applications/{application.id}/moderation")
    assert moderation.find("input", attrs={"name": "agreed_score"}) is not None


def test_a_removed_reviewer_gets_403_on_the_bid_its_files_and_their_scores_and_no_longer_lists_it(client):
    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    application = bid_in_review(create_assessed_round(), officer, title="Knife crime workshops")
    assignment = score(assign(application, grace, officer), {"Need": 2}, complete=False)
    client.sign_in(officer)
    client.post_form(remove_url(assignment), {})

    client.sign_in(grace)
    assert client.get(f"/staff/reviews/{assignment.id}").status_code == 403
    assert client.get(f"/staff/reviews/{assignment.id}/scores").status_code == 403
    assert client.get(f"/staff/reviews/{assignment.id}/files/1").status_code == 403
    need = next(c.id for c in application.round.criteria if c.name == "Need")
    response = client.post(
        f"/staff/reviews/{assignment.id}/scores",
        data={"csrf_token": client.csrf_token(), f"score_{need}": "5", f"justification_{need}": "Strong"},
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0
    assert "Knife crime workshops" not in client.get_page("/staff/reviews").select_one("main").get_text()


def test_a_removed_reviewer_is_not_given_the_bid_again_nor_counted_in_their_workload(client):
    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    application = bid_in_review(create_assessed_round(), officer)
    assignment = assign(application, grace, officer)
    client.sign_in(officer)
    client.post_form(remove_url(assignment), {})

    page = client.post_form(reviewers_url(application), {"reviewer_id": grace.id}, expected_status=200)
    assert summary_errors(page) == ["Grace Mensah was taken off this bid"]
    spread = client.get_page(f"/staff/rounds/{application.round_id}/reviewers/spread")
    assert "Grace Mensah (0 open review(s))" in spread.get_text()
    client.post_form(
        f"/staff/rounds/{application.round_id}/reviewers/spread",
        {"application_ids": [application.id], "reviewer_ids": [grace.id], "reviewers_per_bid": "1"},
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReviewAssignment)) == 1


def test_a_completed_review_cannot_be_taken_away(client):
    officer = create_officer()
    application = bid_in_review(create_assessed_round(), officer)
    done = score(assign(application, create_reviewer("Grace Mensah"), officer), {"Need": 4, "Delivery": 4})
    client.sign_in(officer)

    page = client.get_page(remove_url(done))
    assert "has completed their review" in page.select_one("main").get_text()
    assert page.select_one("main form[method=post]") is None
    refused = client.post_form(remove_url(done), {}, expected_status=400)

    assert summary_errors(refused) == [
        "Grace Mensah has completed their review, so it counts towards the bid's score and cannot be taken away"
    ]
    assert reloaded(done).removed_at is None
    assert not events("review.unassigned")


def test_a_reviewer_cannot_be_taken_off_a_bid_past_review_or_after_a_conflict_or_twice(client):
    officer = create_officer()
    round_ = create_assessed_round()
    moderated = moderated_bid(round_, officer, [])
    late = assign(moderated, create_reviewer("Late Reviewer"), officer, declared=False)
    in_review = bid_in_review(round_, officer)
    conflicted = assign(in_review, create_reviewer("Conrad Conflicted"), officer, declared=True)
    client.sign_in(officer)

    refused = client.post_form(remove_url(late), {}, expected_status=400)
    assert summary_errors(refused) == [
        "This bid is moderated: reviewers can be taken off a bid only while it is in review"
    ]
    refused = client.post_form(remove_url(conflicted), {}, expected_status=400)
    assert summary_errors(refused) == [
        "Conrad Conflicted declared a conflict of interest and already cannot see this bid"
    ]

    open_one = assign(in_review, create_reviewer("Grace Mensah"), officer)
    client.post_form(remove_url(open_one), {})
    again = client.post_form(remove_url(open_one), {}, expected_status=400)  # a double submit changes nothing
    assert summary_errors(again) == ["Grace Mensah has already been taken off this bid"]
    assert len(events("review.unassigned")) == 1
    assert moderated.status is ApplicationStatus.MODERATED


def test_only_officers_who_assign_reviewers_may_take_one_off(client):
    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    daniel = create_reviewer("Daniel Kowalski")
    application = bid_in_review(create_assessed_round(), officer)
    assignment = assign(application, grace, officer)
    assign(application, daniel, officer)
    applicant = application.organisation.memberships[0].user
    outsider = create_member(application.organisation)

    for person in (grace, daniel, applicant, outsider):
        client.sign_in(person)
        assert client.get(remove_url(assignment)).status_code == 403
        response = client.post(remove_url(assignment), data={"csrf_token": client.csrf_token()})
        assert response.status_code == 403
    assert reloaded(assignment).removed_at is None


def test_an_assignment_from_another_bid_is_not_found(client):
    officer = create_officer()
    round_ = create_assessed_round()
    first = bid_in_review(round_, officer)
    other = assign(bid_in_review(round_, officer), create_reviewer(), officer)
    client.sign_in(officer)

    url = f"/staff/rounds/{round_.id}/applications/{first.id}/reviewers/{other.id}/remove"
    assert client.get(url).status_code == 404


def test_a_reviewer_who_was_taken_off_while_scoring_cannot_then_save_or_complete(client):
    from portal.assessment import reviewers, reviews
    from portal.assessment.reviews import ScoreEntry
    from portal.errors import DomainError

    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    application = bid_in_review(create_assessed_round(), officer)
    assignment = assign(application, grace, officer, declared=False)
    need = next(c.id for c in application.round.criteria if c.name == "Need")
    reviewers.unassign(assignment, officer)

    try:
        reviews.save_scores(assignment, [ScoreEntry(need, 4, "Strong")], complete=True, actor=grace)
    except DomainError as error:
        assert error.message == "You are no longer reviewing this bid"
    else:
        raise AssertionError("a removed reviewer saved scores")
    assert reloaded(assignment).completed_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0
