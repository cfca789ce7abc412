"""Reviewers: conflicts of interest, reassignment, what a reviewer may see, scoring, and sharing bids out."""

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AuditEvent, ReviewAssignment, Score
from tests.client import error_messages, summary_errors
from tests.factories_assessment import (
    assign,
    bid_in_review,
    create_assessed_round,
    create_officer,
    create_reviewer,
    score,
)


def assignments_for(application) -> list[ReviewAssignment]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(ReviewAssignment)
            .where(ReviewAssignment.application_id == application.id)
            .order_by(ReviewAssignment.id)
        )
    )


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def criterion_id(round_, name: str) -> int:
    return next(c.id for c in round_.criteria if c.name == name)


# Conflicts of interest --------------------------------------------------------------------------------------------


def test_a_reviewer_sees_only_the_organisation_and_title_until_they_declare(client):
    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    application = bid_in_review(create_assessed_round(), officer, title="Knife crime workshops")
    assignment = assign(application, grace, officer)
    client.sign_in(grace)

    page = client.get_page(f"/staff/reviews/{assignment.id}")

    text = page.select_one("main").get_text()
    assert "Knife crime workshops" in text
    assert application.organisation.name in text
    assert "Mentoring for 11 to 16 year olds" not in text
    assert "£" not in text
    assert page.find("input", attrs={"name": "has_conflict"})
    # Nor can they skip the declaration by going straight to the scores.
    response = client.get(f"/staff/reviews/{assignment.id}/scores")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/reviews/{assignment.id}")


def test_a_declaration_of_conflict_needs_a_description(client):
    officer = create_officer()
    grace = create_reviewer()
    assignment = assign(bid_in_review(create_assessed_round(), officer), grace, officer)
    client.sign_in(grace)

    page = client.post_form(f"/staff/reviews/{assignment.id}", {"has_conflict": "yes"}, expected_status=200)

    assert error_messages(page) == {"conflict_note": "Describe your conflict of interest"}
    assert assignments_for(assignment.application)[0].has_conflict is None


def test_a_conflicted_reviewer_can_never_open_or_score_the_bid_and_it_is_reassigned_to_the_least_loaded(
    client, mailbox, run_jobs
):
    officer = create_officer("Tom Brennan", "officer@example.org")
    grace = create_reviewer("Grace Mensah", "grace@example.org")
    busy = create_reviewer("Busy Reviewer", "busy@example.org")
    free = create_reviewer("Free Reviewer", "free@example.org")
    round_ = create_assessed_round()
    assign(bid_in_review(round_, officer), busy, officer)  # Busy already has one open review
    application = bid_in_review(round_, officer)
    assignment = assign(application, grace, officer)
    client.sign_in(grace)

    client.post_form(
        f"/staff/reviews/{assignment.id}", {"has_conflict": "yes", "conflict_note": "My sister chairs the trustees."}
    )
    run_jobs()

    need = criterion_id(round_, "Need")
    assert client.get(f"/staff/reviews/{assignment.id}").status_code == 403
    assert client.get(f"/staff/reviews/{assignment.id}/scores").status_code == 403
    response = client.post(
        f"/staff/reviews/{assignment.id}/scores",
        data={"csrf_token": client.csrf_token(), f"score_{need}": "5", f"justification_{need}": "x", "complete": "1"},
    )
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0
    reviews_page = client.get_page("/staff/reviews")
    assert application.project_title not in reviews_page.select_one("main").get_text()
    assert "You declared a conflict of interest on 1 bid(s)" in reviews_page.get_text()

    grace_assignment, replacement = assignments_for(application)
    assert grace_assignment.has_conflict is True
    assert grace_assignment.conflict_note == "My sister chairs the trustees."
    assert replacement.reviewer_id == free.id
    assert replacement.has_conflict is None
    assert not grace_assignment.replacement_needed
    assert actions()[-2:] == ["review.conflict_declared", "review.reassigned"]
    officer_email = mailbox.last_to("officer@example.org")
    assert officer_email["Subject"] == f"Conflict of interest declared on {application.reference}"
    assert "given to Free Reviewer" in officer_email.get_content()
    assert mailbox.last_to("free@example.org")["Subject"].startswith("A bid to review")


