"""Starting a bid: sign-in, choosing the organisation, the round's window, the eligibility check and "tell us once"."""

from datetime import timedelta

import sqlalchemy as sa

from portal.database import utcnow
from portal.extensions import db
from portal.models import Answer, Application, ApplicationStatus, Membership, MembershipRole, QuestionKind
from tests.bids import bidding_setup, start_bid
from tests.client import summary_errors
from tests.factories import create_member, create_organisation, create_user, local_authority
from tests.factories_funding import create_application, create_question, create_round


def count_bids() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Application))


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_to_the_round(client):
    setup = bidding_setup()
    response = client.get(f"/funding/{setup.round.id}/apply")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next=%2Ffunding%2F{setup.round.id}%2Fapply"


def test_someone_who_has_not_confirmed_their_email_cannot_start_a_bid(client):
    setup = bidding_setup()
    unconfirmed = create_member(setup.organisation, confirmed=False)
    client.sign_in(unconfirmed)
    assert client.get(f"/funding/{setup.round.id}/apply").status_code == 403


def test_a_member_of_one_organisation_goes_straight_to_the_eligibility_questions(client):
    setup = bidding_setup()
    client.sign_in(setup.owner)
    response = client.get(f"/funding/{setup.round.id}/apply")
    assert response.headers["Location"] == f"/funding/{setup.round.id}/apply/{setup.organisation.id}"
    page = client.get_page(response.headers["Location"])
    assert page.h1.get_text(strip=True) == "Check you can apply"
    assert "Is your organisation based in London?" in page.get_text()


def test_a_member_of_several_organisations_chooses_which_one_is_bidding(client):
    setup = bidding_setup()
    other = create_organisation("Croydon Women's Refuge CIO", boroughs=("Croydon",))
    db.session.add(Membership(user=setup.owner, organisation=other, role=MembershipRole.EDITOR))
    db.session.commit()
    client.sign_in(setup.owner)

    page = client.get_page(f"/funding/{setup.round.id}/apply")
    labels = [label.get_text(strip=True) for label in page.select(".govuk-radios__label")]
    assert labels == ["Croydon Women's Refuge CIO", "Peckham Street Mentors CIC"]
    refused = client.post_form(f"/funding/{setup.round.id}/apply", {}, expected_status=200)
    assert summary_errors(refused) == ["Select the organisation that is bidding"]

    response = client.post_form(f"/funding/{setup.round.id}/apply", {"organisation_id": other.id})
    assert response.headers["Location"] == f"/funding/{setup.round.id}/apply/{other.id}"


def test_a_round_not_yet_open_says_when_it_opens_and_starts_nothing(client):
    setup = bidding_setup(opens_at=utcnow() + timedelta(days=3))
    client.sign_in(setup.owner)
    page = client.get_page(f"/funding/{setup.round.id}/apply")
    assert "This round is not open yet. It opens on" in page.select_one("main").get_text()
    client.get_page(f"/funding/{setup.round.id}/apply/{setup.organisation.id}")
    assert count_bids() == 0


def test_a_closed_round_says_it_has_closed_and_refuses_to_start_a_bid(client):
    setup = bidding_setup(opens_at=utcnow() - timedelta(days=90), closes_at=utcnow() - timedelta(minutes=1))
    client.sign_in(setup.owner)
    page = client.get_page(f"/funding/{setup.round.id}/apply/{setup.organisation.id}")
    assert "This round closed on" in page.select_one("main").get_text()
    client.post_form(
        f"/funding/{setup.round.id}/apply/{setup.organisation.id}", {f"q{setup.eligibility.id}": "yes"}, 200
    )
    assert count_bids() == 0


def test_an_unpublished_round_cannot_be_found(client):
    setup = bidding_setup(published=False)
    client.sign_in(setup.owner)
    client.get_page(f"/funding/{setup.round.id}/apply", 404)


def test_someone_cannot_bid_for_an_organisation_they_do_not_belong_to(client):
    setup = bidding_setup()
    stranger = create_member(create_organisation("Another charity"))
    client.sign_in(stranger)
    client.get_page(f"/funding/{setup.round.id}/apply/{setup.organisation.id}", 403)


