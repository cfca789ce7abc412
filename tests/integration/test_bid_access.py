"""Who sees which bid: an organisation's own members, never another organisation, and never a reviewer's scores."""

from pathlib import Path

import pytest

from portal.extensions import db
from portal.models import ApplicationStatus, Moderation, ReviewAssignment, Score, StaffRole
from tests.bids import bidding_setup, start_bid
from tests.factories import create_member, create_organisation, create_user
from tests.factories_funding import create_application, create_criterion

BID_PAGES = [
    "",
    "/view",
    "/project",
    "/organisation-details",
    "/sections/1",
    "/check-your-answers",
    "/submitted",
    "/withdraw",
]


@pytest.mark.parametrize("path", BID_PAGES)
def test_a_member_of_another_organisation_cannot_find_the_bid(client, path):
    setup = bidding_setup()
    application = start_bid(client, setup)
    client.sign_in(create_member(create_organisation("St Giles Trust"), email="stgiles@example.org"))
    assert (
        client.get(f"/organisations/{application.organisation_id}/applications/{application.id}{path}").status_code
        == 404
    )


@pytest.mark.parametrize("path", ["/project", "/sections/1/autosave", "/submit", "/withdraw", "/organisation-details"])
def test_a_member_of_another_organisation_cannot_change_the_bid(client, path):
    setup = bidding_setup()
    application = start_bid(client, setup)
    client.sign_in(create_member(create_organisation("St Giles Trust"), email="stgiles@example.org"))
    response = client.post(
        f"/organisations/{application.organisation_id}/applications/{application.id}{path}",
        data={"csrf_token": client.csrf_token()},
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert application.status is ApplicationStatus.DRAFT


def test_another_organisations_list_of_bids_is_refused(client):
    setup = bidding_setup()
    client.sign_in(create_member(create_organisation("St Giles Trust"), email="stgiles@example.org"))
    assert client.get(f"/organisations/{setup.organisation.id}/applications").status_code == 403


def test_an_unknown_bid_is_not_found(client):
    setup = bidding_setup()
    client.sign_in(setup.owner)
    assert client.get(f"/organisations/{setup.organisation.id}/applications/999999").status_code == 404


def test_an_organisations_list_shows_its_own_bids_with_status_and_reference_and_no_one_elses(client):
    setup = bidding_setup()
    draft = start_bid(client, setup)
    submitted = create_application(
        setup.round, setup.organisation, status=ApplicationStatus.SUBMITTED, title="Street mentoring"
    )
    create_application(setup.round, create_organisation("St Giles Trust"), title="Not ours")
    page = client.get_page(f"/organisations/{setup.organisation.id}/applications")
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in page.select("tbody tr")]
    assert len(rows) == 2
    assert ["Untitled bid", "Safer Streets 2027", "None yet", "£0", "Draft"] in rows
    assert ["Street mentoring", "Safer Streets 2027", submitted.reference, "£20,000", "Submitted"] in rows
    links = {a.get_text(strip=True): a["href"] for a in page.select("tbody a")}
    assert links == {
        "Untitled bid": f"/organisations/{draft.organisation_id}/applications/{draft.id}",
        "Street mentoring": f"/organisations/{submitted.organisation_id}/applications/{submitted.id}/view",
    }
    assert "Not ours" not in page.get_text()


def test_an_organisation_with_no_bids_is_told_so(client):
    setup = bidding_setup()
    client.sign_in(setup.editor)
    page = client.get_page(f"/organisations/{setup.organisation.id}/applications")
    assert "Peckham Street Mentors CIC has not started any bids yet." in page.get_text()


def test_the_organisation_overview_links_to_its_bids(client):
    setup = bidding_setup()
    client.sign_in(setup.owner)
    page = client.get_page(f"/organisations/{setup.organisation.id}")
    link = page.find("a", href=f"/organisations/{setup.organisation.id}/applications")
    assert link is not None


def test_an_applicant_never_sees_reviewers_scores_or_moderation_notes(client):
    setup = bidding_setup()
    application = create_application(setup.round, setup.organisation, status=ApplicationStatus.IN_REVIEW)
    reviewer = create_user(staff_role=StaffRole.REVIEWER, full_name="Grace Mensah")
    criterion = create_criterion(setup.round, "Need")
    assignment = ReviewAssignment(application_id=application.id, reviewer_id=reviewer.id, has_conflict=False)
    assignment.scores.append(Score(criterion_id=criterion.id, score=2, justification="SECRET-JUSTIFICATION"))
    db.session.add_all(
        [assignment, Moderation(application_id=application.id, agreed_score_tenths=412, note="SECRET-NOTE")]
    )
    db.session.commit()
    client.sign_in(setup.owner)
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/view")
    text = page.get_text()
    for secret in ("SECRET-JUSTIFICATION", "SECRET-NOTE", "Grace Mensah", "41.2"):
        assert secret not in text
    assert "Being assessed" in page.select_one("main .govuk-tag").get_text()


def test_no_applicant_page_reads_the_assessment_models():
    root = Path(__file__).resolve().parents[2]
    templates = [t for t in (root / "templates" / "applications").glob("*.html") if t.name != "_decision.html"]
    sources = [*(root / "portal" / "applications").glob("*.py"), *templates]
    for source in sources:
        text = source.read_text(encoding="utf-8")
        assert "models.assessment" not in text, source
        for name in ("ReviewAssignment", "Score", "Moderation", "ScreeningCheck"):
            assert name not in text, f"{source} mentions {name}"


def test_a_decided_bids_page_shows_the_decision_in_its_own_block(client):
    from portal.models import Decision, DecisionOutcome

    setup = bidding_setup()
    application = create_application(setup.round, setup.organisation, status=ApplicationStatus.DECIDED)
    db.session.add(
        Decision(application_id=application.id, outcome=DecisionOutcome.DECLINE, feedback="Show the referral routes.")
    )
    db.session.commit()
    client.sign_in(setup.owner)
    page = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}/view")
    assert "The decision on your bid" in page.get_text()
    assert "Show the referral routes." in page.get_text()
    assert "Not funded" in page.select_one("main .govuk-tag").get_text()