def test_a_conflict_with_nobody_free_to_replace_them_is_flagged_on_the_officers_list_until_someone_is_assigned(
    client,
):
    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    round_ = create_assessed_round()
    application = bid_in_review(round_, officer)
    assignment = assign(application, grace, officer)
    assign(application, officer, officer)  # the only other reviewer is already on the bid
    client.sign_in(grace)
    client.post_form(f"/staff/reviews/{assignment.id}", {"has_conflict": "yes", "conflict_note": "I volunteer there."})

    assert assignments_for(application)[0].replacement_needed is True
    assert actions()[-1] == "review.replacement_needed"
    client.sign_in(officer)
    bids_page = client.get_page(f"/staff/rounds/{round_.id}/applications").get_text()
    assert "Needs another reviewer (conflict declared)" in bids_page

    daniel = create_reviewer("Daniel Kowalski")
    client.post_form(f"/staff/rounds/{round_.id}/applications/{application.id}/reviewers", {"reviewer_id": daniel.id})

    assert assignments_for(application)[0].replacement_needed is False
    assert "Needs another reviewer" not in client.get_page(f"/staff/rounds/{round_.id}/applications").get_text()


def test_an_officer_cannot_give_a_bid_back_to_a_reviewer_who_declared_a_conflict(client):
    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    application = bid_in_review(create_assessed_round(), officer)
    assign(application, grace, officer, declared=True)
    client.sign_in(officer)

    page = client.post_form(
        f"/staff/rounds/{application.round_id}/applications/{application.id}/reviewers",
        {"reviewer_id": grace.id},
        expected_status=200,
    )

    assert summary_errors(page) == ["Grace Mensah has declared a conflict of interest on this bid"]
    assert len(assignments_for(application)) == 1


def test_a_reviewer_who_is_a_member_of_the_bidding_organisation_cannot_be_assigned(client):
    from portal.models import Membership, MembershipRole

    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    application = bid_in_review(create_assessed_round(), officer)
    db.session.add(Membership(user=grace, organisation=application.organisation, role=MembershipRole.EDITOR))
    db.session.commit()
    client.sign_in(officer)

    page = client.post_form(
        f"/staff/rounds/{application.round_id}/applications/{application.id}/reviewers",
        {"reviewer_id": grace.id},
        expected_status=200,
    )

    assert summary_errors(page) == [f"Grace Mensah is a member of {application.organisation.name}"]


# What a reviewer may see ------------------------------------------------------------------------------------------


def test_a_reviewer_sees_the_answers_and_their_own_scores_but_never_another_reviewers(client):
    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    daniel = create_reviewer("Daniel Kowalski")
    application = bid_in_review(create_assessed_round(), officer)
    mine = score(assign(application, grace, officer), {"Need": 4}, complete=False, note="Grace thinks")
    score(assign(application, daniel, officer), {"Need": 1, "Delivery": 1}, note="Daniel secretly thinks")
    client.sign_in(grace)

    page = client.get_page(f"/staff/reviews/{mine.id}").select_one("main").get_text()

    assert "Mentoring for 11 to 16 year olds" in page
    assert "Safeguarding" in page  # answers are grouped by section
    assert "Grace thinks" in page
    assert "Daniel" not in page
    assert "1 of 5" not in page
    score_page = client.get_page(f"/staff/reviews/{mine.id}/scores").get_text()
    assert "Daniel" not in score_page