def test_an_organisation_that_fails_eligibility_is_told_why_and_nothing_is_created(client):
    setup = bidding_setup()
    second = create_question(
        setup.round,
        "Does your project work with young people?",
        kind=QuestionKind.SINGLE_CHOICE,
        options=["Yes, mostly", "Some", "No"],
        section="Eligibility",
        is_eligibility=True,
        eligible_values=["Yes, mostly", "Some"],
        ineligible_reason="This round funds work with young people.",
    )
    client.sign_in(setup.owner)
    page = client.post_form(
        f"/funding/{setup.round.id}/apply/{setup.organisation.id}",
        {f"q{setup.eligibility.id}": "no", f"q{second.id}": "No"},
        expected_status=200,
    )
    assert page.h1.get_text(strip=True) == "Peckham Street Mentors CIC cannot apply to this round"
    reasons = [li.get_text(strip=True) for li in page.select("#ineligible-reasons li")]
    assert reasons == [
        "This fund is for organisations based in London.",
        "This round funds work with young people.",
    ]
    assert count_bids() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_every_eligibility_question_must_be_answered(client):
    setup = bidding_setup()
    client.sign_in(setup.owner)
    page = client.post_form(f"/funding/{setup.round.id}/apply/{setup.organisation.id}", {}, expected_status=200)
    assert summary_errors(page) == ["Select yes or no for “Is your organisation based in London?”"]
    assert count_bids() == 0


def test_passing_eligibility_creates_a_draft_filled_in_from_the_organisation_profile(client):
    setup = bidding_setup()
    application = start_bid(client, setup)

    assert application.status is ApplicationStatus.DRAFT
    assert application.eligibility_passed_at is not None
    assert application.contact_name == "Kwame Asante"
    assert application.contact_email == "owner@example.org"
    assert application.organisation_snapshot["name"] == "Peckham Street Mentors CIC"
    assert application.organisation_snapshot["charity_number"] == "1123456"
    assert application.organisation_snapshot["boroughs_served"] == ["Lambeth", "Southwark"]
    assert [la.name for la in application.boroughs] == ["Lambeth", "Southwark"]
    saved = db.session.scalars(sa.select(Answer).where(Answer.application_id == application.id)).all()
    assert [(a.question_id, a.value) for a in saved] == [(setup.eligibility.id, "yes")]
    event = db.session.scalar(sa.text("SELECT action FROM audit_event WHERE subject_type = 'application'"))
    assert event == "application.started"


def test_starting_again_goes_to_the_existing_draft_instead_of_making_a_second(client):
    setup = bidding_setup()
    first = start_bid(client, setup)
    client.sign_in(setup.editor)
    response = client.get(f"/funding/{setup.round.id}/apply")
    assert response.headers["Location"] == f"/funding/{setup.round.id}/apply/{setup.organisation.id}"
    response = client.get(response.headers["Location"])
    assert response.headers["Location"] == f"/organisations/{first.organisation_id}/applications/{first.id}"
    assert count_bids() == 1


def test_an_organisation_that_has_submitted_is_shown_its_bid_rather_than_a_new_one(client):
    setup = bidding_setup()
    submitted = create_application(setup.round, setup.organisation, status=ApplicationStatus.SUBMITTED)
    client.sign_in(setup.owner)
    page = client.get_page(f"/funding/{setup.round.id}/apply/{setup.organisation.id}")
    assert page.h1.get_text(strip=True) == "Peckham Street Mentors CIC has already bid to this round"
    assert (
        page.find("a", string="See your bid")["href"]
        == f"/organisations/{submitted.organisation_id}/applications/{submitted.id}/view"
    )


def test_a_london_wide_organisation_starts_a_london_wide_bid(client):
    setup = bidding_setup()
    setup.organisation.works_pan_london = True
    setup.organisation.boroughs_served = []
    db.session.commit()
    application = start_bid(client, setup)
    assert application.works_pan_london is True
    assert application.boroughs == []