def test_a_reviewer_cannot_open_a_bid_assigned_to_someone_else_nor_any_officer_page(client):
    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    daniel = create_reviewer("Daniel Kowalski")
    round_ = create_assessed_round()
    application = bid_in_review(round_, officer)
    assign(application, grace, officer, declared=False)
    daniels = assign(application, daniel, officer, declared=False)
    client.sign_in(grace)

    assert client.get(f"/staff/reviews/{daniels.id}").status_code == 403
    assert client.get(f"/staff/reviews/{daniels.id}/scores").status_code == 403
    base = f"/staff/rounds/{round_.id}/applications/{application.id}"
    for url in (
        "/staff/rounds",
        f"/staff/rounds/{round_.id}/applications",
        base,
        f"{base}/answers",
        f"{base}/scores",
        f"{base}/reviewers",
        f"{base}/moderation",
        f"{base}/decision",
        f"/staff/rounds/{round_.id}/decisions",
        "/staff/awards/",
    ):
        assert client.get(url).status_code == 403, url


def test_an_officer_who_is_also_a_reviewer_sees_only_their_own_assignments(client):
    officer = create_officer()
    other = create_officer("Priya Shah")
    application = bid_in_review(create_assessed_round(), officer)
    theirs = assign(application, other, officer, declared=False)
    client.sign_in(officer)

    assert client.get(f"/staff/reviews/{theirs.id}").status_code == 403
    assert "You have no bids to review" in client.get_page("/staff/reviews").get_text()


# Scoring ----------------------------------------------------------------------------------------------------------


def test_scores_need_a_justification_and_a_score_within_range(client):
    officer = create_officer()
    grace = create_reviewer()
    round_ = create_assessed_round()
    assignment = assign(bid_in_review(round_, officer), grace, officer, declared=False)
    need, delivery = criterion_id(round_, "Need"), criterion_id(round_, "Delivery")
    client.sign_in(grace)

    page = client.post_form(
        f"/staff/reviews/{assignment.id}/scores",
        {f"score_{need}": "7", f"score_{delivery}": "3", f"justification_{need}": "Great", "save": "1"},
        expected_status=200,
    )

    assert error_messages(page) == {
        f"score_{need}": "The score for \u201cNeed\u201d must be from 0 to 5",
        f"justification_{delivery}": "Explain your score for \u201cDelivery\u201d",
    }
    assert page.find("input", attrs={"name": f"score_{need}"})["value"] == "7"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Score)) == 0


def test_a_review_can_be_saved_part_done_but_is_complete_only_with_every_criterion_scored(client):
    officer = create_officer()
    grace = create_reviewer()
    round_ = create_assessed_round()
    assignment = assign(bid_in_review(round_, officer), grace, officer, declared=False)
    need, delivery = criterion_id(round_, "Need"), criterion_id(round_, "Delivery")
    client.sign_in(grace)
    client.post_form(
        f"/staff/reviews/{assignment.id}/scores", {f"score_{need}": "4", f"justification_{need}": "Clear", "save": "1"}
    )

    page = client.post_form(
        f"/staff/reviews/{assignment.id}/scores",
        {f"score_{need}": "4", f"justification_{need}": "Clear", "complete": "1"},
        expected_status=200,
    )

    assert summary_errors(page) == ["Give a score for \u201cDelivery\u201d"]
    assert assignments_for(assignment.application)[0].completed_at is None
    client.post_form(
        f"/staff/reviews/{assignment.id}/scores",
        {
            f"score_{need}": "4",
            f"justification_{need}": "Clear",
            f"score_{delivery}": "0",
            f"justification_{delivery}": "No plan at all",
            "complete": "1",
        },
    )
    completed = assignments_for(assignment.application)[0]
    assert completed.completed_at is not None
    assert {s.score for s in completed.scores} == {4, 0}
    # Once complete, the scores are closed.
    response = client.get(f"/staff/reviews/{assignment.id}/scores")
    assert response.status_code == 302


# Sharing bids out -------------------------------------------------------------------------------------------------


def test_spreading_by_workload_gives_bids_to_the_least_loaded_never_twice_and_never_to_the_conflicted(client):
    officer = create_officer()
    round_ = create_assessed_round()
    ann, ben, cat = create_reviewer("Ann"), create_reviewer("Ben"), create_reviewer("Cat")
    elsewhere = create_assessed_round("Another round")
    other_first, other_second = bid_in_review(elsewhere, officer), bid_in_review(elsewhere, officer)
    # Ann has two open reviews elsewhere, Ben one, Cat none.
    assign(other_first, ann, officer)
    assign(other_second, ann, officer)
    assign(other_first, ben, officer)
    first = bid_in_review(round_, officer, title="First")
    second = bid_in_review(round_, officer, title="Second")
    assign(second, cat, officer, declared=True)  # Cat declared a conflict on the second bid
    client.sign_in(officer)

    client.post_form(
        f"/staff/rounds/{round_.id}/reviewers/spread",
        {"application_ids": [first.id, second.id], "reviewer_ids": [ann.id, ben.id, cat.id], "reviewers_per_bid": "2"},
    )

    first_reviewers = [a.reviewer.full_name for a in assignments_for(first)]
    second_reviewers = [a.reviewer.full_name for a in assignments_for(second) if not a.has_conflict]
    assert first_reviewers == ["Cat", "Ben"]
    # Ben now has two, like Ann; Cat is conflicted. Ann comes before Ben by name.
    assert second_reviewers == ["Ann", "Ben"]


def test_spreading_refuses_more_reviewers_per_bid_than_were_chosen(client):
    officer = create_officer()
    round_ = create_assessed_round()
    application = bid_in_review(round_, officer)
    ann = create_reviewer("Ann")
    client.sign_in(officer)

    page = client.post_form(
        f"/staff/rounds/{round_.id}/reviewers/spread",
        {"application_ids": [application.id], "reviewer_ids": [ann.id], "reviewers_per_bid": "2"},
        expected_status=200,
    )

    assert summary_errors(page) == ["Each bid cannot have 2 reviewers when you have chosen 1. Choose more reviewers"]
    assert assignments_for(application) == []


def test_one_reviewer_can_be_given_several_bids_at_once_leaving_those_they_already_have(client, mailbox, run_jobs):
    officer = create_officer()
    round_ = create_assessed_round()
    grace = create_reviewer("Grace Mensah", "grace@example.org")
    first, second, third = (bid_in_review(round_, officer, title=t) for t in ("First", "Second", "Third"))
    assign(second, grace, officer)
    client.sign_in(officer)

    response = client.post_form(
        f"/staff/rounds/{round_.id}/reviewers",
        {"application_ids": [first.id, second.id, third.id], "reviewer_id": grace.id},
    )
    run_jobs()

    assert all(len(assignments_for(bid)) == 1 for bid in (first, second, third))
    assert len(mailbox.to("grace@example.org")) == 2
    page = client.get_page(response.headers["Location"]).get_text()
    assert "2 bid(s) assigned." in page
    assert f"Left alone because the reviewer already has them or declared a conflict: {second.reference}" in page


def test_giving_bids_in_bulk_needs_bids_and_a_reviewer(client):
    officer = create_officer()
    round_ = create_assessed_round()
    bid_in_review(round_, officer)
    client.sign_in(officer)

    page = client.post_form(f"/staff/rounds/{round_.id}/reviewers", {}, expected_status=400)

    assert summary_errors(page) == ["Select a reviewer"]


def test_bids_not_yet_screened_cannot_be_given_to_reviewers(client):
    from portal.models import ApplicationStatus
    from tests.factories_assessment import create_bid

    officer = create_officer()
    round_ = create_assessed_round()
    application = create_bid(round_, status=ApplicationStatus.SUBMITTED)
    grace = create_reviewer()
    client.sign_in(officer)

    page = client.post_form(
        f"/staff/rounds/{round_.id}/reviewers",
        {"application_ids": [application.id], "reviewer_id": grace.id},
        expected_status=400,
    )

    assert summary_errors(page)[0].startswith("Reviewers can be assigned only to bids that have passed screening")
    assert assignments_for(application) == []