def test_standard_answers_from_the_organisations_latest_bid_fill_in_a_new_one_and_say_so(client):
    setup = bidding_setup()
    safeguarding = create_question(None, "Describe your safeguarding policy", section="Your organisation")
    earlier_round = create_round(setup.round.fund, title="Safer Streets 2025")
    older = create_application(earlier_round, setup.organisation, status=ApplicationStatus.DECIDED, title="Old bid")
    older.answers.append(Answer(question_id=safeguarding.id, value="Our old policy."))
    db.session.commit()
    newer = create_application(
        earlier_round, setup.organisation, status=ApplicationStatus.WITHDRAWN, title="Walk and talk"
    )
    newer.answers.append(Answer(question_id=safeguarding.id, value="We train every mentor every year."))
    db.session.commit()

    application = start_bid(client, setup)

    answer = db.session.scalar(
        sa.select(Answer).where(Answer.application_id == application.id, Answer.question_id == safeguarding.id)
    )
    assert answer.value == "We train every mentor every year."
    assert answer.prefilled_from_application_id == newer.id
    fill_project_and_open = client.get_page(
        f"/organisations/{application.organisation_id}/applications/{application.id}/view"
    )
    assert "We train every mentor every year." in fill_project_and_open.get_text()


def test_an_answer_to_a_round_question_is_never_copied_into_another_round(client):
    setup = bidding_setup()
    earlier_round = create_round(setup.round.fund, title="Safer Streets 2025")
    older = create_application(earlier_round, setup.organisation, status=ApplicationStatus.SUBMITTED)
    round_only = create_question(earlier_round, "Round question")
    older.answers.append(Answer(question_id=round_only.id, value="Not for reuse."))
    older.answers.append(Answer(question_id=setup.plan.id, value="Not for reuse either."))
    db.session.commit()
    application = start_bid(client, setup)
    values = db.session.scalars(sa.select(Answer.value).where(Answer.application_id == application.id)).all()
    assert values == ["yes"]


def test_a_user_who_is_staff_cannot_start_a_bid(client):
    setup = bidding_setup()
    from portal.models import StaffRole

    client.sign_in(create_user(staff_role=StaffRole.GRANT_OFFICER))
    client.get_page(f"/funding/{setup.round.id}/apply", 403)
    assert local_authority("Southwark") is not None


def test_two_members_starting_the_same_rounds_bid_at_once_get_one_draft(client, monkeypatch):
    from portal.applications import drafts

    setup = bidding_setup()
    first = start_bid(client, setup)
    real = drafts.fetch_active_application
    calls = []

    def not_seen_yet(round_, organisation):
        # The second request checked for a draft a moment before the first one's was committed.
        calls.append(1)
        return None if len(calls) == 1 else real(round_, organisation)

    monkeypatch.setattr(drafts, "fetch_active_application", not_seen_yet)
    second = drafts.start_application(setup.round, setup.organisation, setup.editor, {setup.eligibility.id: "yes"})

    assert second.id == first.id
    assert count_bids() == 1


def test_a_copied_answer_stops_saying_so_once_the_applicant_has_saved_its_page(client):
    from tests.bids import answer_questions, fill_project

    setup = bidding_setup()
    safeguarding = create_question(None, "Describe your safeguarding policy", section="Your organisation")
    earlier = create_application(create_round(setup.round.fund), setup.organisation, status=ApplicationStatus.DECIDED)
    earlier.answers.append(Answer(question_id=safeguarding.id, value="We train every mentor."))
    db.session.commit()
    application = start_bid(client, setup)
    fill_project(client, application)
    task_list = client.get_page(f"/organisations/{application.organisation_id}/applications/{application.id}")
    url = task_list.find("a", string=lambda text: text and text.strip() == "Your organisation")["href"]
    page = client.get_page(url)
    assert "We filled this in from your organisation's earlier bid" in page.select_one(".portal-prefilled").get_text()

    answer_questions(client, application, int(url.rsplit("/", 1)[1]), {})

    page = client.get_page(url)
    assert page.select_one(".portal-prefilled") is None
    db.session.expire_all()
    answer = db.session.scalar(
        sa.select(Answer).where(Answer.question_id == safeguarding.id, Answer.application_id == application.id)
    )
    assert answer.value == "We train every mentor."
    assert answer.prefilled_from_application_id is None