def test_a_draft_bid_sent_with_the_bids_to_give_out_is_named_and_refused(client):
    """A draft has no reference yet: the refusal names it by number instead of failing."""
    from portal.models import ApplicationStatus
    from tests.factories_assessment import create_bid

    officer = create_officer()
    round_ = create_assessed_round()
    ready = bid_in_review(round_, officer)
    draft = create_bid(round_, status=ApplicationStatus.DRAFT)
    grace = create_reviewer()
    client.sign_in(officer)

    page = client.post_form(
        f"/staff/rounds/{round_.id}/reviewers",
        {"application_ids": [ready.id, draft.id], "reviewer_id": grace.id},
        expected_status=400,
    )

    message = summary_errors(page)[0]
    assert message.startswith("Reviewers can be assigned only to bids that have passed screening")
    assert f"a draft (number {draft.id})" in message
    assert assignments_for(ready) == []


def test_an_assignment_belongs_to_its_organisation_only_through_the_bid(client):
    """A member of the bidding organisation cannot reach reviewer pages at all."""
    officer = create_officer()
    application = bid_in_review(create_assessed_round(), officer)
    assignment = assign(application, create_reviewer(), officer, declared=False)
    owner = application.organisation.memberships[0].user
    client.sign_in(owner)
    assert client.get(f"/staff/reviews/{assignment.id}").status_code == 403
    assert client.get("/staff/reviews").status_code == 403


# Uploaded files ---------------------------------------------------------------------------------------------------


def bid_with_a_file(officer):
    from portal.models import Answer, QuestionKind, UploadedFile
    from tests.factories_funding import create_question

    round_ = create_assessed_round()
    question = create_question(round_, "Upload your latest accounts", kind=QuestionKind.FILE, section="Your money")
    application = bid_in_review(round_, officer)
    stored = UploadedFile(
        application_id=application.id,
        question_id=question.id,
        filename="accounts-2026.pdf",
        content_type="application/pdf",
        size_bytes=9,
        content=b"%PDF-1.4\n",
    )
    db.session.add(stored)
    db.session.flush()
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.application_id == application.id, Answer.question_id == question.id)
    )
    answer.value = {"file_id": stored.id, "filename": stored.filename}
    db.session.commit()
    return application, stored


def test_a_reviewer_can_download_the_bids_files_only_after_declaring_no_conflict(client):
    officer = create_officer()
    grace = create_reviewer("Grace Mensah")
    application, stored = bid_with_a_file(officer)
    assignment = assign(application, grace, officer)
    client.sign_in(grace)
    url = f"/staff/reviews/{assignment.id}/files/{stored.id}"

    assert client.get(url).status_code == 403
    client.post_form(f"/staff/reviews/{assignment.id}", {"has_conflict": "no"})
    page = client.get_page(f"/staff/reviews/{assignment.id}")
    assert page.find("a", string="accounts-2026.pdf")["href"] == url
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == b"%PDF-1.4\n"
    assert "attachment" in response.headers["Content-Disposition"]

    _, other_file = bid_with_a_file(officer)
    assert client.get(f"/staff/reviews/{assignment.id}/files/{other_file.id}").status_code == 404
    client.sign_in(create_reviewer("Daniel Kowalski"))
    assert client.get(url).status_code == 403


def test_officers_can_download_a_bids_files_from_its_answers(client):
    officer = create_officer()
    application, stored = bid_with_a_file(officer)
    client.sign_in(officer)
    base = f"/staff/rounds/{application.round_id}/applications/{application.id}"

    link = client.get_page(f"{base}/answers").find("a", string="accounts-2026.pdf")

    assert link["href"] == f"{base}/files/{stored.id}"
    assert client.get(link["href"]).data == b"%PDF-1.4\n"
